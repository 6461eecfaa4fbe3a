"""Writes of calibration (kalibrasi): a rating changed in a unit's calibration (with a reason,
decided again by the rules that scored the result, audited) and the unit's publication, which
releases every result waiting for it (``AppraisalFlow.wait_calibration``) at once; and the
calibration task in the unit head's inbox (``flows.KalibrasiFlow``), opened when the first result
of the unit starts waiting and completed by the unit's publication.

Two people calibrating one unit at once: every write locks the unit's ``Kalibrasi`` row and
compares the version the page showed; a write made on a page that is no longer current is
refused with a message (never applied over the other's change)."""

from __future__ import annotations

from dataclasses import dataclass

from celery import current_app
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from viewflow import this
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

import rules
from project.memo import step_memo
from project.prepared import Prepared
from rules.models import RuleSetVersion

from ..domain.scoring import PREDIKAT_TABLE, decision_record
from ..models import (
    AppraisalProcess,
    AuditAction,
    HasilPenilaian,
    Kalibrasi,
    KalibrasiProcess,
    Rating,
    Skp,
    StatusSkp,
    TugasKalibrasi,
    Unit,
)
from ..selectors.kalibrasi import breach_messages, calibration_of, calibration_unit, is_calibrator, may_change
from .audit import acting_as, audit_batch, audit_record
from .tasks import flow_of, open_task, process_starting, task_execution

RELEASE_TASK = "workflow.tasks.kalibrasi_release_chunk"


@dataclass(frozen=True)
class RatingChange:
    """One row of the calibration form: the new ratings of one result and why."""

    skp_id: int
    rating_hasil_kerja: str
    rating_perilaku: str
    reason: str


def _locked(*, periode, unit: Unit, versi: int) -> Kalibrasi:
    kalibrasi, _created = Kalibrasi.objects.get_or_create(periode=periode, unit=unit)
    kalibrasi = Kalibrasi.objects.select_for_update().get(pk=kalibrasi.pk)
    if kalibrasi.versi != versi:
        raise ValidationError(
            _(
                "Someone else changed this calibration meanwhile; nothing of yours was saved. "
                "Reload the page and apply your change again."
            )
        )
    return kalibrasi


def _bump(kalibrasi: Kalibrasi, by, **fields) -> None:
    kalibrasi.versi += 1
    for name, value in fields.items():
        setattr(kalibrasi, name, value)
    kalibrasi._history_user = by
    kalibrasi.save()


@transaction.atomic
def kalibrasi_change(*, periode, unit: Unit, versi: int, changes: list[RatingChange], by) -> int:
    """Change the ratings of waiting results of ``unit`` in calibration: each change needs a reason,
    the predikat is decided again by the rule version that scored the result, and each change is
    audited. Returns how many results changed; any bad row refuses all of them."""
    if not is_calibrator(by, unit):
        raise PermissionDenied
    kalibrasi = _locked(periode=periode, unit=unit, versi=versi)
    members = {skp.pk: skp for skp, _hasil, _waiting in calibration_of(periode=periode, unit=unit).rows}
    valid = set(Rating.values)
    todo = []
    for change in changes:
        skp = members.get(change.skp_id)
        if skp is None:
            raise ValidationError(_("This result does not belong to the unit."))
        hasil = HasilPenilaian.objects.select_for_update().filter(skp=skp).first()
        if hasil is None or skp.status != StatusSkp.DINILAI:
            raise ValidationError(
                _("%(name)s: the result is not waiting for calibration.") % {"name": skp.pegawai.nama}
            )
        if (hasil.rating_hasil_kerja, hasil.rating_perilaku) == (change.rating_hasil_kerja, change.rating_perilaku):
            continue
        if change.rating_hasil_kerja not in valid or change.rating_perilaku not in valid:
            raise ValidationError(_("%(name)s: choose a valid rating.") % {"name": skp.pegawai.nama})
        if not may_change(by, skp):
            raise ValidationError(
                _("%(name)s: nobody calibrates their own result; an admin changes this row.")
                % {"name": skp.pegawai.nama}
            )
        if not change.reason.strip():
            raise ValidationError(_("%(name)s: give the reason for the change.") % {"name": skp.pegawai.nama})
        todo.append((skp, hasil, change))
    for skp, hasil, change in todo:
        _rescore(skp=skp, hasil=hasil, change=change, by=by)
    if todo:
        _bump(kalibrasi, by)
    return len(todo)


