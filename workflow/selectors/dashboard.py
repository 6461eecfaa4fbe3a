"""Reads for the dashboards' charts: progress per step, the predikat distribution against the
pattern's bounds, appeals and overdue tasks per month, one employee's predikat over the periods.

Every figure is counted by the database (``values(...).annotate(Count)``), never row by row, so a
dashboard costs the same few queries for ten employees or ten thousand. Scoping is the caller's
input: an admin's view passes a period of their own government, an assessor's their own team.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone
from viewflow.workflow.status import STATUS

from rules.errors import RuleEvaluationError

from ..domain.distribution import Bound, pattern_bounds
from ..models import HasilPenilaian, Keberatan, Periode, Predikat, Skp, StatusPeriode, StatusSkp, TenggatTugas, Unit
from .aggregates import between_writes, unit_status_counts
from .distribution import units_below
from .inbox import open_tasks_in
from .org import org_snapshot
from .scoring import RuleBook, pattern_for

# The steps of an appraisal in the order it passes them (a closed SKP has no result to reach).
STEPS = [s for s in StatusSkp.values if s != StatusSkp.DITUTUP]
OPEN_TASK = [STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED]


@dataclass
class ProgressRow:
    """One bar of a progress chart: a unit (or a team) and its appraisals per step."""

    unit: Unit | None
    label: str
    per_step: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.per_step.values())

    def steps(self) -> list[int]:
        return [self.per_step.get(s, 0) for s in STEPS]


def step_counts(skps: QuerySet[Skp]) -> dict[str, int]:
    """Appraisals per step (status) among ``skps``: one query."""
    found = skps.exclude(status=StatusSkp.DITUTUP).values("status").annotate(n=Count("pk")).order_by()
    return {row["status"]: row["n"] for row in found}


def _group_by(periode: Periode, groups: dict[int, Unit], own: Unit | None = None) -> list[ProgressRow]:
    """Appraisals of ``periode`` per step, summed per group: each unit of the government maps to
    the group unit above it (or is itself one). One query for the counts; the unit tree is cached."""
    units = org_snapshot(periode.instansi_id).units
    top_of: dict[int, int] = {}
    for pk in units:
        unit, seen = units.get(pk), set()
        while unit is not None and unit.pk not in groups and unit.pk not in seen:
            seen.add(unit.pk)
            unit = units.get(unit.parent_id)
        if unit is not None and unit.pk in groups:
            top_of[pk] = unit.pk
    rows = {pk: ProgressRow(unit=u, label=u.nama) for pk, u in groups.items()}
    for unit_id, status, n in unit_status_counts(periode_id=periode.pk):
        if unit_id in top_of:
            row = rows[top_of[unit_id]]
            row.per_step[status] = row.per_step.get(status, 0) + n
    result = sorted(rows.values(), key=lambda r: r.label)
    if own is not None:  # the unit's own staff (not in a sub-unit) come first
        result.sort(key=lambda r: r.unit is None or r.unit.pk != own.pk)
    return result


def progress_per_opd(*, periode: Periode) -> list[ProgressRow]:
    """Per OPD (each unit right under the government; the government's own unit holds its own
    staff) with appraisals, its appraisals per step: the rows of ``completion_per_opd``."""

    def load():
        opds = Unit.objects.filter(instansi_id=periode.instansi_id, parent__parent__isnull=True)
        return [row for row in _group_by(periode, {u.pk: u for u in opds}) if row.total]

    # the grouping walks every unit of the government: done again only after a write
    return between_writes(("progress_per_opd", periode.pk), load)


def progress_below(*, periode: Periode, unit: Unit) -> list[ProgressRow]:
    """For the drill-down: per unit right under ``unit`` (with everything below it), and ``unit``'s
    own staff as one more row, the appraisals per step."""
    children = {u.pk: u for u in Unit.objects.filter(parent=unit, aktif=True)}
    rows = _group_by(periode, {**children, unit.pk: unit}, own=unit)
    # the unit's own row counts only its own staff: the children are rows of their own
    for row in rows:
        if row.unit is not None and row.unit.pk == unit.pk:
            row.per_step = step_counts(Skp.objects.filter(periode=periode, unit=unit))
    return [r for r in rows if r.total or r.unit.pk != unit.pk]  # no empty "own staff" row


def employees_of(*, periode: Periode, unit: Unit) -> QuerySet[Skp]:
    """The appraisals of ``unit``'s own staff in ``periode`` (for the drill-down's last level)."""
    return (
        Skp.objects.filter(periode=periode, unit=unit)
        .select_related("pegawai", "hasil")
        .order_by("pegawai__nama", "urutan")
    )


@dataclass
class Distribution:
    """The predikat of a group's results against the bounds of the pattern its organisation
    predikat selects (no bounds while that predikat is not recorded)."""

    counts: dict[str, int]
    total: int
    organisasi: str | None = None
    bounds: list[Bound] = field(default_factory=list)

    @property
    def scored(self) -> int:
        return sum(self.counts.values())

    def per_predikat(self) -> list[int]:
        return [self.counts.get(code, 0) for code in Predikat.values]


def predikat_counts(skps: QuerySet[Skp]) -> tuple[dict[str, int], int]:
    """Results per predikat among ``skps`` and how many of them count: two queries."""
    counted = skps.exclude(status=StatusSkp.DITUTUP)
    found = (
        HasilPenilaian.objects.filter(skp__in=counted.values("pk"))
        .values("predikat")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {row["predikat"]: row["n"] for row in found}, counted.count()


def distribution_of(*, skps: QuerySet[Skp], periode: Periode, organisasi: str | None, rounding="terdekat"):
    """The results among ``skps`` against the pattern selected by ``organisasi`` (a
    ``PredikatOrganisasi`` code, or None)."""
    counts, total = predikat_counts(skps)
    return distribution_from(counts=counts, total=total, periode=periode, organisasi=organisasi, rounding=rounding)


def distribution_from(
    *, counts: dict[str, int], total: int, periode: Periode, organisasi: str | None, rounding="terdekat"
) -> Distribution:
    """``distribution_of`` for counts the caller already holds (the home page's team, counted
    with its steps): no query beyond the pattern's rules."""
    found = Distribution(counts=counts, total=total, organisasi=organisasi)
    if organisasi:
        try:
            pattern, _blocking = pattern_for(organisasi, RuleBook(on=periode.tanggal_selesai))
        except RuleEvaluationError:  # no rules in force for the period: the counts alone
            return found
        found.bounds = pattern_bounds(
            counts=counts, total=total, pattern=pattern, complete=found.scored >= total, rounding=rounding
        )
    return found


