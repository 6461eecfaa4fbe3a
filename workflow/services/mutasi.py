"""Transfers and appointments in the middle of a period (mutasi).

An SKP covers its own dates inside the period (``Skp.tanggal_mulai``/``tanggal_selesai``). When an
employee with a running SKP moves (another unit or position: the BKD admin's "mutasi" page, the
Django admin, the organisation import), the running SKP is closed the day before the transfer and
the old assessor rates the months served in a final review; a new SKP for the new post, with the
new assessor, runs from the transfer date. Someone appointed in the middle of a period gets an SKP
from their start date. Whoever assessed people who stay, or now heads them, takes over their SKP
that are not yet rated (the snapshot follows, audited, and their open tasks move).

Everything reads the SKP's own snapshot afterwards: task routing, the team page, the distribution
check and the appeal. The year's predikat of several SKPs comes from the rule table
``predikat_tahunan`` (``selectors.scoring.annual_predikat``).

Defaults where the regulation is silent (README, "Transfers and appointments"):
- the effective date lies inside the open period, after the running SKP's start, and not in the
  future (a transfer is recorded once it has happened);
- a plan never approved has nothing to evaluate: the SKP ends without a result (``DITUTUP``);
- an approved plan continues at the final self-review whatever step it was at (an open periodic
  review is cancelled: the final review covers those months);
- an SKP already rated in its annual review is not split: the year is rated;
- a periodic review window applies to an SKP only if it opens after the SKP started.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from viewflow.workflow.models import Task
from viewflow.workflow.status import PROCESS, STATUS

from ..dates import local_date
from ..models import (
    AppraisalProcess,
    AuditAction,
    Jabatan,
    Pegawai,
    Periode,
    Skp,
    StatusKepegawaian,
    StatusPeriode,
    StatusSkp,
    Unit,
)
from ..selectors.appraisal import running_skp
from ..selectors.org import org_snapshot, team_of
from .appraisal import ASSESSOR_SNAPSHOT_FIELDS, appraisal_open, assessor_snapshot
from .audit import acting_as, audit_batch, audit_record
from .deadlines import notify_assigned
from .tasks import flow_of
from .transition import skp_transition

# The steps of the assessor that follow the SKP's snapshot (re-routed when it changes).
ASSESSOR_STEPS = ("approve_plan", "review", "final_review")
# Where a closed SKP's process continues, and the steps that are there already.
FINAL_STEPS = ("final_self_review", "final_review")
PLAN_STATUSES = (StatusSkp.DRAFT, StatusSkp.DIAJUKAN, StatusSkp.DIKEMBALIKAN)


@dataclass
class MutasiOutcome:
    """What a transfer or appointment did to the appraisals."""

    closed: Skp | None = None  # the running SKP, closed the day before the transfer
    opened: list[Skp] = field(default_factory=list)  # new SKP from the effective date
    reassigned: list[Skp] = field(default_factory=list)  # SKP of others that took a new assessor


def appraisable(pegawai: Pegawai) -> bool:
    """Whether ``pegawai`` gets an SKP: an active ASN (state officials are not appraised)."""
    return pegawai.aktif and pegawai.status_kepegawaian != StatusKepegawaian.PEJABAT_NEGARA


def _open_periods(instansi_id: int):
    return Periode.objects.filter(instansi_id=instansi_id, status=StatusPeriode.OPEN).order_by("tahun")


def open_period_on(instansi_id: int, day: dt.date) -> Periode | None:
    """The open period of the government that contains ``day``."""
    return _open_periods(instansi_id).filter(tanggal_mulai__lte=day, tanggal_selesai__gte=day).first()


def transfer_date_problem(*, pegawai: Pegawai, tanggal: dt.date | None, label: str) -> str | None:
    """Why ``tanggal`` cannot be the effective date of a move of ``pegawai`` (None when it can);
    ``label`` names the field or column in the message. Only an employee with a running SKP in an
    open period is held to that period: moving anyone else changes no appraisal."""
    if tanggal is None:
        return _("%(field)s is required.") % {"field": label}
    if tanggal > timezone.localdate():
        return _("%(field)s %(date)s is in the future: record a transfer on or after the day it takes effect.") % {
            "field": label,
            "date": local_date(tanggal),
        }
    running = [s for p in _open_periods(pegawai.instansi_id) if (s := running_skp(pegawai_id=pegawai.pk, periode=p))]
    if not running:
        return None
    skp = next((s for s in running if s.periode.tanggal_mulai <= tanggal <= s.periode.tanggal_selesai), None)
    if skp is None:
        periode = running[-1].periode
        return _(
            "%(field)s %(date)s is outside the period %(year)s (%(start)s – %(end)s) of the employee's running SKP."
        ) % {
            "field": label,
            "date": local_date(tanggal),
            "year": periode.tahun,
            "start": local_date(periode.tanggal_mulai),
            "end": local_date(periode.tanggal_selesai),
        }
    if tanggal <= skp.tanggal_mulai and skp.status in StatusSkp.not_yet_rated():
        return _(
            "%(field)s %(date)s must be after the start of the running SKP (%(start)s): the SKP would cover no day."
        ) % {"field": label, "date": local_date(tanggal), "start": local_date(skp.tanggal_mulai)}
    return None


def appointment_date_problem(*, tanggal: dt.date | None, label: str) -> str | None:
    """Why ``tanggal`` cannot be the start date of a new employee (None when it can)."""
    if tanggal is not None and tanggal > timezone.localdate():
        return _("%(field)s %(date)s is in the future: record an appointment on or after the day it takes effect.") % {
            "field": label,
            "date": local_date(tanggal),
        }
    return None


# --- the transfer -------------------------------------------------------------------------------


def pegawai_transfer(
    *, pegawai: Pegawai, unit: Unit, jabatan: Jabatan, tanggal: dt.date, by, alasan: str = ""
) -> MutasiOutcome:
    """The BKD admin's "mutasi": ``pegawai`` moves to ``jabatan`` in ``unit`` from ``tanggal``.
    Raises ``ValidationError`` naming the field (``unit``, ``jabatan``, ``tanggal``); then nothing
    is written."""
    errors: dict[str, list[str]] = {}
    if unit.instansi_id != pegawai.instansi_id:
        errors.setdefault("unit", []).append(_("The unit belongs to another government."))
    if jabatan.instansi_id != pegawai.instansi_id:
        errors.setdefault("jabatan", []).append(_("The position belongs to another government."))
    if (unit.pk, jabatan.pk) == (pegawai.unit_id, pegawai.jabatan_id):
        errors.setdefault("unit", []).append(
            _("%(name)s already holds this position in this unit: there is nothing to transfer.")
            % {"name": pegawai.nama}
        )
    led = Unit.objects.filter(jabatan_kepala=jabatan).exclude(pk=unit.pk).first()
    if led is not None:
        errors.setdefault("jabatan", []).append(
            _("%(post)s is the head post of %(unit)s: choose that unit to appoint someone to it.")
            % {"post": jabatan.nama, "unit": led.nama}
        )
    if not pegawai.aktif:
        errors.setdefault("pegawai", []).append(_("%(name)s is not active.") % {"name": pegawai.nama})
    problem = transfer_date_problem(pegawai=pegawai, tanggal=tanggal, label=_("Effective date (TMT)"))
    if problem:
        errors.setdefault("tanggal", []).append(problem)
    if errors:
        raise ValidationError(errors)
    before = {"unit": pegawai.unit_id, "jabatan": pegawai.jabatan_id}
    pegawai.unit, pegawai.jabatan = unit, jabatan
    try:
        pegawai.full_clean(validate_unique=False)
    except ValidationError:
        pegawai.refresh_from_db()
        raise
    with transaction.atomic(), acting_as(by), audit_batch():
        pegawai._history_user = by
        pegawai._change_reason = "mutasi"
        pegawai.save()
        audit_record(
            action=AuditAction.EMPLOYEE_TRANSFERRED,
            obj=pegawai,
            by=by,
            reason=alasan.strip(),
            before=before,
            after={"unit": unit.pk, "jabatan": jabatan.pk, "tanggal": tanggal.isoformat()},
        )
        return appraisals_follow_move(pegawai=pegawai, tanggal=tanggal, by=by)


def appraisals_follow_move(*, pegawai: Pegawai, tanggal: dt.date, by) -> MutasiOutcome:
    """The appraisals after ``pegawai`` (already saved in the new unit or position) moved on
    ``tanggal``: the running SKP of the period that contains the date is closed the day before and
    a new SKP opens from it; the SKP of people the employee assessed, or now heads, follow. The one
    service the mutasi page, the Django admin and the import call (check the date first with
    ``transfer_date_problem``)."""
    outcome = MutasiOutcome()
    with transaction.atomic(), acting_as(by), audit_batch():
        periode = open_period_on(pegawai.instansi_id, tanggal)
        skp = running_skp(pegawai_id=pegawai.pk, periode=periode) if periode is not None else None
        if skp is not None and skp.status in StatusSkp.not_yet_rated() and tanggal > skp.tanggal_mulai:
            outcome.closed = appraisal_close(skp=skp, tanggal=tanggal, by=by)
            if appraisable(pegawai):
                opened = appraisal_open(
                    pegawai=pegawai, periode=periode, snap=org_snapshot(pegawai.instansi_id), by=by, mulai=tanggal
                )
                outcome.opened = [opened] if opened is not None else []
        outcome.reassigned = skp_assessors_follow(moved=[pegawai], by=by)
    return outcome


def pegawai_appointed(*, pegawai: Pegawai, tanggal: dt.date | None, by) -> MutasiOutcome:
    """``pegawai`` was appointed (created by the admin or the import) on ``tanggal`` (default
    today): an SKP from that date in every open period that has not ended by then (from the
    period's start when the appointment came before it); the SKP of the people they now head
    follow them."""
    tanggal = tanggal or timezone.localdate()
    outcome = MutasiOutcome()
    with transaction.atomic(), acting_as(by), audit_batch():
        if appraisable(pegawai):
            snap = org_snapshot(pegawai.instansi_id)
            for periode in _open_periods(pegawai.instansi_id).filter(tanggal_selesai__gte=tanggal):
                opened = appraisal_open(pegawai=pegawai, periode=periode, snap=snap, by=by, mulai=tanggal)
                if opened is not None:
                    outcome.opened.append(opened)
        outcome.reassigned = skp_assessors_follow(moved=[pegawai], by=by)
    return outcome


# --- closing the running SKP --------------------------------------------------------------------


def appraisal_close(*, skp: Skp, tanggal: dt.date, by) -> Skp:
    """Close ``skp`` the day before ``tanggal``. An approved plan goes to its final review now
    (the old assessor rates the months served), whatever step it is at; a plan never approved has
    nothing to evaluate: its process is cancelled and the SKP ends without a result."""
    flow_class = flow_of(AppraisalProcess)
    with flow_class.lock(skp.process_id), transaction.atomic(savepoint=False), acting_as(by), audit_batch():
        skp = Skp.objects.select_related("periode", "pegawai", "penilai").get(pk=skp.pk)
        before = {"tanggal_selesai": skp.tanggal_selesai.isoformat()}
        skp.tanggal_selesai = tanggal - dt.timedelta(days=1)
        plan_only = skp.status in PLAN_STATUSES
        if plan_only:
            status = StatusSkp.DITUTUP
            reason = _(
                "Transfer on %(date)s before the plan was approved: nothing to evaluate, the SKP ends without a result."
            ) % {"date": local_date(tanggal)}
        else:
            status = None
            reason = _("Transfer on %(date)s: the assessor rates the months served in a final review.") % {
                "date": local_date(tanggal)
            }
        # Saved first: the final self-review's due date is read from the SKP's new end.
        skp_transition(
            skp=skp,
            action=AuditAction.APPRAISAL_CLOSED,
            by=by,
            status=status,
            fields=["tanggal_selesai"],
            before=before,
            after={"tanggal_selesai": skp.tanggal_selesai.isoformat(), "tanggal_mutasi": tanggal.isoformat()},
            reason=reason,
            change_reason=reason,
        )
        if plan_only:
            _process_cancel(skp.process_id)
        else:
            _continue_at(skp.process_id, flow_class.final_self_review)
    return skp


def _open_tasks(process_pk: int) -> list[Task]:
    return list(
        Task.objects.filter(process_id=process_pk, status__in=[STATUS.NEW, STATUS.ASSIGNED, STATUS.SCHEDULED])
        .select_related("process")
        .order_by("pk")
    )


def _process_cancel(process_pk: int) -> None:
    """Cancel every open task of the process and the process itself (viewflow's own cancel, under
    the lock the caller holds)."""
    for task in _open_tasks(process_pk):
        task.flow_task.activation_class(task).cancel()
    process = AppraisalProcess.objects.get(pk=process_pk)  # the registered proxy: its save has history
    process.status = PROCESS.CANCELED
    process.finished = timezone.now()
    process.save()


def _continue_at(process_pk: int, node) -> None:
    """viewflow has no "jump": cancel the open tasks (a waiting timer, a periodic review...) and
    create a task of ``node`` that follows them, as viewflow's own ``revive`` does. A process at
    its final review already stays there."""
    tasks = _open_tasks(process_pk)
    if not tasks or any(task.flow_task is not None and task.flow_task.name in FINAL_STEPS for task in tasks):
        return
    cancelled = []
    for task in tasks:
        activation = task.flow_task.activation_class(task)
        activation.cancel()
        cancelled.append(activation)
    first = cancelled[0]
    created = node.activation_class.create(node, first, first.task.token)
    for other in cancelled[1:]:
        created.task.previous.add(other.task)


# --- the snapshots of others ---------------------------------------------------------------------


def skp_assessors_follow(*, moved: list[Pegawai], by) -> list[Skp]:
    """After ``moved`` changed posts: the SKP not yet rated of the people they assessed (who stay)
    and of the people they head now take today's assessor and superior as their snapshot (one
    audit event each) and their open assessor steps go to the new assessor. An SKP closed by a
    transfer keeps the assessor of the months it covers."""
    if not moved:
        return []
    instansi_id = moved[0].instansi_id
    snap = org_snapshot(instansi_id)
    ids = {p.pk for p in moved}
    heads_now: set[int] = set()
    for person in moved:
        heads_now.update(member.pk for member in team_of(person))
    candidates = (
        Skp.objects.filter(
            periode__instansi_id=instansi_id,
            periode__status=StatusPeriode.OPEN,
            status__in=StatusSkp.not_yet_rated(),
            tanggal_selesai=F("periode__tanggal_selesai"),
        )
        .filter(Q(penilai_id__in=ids) | Q(atasan_penilai_id__in=ids) | Q(pegawai_id__in=heads_now))
        .exclude(pegawai_id__in=ids)
        .select_related("pegawai", "periode", "penilai")
        .order_by("pk")
    )
    changed = []
    for skp in candidates:
        penilai = snap.assessor_of(skp.pegawai)
        atasan = snap.assessor_superior_of(skp.pegawai) if penilai is not None else None
        if (getattr(penilai, "pk", None), getattr(atasan, "pk", None)) == (skp.penilai_id, skp.atasan_penilai_id):
            continue
        skp_assessor_change(skp=skp, penilai=penilai, atasan=atasan, by=by)
        changed.append(skp)
    return changed


def skp_assessor_change(*, skp: Skp, penilai: Pegawai | None, atasan: Pegawai | None, by) -> None:
    """Give ``skp`` a new assessor (and superior) snapshot, audited, and move its open assessor
    steps to whoever acts for the new assessor now (separation of duties as the step defines it)."""
    flow_class = flow_of(AppraisalProcess)
    with flow_class.lock(skp.process_id), transaction.atomic(savepoint=False), acting_as(by), audit_batch():
        before = {"penilai": skp.penilai_id, "penilai_nama": skp.penilai_nama, "atasan_penilai": skp.atasan_penilai_id}
        for name, value in assessor_snapshot(penilai, atasan).items():
            setattr(skp, name, value)
        moved_tasks = []
        for task in _open_tasks(skp.process_id):
            if task.flow_task is None or task.flow_task.name not in ASSESSOR_STEPS:
                continue
            activation = task.flow_task.activation_class(task)
            activation.process.skp = skp  # the new snapshot, not yet saved
            owner = task.flow_task.calc_owner(activation)
            task.owner = owner
            task.status = STATUS.ASSIGNED if owner is not None else STATUS.NEW
            task.save(update_fields=["owner", "status"])
            moved_tasks.append({"task": task.pk, "step": str(task.title), "owner": owner.username if owner else None})
            if owner is not None:
                notify_assigned(task)
        skp_transition(
            skp=skp,
            action=AuditAction.APPRAISAL_ASSESSOR_CHANGED,
            by=by,
            fields=ASSESSOR_SNAPSHOT_FIELDS,
            before=before,
            after={
                "penilai": skp.penilai_id,
                "penilai_nama": skp.penilai_nama,
                "atasan_penilai": skp.atasan_penilai_id,
                "tasks": moved_tasks,
            },
            reason=_("The assessor changed posts or a new head took office."),
        )


def outcome_message(outcome: MutasiOutcome) -> str:
    """One sentence for the admin about what a transfer did to the appraisals."""
    parts = []
    if outcome.closed is not None:
        closed = outcome.closed
        if closed.status == StatusSkp.DITUTUP:
            parts.append(
                _("SKP %(n)d ends on %(date)s without a result (its plan was never approved).")
                % {"n": closed.urutan, "date": local_date(closed.tanggal_selesai)}
            )
        else:
            parts.append(
                _("SKP %(n)d ends on %(date)s; %(assessor)s rates it in a final review.")
                % {
                    "n": closed.urutan,
                    "date": local_date(closed.tanggal_selesai),
                    "assessor": closed.penilai_nama or "—",
                }
            )
    for skp in outcome.opened:
        parts.append(
            _("SKP %(n)d for %(post)s starts on %(date)s (assessor: %(assessor)s).")
            % {
                "n": skp.urutan,
                "post": skp.jabatan_nama,
                "date": local_date(skp.tanggal_mulai),
                "assessor": skp.penilai_nama or "—",
            }
        )
    if outcome.reassigned:
        parts.append(
            _("%(count)d SKP of other employees took their new assessor.") % {"count": len(outcome.reassigned)}
        )
    return " ".join(parts)