def _rescore(*, skp: Skp, hasil: HasilPenilaian, change: RatingChange, by) -> None:
    version_id = next((d["version"]["id"] for d in reversed(hasil.trace) if d.get("table") == PREDIKAT_TABLE), None)
    decision = rules.evaluate_version(
        RuleSetVersion.objects.get(pk=version_id),
        PREDIKAT_TABLE,
        {"hasil_kerja": change.rating_hasil_kerja, "perilaku": change.rating_perilaku},
    )
    before = {
        "rating_hasil_kerja": hasil.rating_hasil_kerja,
        "rating_perilaku": hasil.rating_perilaku,
        "predikat": hasil.predikat,
    }
    hasil.rating_hasil_kerja, hasil.rating_perilaku = change.rating_hasil_kerja, change.rating_perilaku
    hasil.predikat = decision.outputs["predikat"]
    hasil.trace = [*hasil.trace, decision_record(PREDIKAT_TABLE, decision, calibration=True)]
    hasil.fakta = {
        **hasil.fakta,
        "hasil_kerja": change.rating_hasil_kerja,
        "perilaku": change.rating_perilaku,
        "kalibrasi": True,
    }
    hasil._history_user = by
    hasil._change_reason = change.reason[:100]
    hasil.save()
    audit_record(
        action=AuditAction.KALIBRASI_CHANGED,
        obj=skp,
        by=by,
        before=before,
        after={
            "rating_hasil_kerja": hasil.rating_hasil_kerja,
            "rating_perilaku": hasil.rating_perilaku,
            "predikat": hasil.predikat,
        },
        reason=change.reason,
    )


def _node(name: str):
    """A step of the calibration flow (see ``services.tasks.flow_of``)."""
    return getattr(flow_of(KalibrasiProcess), name)


@transaction.atomic(savepoint=False)  # inside the scoring step's transaction: no savepoint of its own
def kalibrasi_task_open(*, skp: Skp) -> TugasKalibrasi | None:
    """``skp``'s scored result starts waiting for its unit's calibration: open the unit's
    calibration task unless one is open (under the lock of the unit's ``Kalibrasi`` row, so two
    results scored at once open one task). Returns the new task, or None."""
    unit = calibration_unit(skp)
    if unit is None:
        return None
    kalibrasi = Kalibrasi.objects.select_for_update().filter(periode=skp.periode, unit=unit).first()
    if kalibrasi is None:
        kalibrasi, _created = Kalibrasi.objects.get_or_create(periode=skp.periode, unit=unit)
        kalibrasi = Kalibrasi.objects.select_for_update().get(pk=kalibrasi.pk)
    if TugasKalibrasi.objects.filter(kalibrasi=kalibrasi, process__status=STATUS.NEW).exists():
        return None
    tugas = TugasKalibrasi(kalibrasi=kalibrasi)
    # The process starts first (its handler links the task in memory), so the row is inserted
    # once, already pointing at its process (as ``services.capaian.capaian_open``).
    with process_starting():
        _node("start").run(tugas=tugas)
    tugas.save()
    return tugas


def _complete_tasks(*, kalibrasi: Kalibrasi, by, activation=None) -> None:
    """The unit was published: its open calibration task is done. Completed by whoever published
    (a calibrator, checked before): a task held by someone else (the head, when an admin publishes)
    or still in the queue becomes theirs first, as an admin's reassignment would."""
    node = _node("calibrate")
    for tugas in TugasKalibrasi.objects.filter(kalibrasi=kalibrasi, process__status=STATUS.NEW):
        if activation is not None and activation.process.pk == tugas.process_id:
            activation.execute()
            continue
        task = open_task(tugas.process_id, node)
        if task is None:
            continue
        if task.owner_id != by.pk:
            task.owner, task.status = by, STATUS.ASSIGNED
            task.save()
        with task_execution(process_pk=tugas.process_id, node=node, by=by):
            pass


