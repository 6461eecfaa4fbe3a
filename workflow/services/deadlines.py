"""Deadlines on every human task: the due date, a reminder before it and an escalation after it.

Due dates come from the period (plan deadline, review windows) and the rule pack (days to decide an
appeal): each human step of the flows names its policy below, and its node applies it when it
creates a task (``nodes.AppraisalView``). ``deadlines_sweep`` runs with viewflow's timers from Celery
beat (``workflow.tasks``) and from the demo runner."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS
from viewflow.workflow.timers import fire_due_timers

from ..dates import local_date
from ..domain.workdays import KERJA
from ..models import AppealProcess, JenisJendela, PeranAdmin, TenggatTugas
from ..selectors.appraisal import skp_of_task
from ..selectors.calendar import day_kind, moment_after
from ..selectors.org import org_snapshot, person_name
from ..selectors.period import period_windows
from .appeal import policy
from .appraisal import current_window, review_window
from .audit import defer_insert
from .capaian import capaian_sweep
from .keadaan import returns_open
from .notify import notify, task_link

OPEN = [STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED]


def _end_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(23, 59)))


# --- due-date policies ------------------------------------------------------------------------
# Each human step of the flows names its policy (``flows.py``: ``.Deadline(...)``); its node asks
# it when a task of the step is created. A policy returns when ``task`` is due, or None for no
# deadline. An appraisal's steps are due at a date of the period; when the period gives none, or
# it has already passed, KINERJA_TASK_DAYS after the task was created.


def _period_day_or_default(task: Task, day: dt.date | None) -> dt.datetime:
    if day is not None and (due := _end_of(day)) > task.created:
        return due
    return task.created + dt.timedelta(days=settings.KINERJA_TASK_DAYS)


def standard_deadline(task: Task) -> dt.datetime | None:
    """A step of the appraisal without a date of its own (approving the plan): KINERJA_TASK_DAYS."""
    return _period_day_or_default(task, None) if getattr(task.process, "skp", None) is not None else None


def plan_deadline(task: Task) -> dt.datetime | None:
    """Drafting the plan: the period's plan deadline (``batas_rencana``)."""
    skp = getattr(task.process, "skp", None)
    return _period_day_or_default(task, skp.periode.batas_rencana) if skp is not None else None


def periodic_review_deadline(task: Task) -> dt.datetime | None:
    """A periodic (self-)review: the close of the periodic window under review."""
    skp = getattr(task.process, "skp", None)
    if skp is None:
        return None
    window = current_window(skp, kind=JenisJendela.PERIODIK)
    return _period_day_or_default(task, window.ditutup if window else None)


def annual_review_deadline(task: Task) -> dt.datetime | None:
    """The annual (self-)review: the close of the annual window."""
    skp = getattr(task.process, "skp", None)
    if skp is None:
        return None
    if skp.tanggal_selesai < skp.periode.tanggal_selesai:
        # An SKP closed by a transfer is reviewed now, not in the annual window: the standard days.
        return _period_day_or_default(task, None)
    window = review_window(skp, kind=JenisJendela.AKHIR)
    return _period_day_or_default(task, window.ditutup if window else None)


def appeal_days_from(keberatan, moment: dt.datetime, days: int) -> dt.datetime:
    """``days`` days of an appeal after ``moment``: calendar days, or working days of the
    employee's government when the rule pack's ``jenis_hari_keberatan`` says ``kerja``."""
    skp = keberatan.skp
    kind = day_kind(policy(skp))
    return moment_after(instansi_id=skp.pegawai.instansi_id, moment=moment, days=days, kind=kind)


def appeal_response_deadline(task: Task) -> dt.datetime | None:
    """The assessor's response to an appeal: KINERJA_APPEAL_RESPONSE_DAYS."""
    keberatan = getattr(task.process, "keberatan", None)
    if keberatan is None:
        return None
    return appeal_days_from(keberatan, task.created, settings.KINERJA_APPEAL_RESPONSE_DAYS)


def appeal_decision_deadline(task: Task) -> dt.datetime | None:
    """The appeal decision: the rule pack's ``hari_keputusan_keberatan`` days."""
    keberatan = getattr(task.process, "keberatan", None)
    if keberatan is None:
        return None
    return appeal_days_from(keberatan, task.created, int(policy(keberatan.skp)["hari_keputusan_keberatan"]))


def _keberatan_of(task: Task):
    """The appeal an appeal step's task is about; None for the other flows' tasks (asked of every
    new task: answered without a query where there can be none)."""
    flow_class = getattr(task.flow_task, "flow_class", None)
    if flow_class is not None and flow_class.process_class is not AppealProcess:
        return None
    return getattr(task.process, "keberatan", None)


def reminder_moment(task: Task, due: dt.datetime) -> dt.datetime | None:
    """When the reminder of a task due at ``due`` goes out, where it is not KINERJA_REMINDER_DAYS
    calendar days before: for an appeal's steps counted in working days, that many working days
    before (None: the sweep's calendar default)."""
    keberatan = _keberatan_of(task)
    if keberatan is None or day_kind(policy(keberatan.skp)) != KERJA:
        return None
    return appeal_days_from(keberatan, due, -settings.KINERJA_REMINDER_DAYS)


def capaian_deadline(task: Task) -> dt.datetime | None:
    """Setting a unit's organisation achievement: the close of the period's annual review window
    (the annual results are checked against it)."""
    penetapan = getattr(task.process, "penetapan_capaian", None)
    if penetapan is None:
        return None
    window = next((w for w in period_windows(penetapan.periode_id) if w.jenis == JenisJendela.AKHIR), None)
    return _period_day_or_default(task, window.ditutup if window else None)


