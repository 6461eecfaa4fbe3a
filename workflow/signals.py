"""Signal wiring of the workflow app."""

from axes.helpers import get_failure_limit
from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.db.models.signals import post_delete, post_save
from simple_history.signals import pre_create_historical_record
from viewflow.workflow.models import Process, Task

from project.admin_base import admin_changed
from project.prepared import prepare_forward, prepare_inserts, prepare_updates
from rules.signals import choice_labels, publish_impact, rule_changed

from .domain.explanation import value_labels
from .models import (
    AuditAction,
    Delegasi,
    Evaluasi,
    HasilPenilaian,
    HasilPeriodik,
    Instansi,
    Jabatan,
    JendelaReview,
    Pegawai,
    PenugasanPlt,
    Periode,
    Skp,
    Unit,
)
from .selectors.org import forget_org_snapshots
from .selectors.period import forget_period_windows
from .selectors.rule_impact import publish_impact as period_publish_impact
from .services.audit import (
    audit_record,
    cache_history_managers,
    defer_history_saves,
    fill_history_user,
    hold_prenumbered_inserts,
)


def connect() -> None:
    """Wire the caches and the audit log. (A new task's due date comes from its node, not from a
    signal: ``nodes.AppraisalActivation``.)"""
    for model in (Instansi, Unit, Jabatan, Pegawai, PenugasanPlt, Delegasi):
        post_save.connect(forget_org_snapshots, sender=model, dispatch_uid=f"forget-org-{model.__name__}-save")
        post_delete.connect(forget_org_snapshots, sender=model, dispatch_uid=f"forget-org-{model.__name__}-del")
    for model in (Periode, JendelaReview):
        post_save.connect(forget_period_windows, sender=model, dispatch_uid=f"forget-win-{model.__name__}-save")
        post_delete.connect(forget_period_windows, sender=model, dispatch_uid=f"forget-win-{model.__name__}-del")
    # The rules' publish page asks which periods' results a new version would score.
    publish_impact.connect(period_publish_impact, dispatch_uid="workflow-publish-impact")
    # The rules editor shows the words of the choice codes (ratings, predikat) beside them.
    choice_labels.connect(rule_choice_labels, dispatch_uid="workflow-choice-labels")
    connect_audit()


def rule_choice_labels(**_kwargs) -> dict[str, str]:
    return value_labels()


def connect_audit() -> None:
    """History rows always name an actor; rule changes (sent by ``rules``, which never imports
    ``workflow``) are written to the audit log."""
    cache_history_managers()
    defer_history_saves()
    # The rows every step creates or saves again: their INSERT and UPDATE compiled once per connection.
    prepare_inserts(Process, Task, Skp, Evaluasi, HasilPeriodik, HasilPenilaian)
    prepare_updates(Process, Task, Skp, Evaluasi, HasilPenilaian)
    prepare_forward(Pegawai.user, Pegawai.instansi, Pegawai.unit, Pegawai.jabatan, Skp.unit, Skp.pegawai, Skp.periode)
    # Opening a period holds back the new appraisals' rows and inserts them per table at once.
    hold_prenumbered_inserts(Process, Task, Skp)
    pre_create_historical_record.connect(fill_history_user, dispatch_uid="audit-fill-history-user")
    rule_changed.connect(record_rule_change, dispatch_uid="audit-rule-changed")
    admin_changed.connect(record_admin_change, dispatch_uid="audit-admin-changed")
    user_locked_out.connect(record_lockout, dispatch_uid="audit-login-locked-out")


def record_rule_change(sender, *, action, obj, by, before, after, reason, **kwargs) -> None:
    audit_record(action=AuditAction(f"rules.{action}"), obj=obj, by=by, before=before, after=after, reason=reason)


def record_admin_change(sender, *, action, obj, by, before, after, instansi_id, **kwargs) -> None:
    """A change made through the Django admin (``project.admin_base``), as an audit event."""
    audit_record(
        action=AuditAction(f"admin.{action}"), obj=obj, by=by, before=before, after=after, instansi_id=instansi_id
    )


def record_lockout(sender, *, request, username, ip_address, **kwargs) -> None:
    """django-axes locked a user name + address out: one audit event when the lockout starts (axes
    sends the signal again for every attempt refused while it lasts; those are not events). The
    object is the account when the name exists, so the account's government sees it."""
    credentials = getattr(request, "axes_credentials", None)
    if getattr(request, "axes_failures_since_start", None) != get_failure_limit(request, credentials):
        return
    account = get_user_model().objects.filter(username=username).first() if username else None
    audit_record(
        action=AuditAction.LOGIN_LOCKED_OUT,
        obj=account,
        after={"username": username or "", "ip": ip_address, "failures": request.axes_failures_since_start},
    )