def unit_skps(*, periode: Periode, unit: Unit) -> QuerySet[Skp]:
    """The appraisals of ``unit`` and every unit under it."""
    return Skp.objects.filter(periode=periode, unit_id__in=units_below(instansi_id=unit.instansi_id, unit_id=unit.pk))


def per_month(rows) -> list[tuple[str, int]]:
    """``(month, n)`` pairs of a ``TruncMonth`` aggregate as ``YYYY-MM`` labels, in order."""
    found: dict[str, int] = {}
    for row in rows:  # TruncMonth truncates in the current time zone (Asia/Jakarta)
        if row["bulan"] is not None:
            key = row["bulan"].strftime("%Y-%m")
            found[key] = found.get(key, 0) + row["n"]
    return sorted(found.items())


def appeals_per_month(skps: QuerySet[Skp]) -> list[tuple[str, int]]:
    """Appeals filed against ``skps`` per month: one query."""
    rows = (
        Keberatan.objects.filter(skp__in=skps.values("pk"))
        .annotate(bulan=TruncMonth("diajukan"))
        .values("bulan")
        .annotate(n=Count("pk"))
        .order_by("bulan")
    )
    return per_month(rows)


def overdue_per_month(skps: QuerySet[Skp]) -> list[tuple[str, int]]:
    """Tasks of ``skps``' appraisals and appeals that went past their due date, per month of the
    due date: finished after it, or still open after it. One query."""
    now = timezone.now()
    rows = (
        TenggatTugas.objects.filter(
            Q(task__process__skp__in=skps.values("pk")) | Q(task__process__keberatan__skp__in=skps.values("pk"))
        )
        .filter(
            Q(task__finished__gt=F("jatuh_tempo"))
            | Q(task__finished__isnull=True, task__status__in=OPEN_TASK, jatuh_tempo__lt=now)
        )
        .annotate(bulan=TruncMonth("jatuh_tempo"))
        .values("bulan")
        .annotate(n=Count("pk", distinct=True))
        .order_by("bulan")
    )
    return per_month(rows)


def over_time(skps: QuerySet[Skp], *, scope: tuple | None = None) -> tuple[list[str], list[int], list[int]]:
    """Months with their appeals and overdue tasks, aligned for one chart (recounted after writes:
    ``aggregates``). ``scope`` names the set of appraisals for the count kept between writes (a
    period's: ``("periode", pk)``); without it, the query's SQL does, compiled for the purpose."""
    key = ("over_time", scope if scope is not None else str(skps.query))
    appeals, overdue = between_writes(key, lambda: (dict(appeals_per_month(skps)), dict(overdue_per_month(skps))))
    months = sorted(set(appeals) | set(overdue))
    return months, [appeals.get(m, 0) for m in months], [overdue.get(m, 0) for m in months]


def predikat_history(*, pegawai_id: int) -> list[dict]:
    """One employee's published results over the periods, oldest first: one query, read again
    only after an audited write (publishing a result and deciding an appeal are: ``aggregates``)."""
    return between_writes(("predikat_history", pegawai_id), lambda: _predikat_history(pegawai_id))


def _predikat_history(pegawai_id: int) -> list[dict]:
    return list(
        HasilPenilaian.objects.filter(
            skp__pegawai_id=pegawai_id, skp__status__in=StatusSkp.reached(StatusSkp.DIPUBLIKASIKAN)
        )
        .values("predikat", tahun=F("skp__periode__tahun"), urutan=F("skp__urutan"))
        .order_by("skp__periode__tahun", "skp__urutan")
    )


def government_counts(*, instansi_ids) -> tuple[list[tuple[int, str, int]], dict[str, int]]:
    """The appraisals of the open periods per government and status, and the open, overdue and
    unassigned tasks: the admin home's summary. The queries scan the whole government, so they
    run again only after an audited write (``between_writes``)."""
    return between_writes(("government", tuple(sorted(instansi_ids))), lambda: _government_counts(instansi_ids))


def _government_counts(instansi_ids) -> tuple[list[tuple[int, str, int]], dict[str, int]]:
    """The appraisals of the open periods per government and status, and the open, overdue and
    unassigned tasks."""
    counts = (
        Skp.objects.filter(periode__instansi_id__in=instansi_ids, periode__status=StatusPeriode.OPEN)
        .values_list("periode__instansi_id", "status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    tasks = (
        open_tasks_in(instansi_ids=instansi_ids)
        .order_by()
        .aggregate(
            open=Count("pk"),
            overdue=Count("pk", filter=Q(tenggat__jatuh_tempo__lt=timezone.now())),
            queue=Count("pk", filter=Q(owner__isnull=True, status=STATUS.NEW)),
        )
    )
    return [tuple(row) for row in counts], tasks