@transaction.atomic
def kalibrasi_publish(*, periode, unit: Unit, versi: int, by, activation=None) -> int:
    """Publish every result of ``unit`` waiting for calibration, at once. Refused while a blocking
    pattern is breached (the message names each bound and by how many people). Up to
    ``KINERJA_OPEN_CHUNK_SIZE`` results are released in this transaction; more go to Celery in
    chunks after the commit (rerunnable: a released result is skipped). The unit's open
    calibration task is completed (``activation``: the task page's own). Returns how many."""
    if not is_calibrator(by, unit):
        raise PermissionDenied
    kalibrasi = _locked(periode=periode, unit=unit, versi=versi)
    view = calibration_of(periode=periode, unit=unit)
    if view.policy.blocking and view.breaches:
        raise ValidationError(
            [_("The distribution pattern is breached; the unit cannot be published:"), *breach_messages(view.bounds)]
        )
    waiting = [skp.pk for skp, _hasil, is_waiting in view.rows if is_waiting]
    if not waiting:
        raise ValidationError(_("No result of this unit is waiting for publication."))
    _bump(kalibrasi, by, dipublikasikan=timezone.now(), dipublikasikan_oleh=by)
    audit_record(
        action=AuditAction.KALIBRASI_PUBLISHED,
        obj=kalibrasi,
        by=by,
        after={
            "unit": unit.nama,
            "results": len(waiting),
            "counts": {b.predikat: b.have for b in view.bounds},
            "warning": breach_messages(view.bounds),
        },
        instansi_id=unit.instansi_id,
    )
    _complete_tasks(kalibrasi=kalibrasi, by=by, activation=activation)
    size = max(1, int(getattr(settings, "KINERJA_OPEN_CHUNK_SIZE", 250)))
    if len(waiting) <= size:
        kalibrasi_release(skp_ids=waiting, by=by)
    else:
        chunks = [waiting[i : i + size] for i in range(0, len(waiting), size)]

        def enqueue():
            release = current_app.tasks[RELEASE_TASK]
            for chunk in chunks:
                release.delay(chunk)

        transaction.on_commit(enqueue)
    return len(waiting)


_WAITING_TASK = Prepared(  # read for every result released: compiled once
    lambda task_id: Task.objects.select_related("process").filter(pk=task_id, status=STATUS.NEW).order_by("pk")[:1],
    arity=1,
)


def kalibrasi_release(*, skp_ids: list[int], by=None) -> int:
    """Move each appraisal waiting for calibration on to publication (the flow's ``publish``
    node). Appraisals no longer waiting are skipped, so a chunk delivered twice does nothing twice.
    ``by``: who published (the actor of the rows written, unless a request names one); None: the
    system (a Celery chunk). Each appraisal's rows and events are written together at its end."""
    flow = flow_of(AppraisalProcess)
    node = flow.wait_calibration
    release = this.resolve(flow.instance, node._func)
    done = 0
    process_ids = list(Skp.objects.filter(pk__in=skp_ids).values_list("process_id", flat=True))
    waiting = Task.objects.filter(process_id__in=process_ids, flow_task=node, status=STATUS.NEW)
    with acting_as(by), step_memo():
        for process_id, task_id in waiting.values_list("process_id", "pk"):
            # What ``Handle.run`` does, reading the task (with its process) once, under the lock.
            # Inside the unit's publication a failure unwinds all of it: no savepoint per result;
            # a Celery chunk has no outer transaction, so each result is its own.
            with (
                transaction.atomic(savepoint=False),
                audit_batch(),
                flow.lock(process_id),
            ):
                task = _WAITING_TASK.first(task_id)
                if task is None:  # released meanwhile (a chunk delivered twice)
                    continue
                activation = node.activation_class(task)
                activation.run(release)
                activation.execute()
            done += 1
    return done
