"""The audit trail: an append-only, hash-chained log of every state change, and the history of
viewflow's own rows (processes and tasks) next to the domain models' history.

Each ``AuditEvent`` carries the SHA-256 of its canonical content plus the hash of the event before
it, so editing, deleting or reordering a stored event breaks the chain (``manage.py audit_verify``).
Writes go through ``workflow.services.audit.audit_record`` only; the model and its queryset refuse
every other write, and on PostgreSQL a trigger refuses UPDATE and DELETE as well.
"""

from __future__ import annotations

import simple_history
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.models import Task

from project.choice_labels import ChoiceLabels

from .appeal import AppealProcess
from .appraisal import AppraisalProcess
from .capaian import CapaianProcess
from .kalibrasi import KalibrasiProcess

# viewflow's rows get history like the domain models. Processes are saved through the flow's
# proxy class (activation.process is coerced to it), so the proxy is what must be registered;
# tasks are saved as viewflow's concrete Task.
simple_history.register(AppraisalProcess, app="workflow")
simple_history.register(AppealProcess, app="workflow")
simple_history.register(CapaianProcess, app="workflow")
simple_history.register(KalibrasiProcess, app="workflow")
simple_history.register(Task, app="workflow", table_name="workflow_historicaltask")


class AuditAction(models.TextChoices):
    """What happened. A fixed list: the search filters on it and the timeline names it."""

    APPRAISAL_OPENED = "appraisal.opened", _("Appraisal opened")
    PLAN_SAVED = "plan.saved", _("Plan saved")
    PLAN_SUBMITTED = "plan.submitted", _("Plan submitted")
    PLAN_RETURNED = "plan.returned", _("Plan returned for revision")
    PLAN_APPROVED = "plan.approved", _("Plan approved")
    SELF_REVIEW_SUBMITTED = "review.self_submitted", _("Periodic self-review submitted")
    REVIEW_SUBMITTED = "review.submitted", _("Periodic review given")
    FINAL_SELF_REVIEW_SUBMITTED = "review.final_self_submitted", _("Annual self-review submitted")
    FINAL_REVIEW_SUBMITTED = "review.final_submitted", _("Annual review given")
    APPRAISAL_SCORED = "appraisal.scored", _("Scored by the rules")
    APPRAISAL_PUBLISHED = "appraisal.published", _("Result published")
    # Appeals, deadlines and delegation (issue 5) record these.
    APPEAL_FILED = "appeal.filed", _("Appeal filed")
    APPEAL_RESPONDED = "appeal.responded", _("Assessor responded to the appeal")
    APPEAL_DECIDED = "appeal.decided", _("Appeal decided")
    APPRAISAL_FINALISED = "appraisal.finalised", _("Result final (appeal window closed)")
    TASK_REASSIGNED = "task.reassigned", _("Task reassigned")
    TASK_TAKEN = "task.taken", _("Task taken from the queue")
    TASK_RETURNED = "task.returned", _("Task returned to the queue")
    TASK_CANCELLED = "task.cancelled", _("Task cancelled")
    TASK_UNDONE = "task.undone", _("Task undone")
    TASK_REVIVED = "task.revived", _("Task revived")
    PROCESS_CANCELLED = "process.cancelled", _("Process cancelled")
    DELEGATION_CREATED = "delegation.created", _("Delegation recorded")
    # Periods and the organisation.
    PERIOD_CREATED = "period.created", _("Period created")
    PERIOD_OPENED = "period.opened", _("Period opened")
    PERIOD_OPENING_FINISHED = "period.opening_finished", _("Period opening finished")
    ORG_IMPORTED = "org.imported", _("Organisation imported")
    HOLIDAYS_LOADED = "holidays.loaded", _("National holidays loaded")
    # An employee's leave or suspension (who gets an SKP).
    KEADAAN_RECORDED = "keadaan.recorded", _("Employee status recorded (leave, suspension)")
    KEADAAN_CHANGED = "keadaan.changed", _("Employee status changed (leave, suspension)")
    # Transfers and appointments in the middle of a period (mutasi).
    EMPLOYEE_TRANSFERRED = "org.transferred", _("Employee transferred (mutasi)")
    APPRAISAL_CLOSED = "appraisal.closed", _("SKP closed by a transfer")
    APPRAISAL_ASSESSOR_CHANGED = "appraisal.assessor_changed", _("Assessor of the SKP changed")
    # Scoring rules.
    RULE_SET_SAVED = "rules.set_saved", _("Rule set saved")
    RULE_VERSION_CREATED = "rules.version_created", _("Rule version created")
    RULE_VERSION_REPLACED = "rules.version_replaced", _("Rule version content replaced")
    RULE_TABLE_EDITED = "rules.table_edited", _("Decision table edited")
    RULE_CASE_ADDED = "rules.case_added", _("Rule test case added")
    RULE_CASE_DELETED = "rules.case_deleted", _("Rule test case deleted")
    RULE_VERSION_PUBLISHED = "rules.version_published", _("Rule version published")
    RULE_VERSION_RETIRED = "rules.version_retired", _("Rule version retired")
    RULE_VERSION_DELETED = "rules.version_deleted", _("Draft rule version deleted")
    # Changes made through the Django admin (project.admin_base) and the roles admins grant.
    ADMIN_ADDED = "admin.added", _("Added in the admin")
    ADMIN_CHANGED = "admin.changed", _("Changed in the admin")
    ADMIN_DELETED = "admin.deleted", _("Deleted in the admin")
    ROLE_GRANTED = "role.granted", _("Role granted")
    ROLE_REVOKED = "role.revoked", _("Role revoked")
    # Documents (PDF) and their packages.
    DOCUMENT_ISSUED = "document.issued", _("Document issued")
    DOCUMENT_PACKAGE_BUILT = "document.package_built", _("Document package built")
    # Sign-in (django-axes).
    LOGIN_LOCKED_OUT = "auth.locked_out", _("Sign-in locked after repeated failures")
    # Single sign-on (OpenID Connect, workflow.sso).
    LOGIN_SSO = "auth.sso_signed_in", _("Signed in through SSO")
    LOGIN_SSO_REFUSED = "auth.sso_refused", _("SSO sign-in refused")
    # The organisation's achievement (capaian kinerja organisasi), set by the leader above the unit.
    CAPAIAN_TASKS_OPENED = "capaian.tasks_opened", _("Organisation-achievement tasks started")
    CAPAIAN_SET = "capaian.set", _("Organisation achievement set")
    KALIBRASI_CHANGED = "kalibrasi.changed", _("Rating changed in calibration")
    KALIBRASI_PUBLISHED = "kalibrasi.published", _("Unit published after calibration")
    # Tokens of the REST API.
    API_TOKEN_ISSUED = "api.token_issued", _("API token issued")
    API_TOKEN_REVOKED = "api.token_revoked", _("API token revoked")