def task_created(task: Task, *, due: dt.datetime | None) -> None:
    """Give a new human task its due date (from its step's policy, see ``nodes.AppraisalView``)
    and tell its owner."""
    if due is not None:
        tenggat = TenggatTugas(task=task, jatuh_tempo=due, ingatkan_pada=reminder_moment(task, due))
        if not defer_insert(tenggat):  # inside a step, written with its history rows (``audit.audit_batch``)
            tenggat.save()
    if task.owner_id:
        notify_assigned(task)


def notify_assigned(task: Task) -> None:
    due = getattr(getattr(task, "tenggat", None), "jatuh_tempo", None)
    skp = skp_of_task(task)
    summary = f"{skp.pegawai.nama} ({skp.periode.tahun})" if skp is not None else task.brief
    isi = _("%(task)s — %(summary)s.") % {"task": task.title, "summary": summary}
    if due:
        isi += " " + _("Due %(date)s.") % {"date": local_date(due)}
    known = skp.pegawai if skp is not None and skp.pegawai.user_id == task.owner_id else None
    notify(
        user=task.owner,
        judul=_("New task: %(task)s") % {"task": task.title},
        isi=isi,
        tautan=task_link(task),
        email=known.email if known is not None else None,
    )


def _escalation_targets(task: Task) -> tuple[list, str]:
    """Whom an overdue task goes to: the superior of the person who holds it (or of the employee
    for queued tasks), or the government's admins, per ``KINERJA_ESCALATE_TO``."""
    skp = skp_of_task(task)
    penetapan = getattr(task.process, "penetapan_capaian", None) if skp is None else None
    if skp is None and penetapan is None:
        return [], ""
    instansi_id = skp.pegawai.instansi_id if skp is not None else penetapan.unit.instansi_id
    if settings.KINERJA_ESCALATE_TO == "superior":
        holder = getattr(task.owner, "pegawai", None) if task.owner_id else (skp.pegawai if skp else None)
        superior = org_snapshot(instansi_id).assessor_of(holder) if holder is not None else None
        if superior is not None and superior.user_id and superior.user_id != task.owner_id:
            return [superior.user], superior.nama
    admins = [r.user for r in PeranAdmin.objects.filter(instansi_id=instansi_id).select_related("user")]
    return admins, _("government admins")


def deadlines_sweep(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Send due reminders and escalate overdue tasks, once each."""
    now = now or timezone.now()
    counts = {"reminded": 0, "escalated": 0}
    reminder = dt.timedelta(days=settings.KINERJA_REMINDER_DAYS)
    due_soon = TenggatTugas.objects.filter(task__status__in=OPEN, diingatkan__isnull=True, jatuh_tempo__gt=now).filter(
        Q(ingatkan_pada__isnull=True, jatuh_tempo__lte=now + reminder) | Q(ingatkan_pada__lte=now)
    )
    for deadline in due_soon.select_related("task", "task__owner"):
        with transaction.atomic():
            task = deadline.task
            if task.owner_id:
                notify(
                    user=task.owner,
                    judul=_("Reminder: %(task)s is due on %(date)s")
                    % {"task": task.title, "date": local_date(deadline.jatuh_tempo)},
                    isi=str(task.brief),
                    tautan=task_link(task),
                )
            deadline.diingatkan = now
            deadline.save(update_fields=["diingatkan"])
            counts["reminded"] += 1
    overdue = TenggatTugas.objects.filter(task__status__in=OPEN, dieskalasi__isnull=True, jatuh_tempo__lte=now)
    for deadline in overdue.select_related("task", "task__owner", "task__process"):
        with transaction.atomic():
            task = deadline.task
            targets, label = _escalation_targets(task)
            for user in targets:
                notify(
                    user=user,
                    judul=_("Overdue: %(task)s") % {"task": task.title},
                    isi=_("%(summary)s — due %(date)s, held by %(owner)s.")
                    % {
                        "summary": task.brief,
                        "date": local_date(deadline.jatuh_tempo),
                        "owner": person_name(task.owner) or "—",
                    },
                    tautan=task_link(task),
                )
            deadline.dieskalasi = now
            deadline.dieskalasi_ke = label[:255]
            deadline.save(update_fields=["dieskalasi", "dieskalasi_ke"])
            counts["escalated"] += 1
    return counts


def overdue_tasks(*, instansi_ids, now: dt.datetime | None = None, overdue_only: bool = True):
    """Open tasks with a due date in the given governments: the ones past it (the admins' overdue
    list), or all of them with ``overdue_only=False``."""
    deadlines = TenggatTugas.objects.filter(task__status__in=OPEN)
    if overdue_only:
        deadlines = deadlines.filter(jatuh_tempo__lt=now or timezone.now())
    return (
        deadlines.filter(
            Q(task__process__skp__pegawai__instansi_id__in=instansi_ids)
            | Q(task__process__keberatan__skp__pegawai__instansi_id__in=instansi_ids)
            | Q(task__process__penetapan_capaian__unit__instansi_id__in=instansi_ids)
        )
        .select_related(
            "task__owner__pegawai",
            "task__process__skp__pegawai",
            "task__process__keberatan__skp__pegawai",
            "task__process__penetapan_capaian__unit",
            "task__process__penetapan_capaian__periode",
        )
        .order_by("jatuh_tempo")
    )


def run_timers() -> dict[str, int]:
    """One sweep of everything time-driven: viewflow's due timers, then task deadlines, then the
    SKP of employees whose return from leave or suspension has come (``services.keadaan``)."""
    fired = fire_due_timers()
    return {"timers": fired, **deadlines_sweep(), "capaian": capaian_sweep(), "returns": returns_open()}