class AppendOnlyError(RuntimeError):
    """An attempt to change or delete an audit event."""


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("Audit events are append-only: they cannot be updated.")

    def delete(self):
        raise AppendOnlyError("Audit events are append-only: they cannot be deleted.")

    def bulk_update(self, objs, fields, batch_size=None):
        raise AppendOnlyError("Audit events are append-only: they cannot be updated.")

    def bulk_create(self, objs, *args, **kwargs):
        raise AppendOnlyError("Audit events are appended through audit_record(), which chains them.")

    def _append_chained(self, objs):
        """The audit service's own bulk insert of events it has just chained (see
        ``services.audit.audit_batch``)."""
        return super().bulk_create(objs)

    _update = update


class AuditEvent(ChoiceLabels, models.Model):
    """One state change: who did what to which object, the values before and after, the reason,
    the request it came from, and its place in the hash chain."""

    seq = models.PositiveBigIntegerField(_("sequence"), unique=True)
    time = models.DateTimeField(_("time"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("actor")
    )
    actor_repr = models.CharField(_("actor name"), max_length=255)
    action = models.CharField(_("action"), max_length=40, choices=AuditAction.choices, db_index=True)
    content_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("object type")
    )
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=255, blank=True)
    instansi = models.ForeignKey(
        "workflow.Instansi",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("government"),
    )
    before = models.JSONField(_("before"), default=dict, blank=True)
    after = models.JSONField(_("after"), default=dict, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64, unique=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["seq"]
        default_permissions = ("view",)
        indexes = [
            models.Index(fields=["content_type", "object_id"]),
            models.Index(fields=["instansi", "time"]),
            models.Index(fields=["actor", "time"]),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.get_action_display()} — {self.object_repr}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("Audit events are append-only: an event cannot be changed.")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Audit events are append-only: an event cannot be deleted.")


class AuditChainHead(ChoiceLabels, models.Model):
    """The end of the chain: the last event's number and hash. Appends lock it (on PostgreSQL by an
    advisory lock taken first), and ``audit_verify`` compares the chain's end with it, so removing
    the newest events is detected too."""

    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("audit chain head")
        verbose_name_plural = _("audit chain head")
        default_permissions = ()

    def __str__(self) -> str:
        return f"#{self.seq} {self.hash[:12]}"
