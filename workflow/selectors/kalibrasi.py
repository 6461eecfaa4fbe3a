"""Reads of calibration (kalibrasi): who may calibrate a unit, the unit's results against the
distribution pattern, and the calibrations waiting for a user."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from rules.errors import RuleEvaluationError

from ..domain.distribution import Bound, pattern_bounds
from ..models import (
    HasilPenilaian,
    Kalibrasi,
    Periode,
    Predikat,
    PredikatOrganisasi,
    Skp,
    StatusSkp,
    TingkatDistribusi,
    TugasKalibrasi,
    Unit,
)
from ..models.org import Pegawai
from .aggregates import between_writes
from .capaian import unit_heads
from .distribution import DistributionPolicy, distribution_policy, distribution_unit, recorded_predikat, unit_results
from .org import admin_instansi_ids, org_snapshot, pegawai_of
from .scoring import RuleBook, pattern_for


def period_policy(periode: Periode) -> DistributionPolicy:
    """The distribution and publication policy of the rules in force at the end of ``periode``
    (with no rules in force nothing can be scored: the one-by-one defaults)."""
    try:
        return distribution_policy(RuleBook(on=periode.tanggal_selesai).evaluate("kebijakan", {}).outputs)
    except RuleEvaluationError:
        return distribution_policy({})


def calibration_required(skp: Skp) -> bool:
    """Whether ``skp``'s scored result waits for its unit's calibration (``publikasi``)."""
    return period_policy(skp.periode).calibrated


def is_calibrator(user, unit: Unit) -> bool:
    """The head (or acting head) of ``unit`` or an admin of its government."""
    if not user.is_authenticated:
        return False
    if unit.instansi_id in admin_instansi_ids(user):
        return True
    me = pegawai_of(user)
    return me is not None and me in unit_heads(org_snapshot(unit.instansi_id), unit)


def may_change(user, skp: Skp) -> bool:
    """Separation of duties: nobody calibrates their own result (the unit head's row is changed by
    an admin); the admin may change every row of their government."""
    if skp.pegawai.instansi_id in admin_instansi_ids(user):
        return True
    me = pegawai_of(user)
    return me is None or me.pk != skp.pegawai_id


@dataclass
class CalibrationView:
    """One unit's calibration page: each result, the pattern's bounds against the counts."""

    periode: Periode
    unit: Unit
    kalibrasi: Kalibrasi | None
    policy: DistributionPolicy
    organisasi: str | None
    rows: list = field(default_factory=list)  # (skp, hasil or None, waiting); empty in a summary
    bounds: list[Bound] = field(default_factory=list)
    total: int = 0
    scored: int = 0
    counts: dict[str, int] = field(default_factory=dict)  # predikat -> scored results

    @property
    def waiting(self) -> int:
        return sum(1 for _skp, _hasil, waiting in self.rows if waiting)

    @property
    def breaches(self) -> list[Bound]:
        return [b for b in self.bounds if not b.ok]

    @property
    def per_predikat(self) -> list[tuple[str, int, int]]:
        """Each predikat with how many of the unit's scored results have it and the share (%)."""
        counts = self.counts
        return [
            (label, counts.get(code, 0), round(100 * counts.get(code, 0) / self.scored) if self.scored else 0)
            for code, label in Predikat.choices
        ]

    @property
    def tingkat_label(self) -> str:
        return dict(TingkatDistribusi.choices).get(self.policy.tingkat, self.policy.tingkat)

    @property
    def organisasi_label(self) -> str | None:
        return dict(PredikatOrganisasi.choices).get(self.organisasi, self.organisasi) if self.organisasi else None


def _unit_counts(periode: Periode, unit: Unit) -> tuple[int, dict[str, int]]:
    """How many results count with ``unit``, and the scored ones per predikat: two counts in the
    database, kept between writes (an OPD's unit holds thousands of results)."""

    def load():
        skps = unit_results(periode=periode, unit=unit)
        per_predikat = (
            HasilPenilaian.objects.filter(skp__in=skps.values("pk")).values_list("predikat").annotate(n=Count("pk"))
        )
        return skps.count(), dict(per_predikat.order_by())

    return between_writes(("unit_counts", periode.pk, unit.pk), load)


def calibration_of(*, periode: Periode, unit: Unit, with_rows: bool = True) -> CalibrationView:
    """One unit's calibration: every result with its row (the calibration page), or only the
    counts (``with_rows=False``: the team page's summary, whatever the unit's size)."""
    policy = period_policy(periode)
    if with_rows:
        skps = list(
            unit_results(periode=periode, unit=unit)
            .select_related("pegawai", "pegawai__jabatan")
            .order_by("pegawai__nama")
        )
        results = {h.skp_id: h for h in HasilPenilaian.objects.filter(skp__in=[s.pk for s in skps])}
        rows = [(s, results.get(s.pk), s.status == StatusSkp.DINILAI and s.pk in results) for s in skps]
        counts: dict[str, int] = {}
        for hasil in results.values():
            counts[hasil.predikat] = counts.get(hasil.predikat, 0) + 1
        total = len(skps)
    else:
        rows = []
        total, counts = _unit_counts(periode, unit)

    def kalibrasi():
        # one per period and unit: no ordering (the model's joins the period and government)
        return (Kalibrasi.objects.filter(periode=periode, unit=unit).order_by().first(),)

    view = CalibrationView(
        periode=periode,
        unit=unit,
        # the team page's summary keeps it between writes, as its counts (a 1-tuple: None is a row too)
        kalibrasi=(kalibrasi() if with_rows else between_writes(("kalibrasi", periode.pk, unit.pk), kalibrasi))[0],
        policy=policy,
        organisasi=recorded_predikat(periode=periode, unit=unit),
        rows=rows,
        total=total,
        scored=sum(counts.values()),
        counts=counts,
    )
    if view.organisasi is not None:
        try:
            pattern, _blocking = pattern_for(view.organisasi, RuleBook(on=periode.tanggal_selesai))
        except RuleEvaluationError:
            return view
        view.bounds = pattern_bounds(
            counts=counts,
            total=total,
            pattern=pattern,
            complete=view.scored >= total,
            rounding=policy.pembulatan,
        )
    return view


def level_distribution(*, periode: Periode, skps: list[Skp]) -> list[CalibrationView]:
    """For the team page: the distribution at the level the policy names
    (``kebijakan.tingkat_distribusi``) — each unit the team's results are counted with, with every
    result of that unit against its own recorded organisation predikat. Empty at the assessor's
    team level (the team itself is the group then)."""
    policy = period_policy(periode)
    if policy.tingkat == TingkatDistribusi.TIM_PENILAI:
        return []
    units: dict[int, Unit] = {}
    seen_units: set[int] = set()
    for skp in skps:  # one look-up per unit of the team, not per person
        if skp.status == StatusSkp.DITUTUP or skp.unit_id in seen_units:
            continue
        seen_units.add(skp.unit_id)
        unit = distribution_unit(skp=skp, tingkat=policy.tingkat)
        if unit is not None:
            units.setdefault(unit.pk, unit)
    return [calibration_of(periode=periode, unit=unit, with_rows=False) for unit in units.values()]


def breach_messages(bounds: list[Bound]) -> list[str]:
    """Each breached bound in words with how many people it is off by."""
    return [
        _("%(rule)s — %(have)d now, %(off)d too many.") % {"rule": b.rule, "have": b.have, "off": b.off_by}
        if b.kind == "max"
        else _("%(rule)s — %(have)d now, %(off)d too few.") % {"rule": b.rule, "have": b.have, "off": b.off_by}
        for b in bounds
        if not b.ok
    ]


def calibrations_for(user) -> list[tuple[Periode, Unit, int]]:
    """The units whose results wait for calibration and that ``user`` may calibrate, with how many
    results wait: the admin's government's, or the units the user heads."""
    if not user.is_authenticated:
        return []
    admin_of = admin_instansi_ids(user)
    me = pegawai_of(user)
    instansi = set(admin_of) | ({me.instansi_id} if me is not None else set())
    waiting = (
        Skp.objects.filter(
            status=StatusSkp.DINILAI,
            hasil__isnull=False,
            periode__instansi_id__in=instansi,
        )
        .select_related("periode", "pegawai")
        .order_by("periode_id")
    )
    found: dict[tuple[int, int], list] = {}
    policies: dict[int, DistributionPolicy] = {}
    for skp in waiting:
        policy = policies.get(skp.periode_id) or policies.setdefault(skp.periode_id, period_policy(skp.periode))
        unit = distribution_unit(skp=skp, tingkat=policy.tingkat) if policy.calibrated else None
        if unit is None or not (unit.instansi_id in admin_of or is_calibrator(user, unit)):
            continue
        entry = found.setdefault((skp.periode_id, unit.pk), [skp.periode, unit, 0])
        entry[2] += 1
    return [tuple(v) for v in found.values()]


# --- the calibration task (``flows.KalibrasiFlow``) -------------------------------------------


def calibration_unit(skp: Skp) -> Unit | None:
    """The unit whose calibration ``skp``'s scored result waits for (the distribution level of the
    rules in force at the end of its period), or None when results are published one by one."""
    policy = period_policy(skp.periode)
    return distribution_unit(skp=skp, tingkat=policy.tingkat) if policy.calibrated else None


def calibrator_of(unit: Unit) -> Pegawai | None:
    """Who gets the calibration task of ``unit``: the acting head (Plt/Plh) standing in, else the
    holder of its head post; None for a vacant head post (the admins' queue then)."""
    snap = org_snapshot(unit.instansi_id)
    if not unit.jabatan_kepala_id:
        return None
    return snap.acting.get(unit.jabatan_kepala_id) or snap.holders.get(unit.jabatan_kepala_id)


def tugas_of_process(process) -> TugasKalibrasi | None:
    return getattr(process, "tugas_kalibrasi", None)


def can_view_tugas(user, tugas: TugasKalibrasi) -> bool:
    """Whoever may calibrate the unit (its head, acting head, the admins of its government) and
    whoever holds or held a task of it."""
    if not user.is_authenticated:
        return False
    if is_calibrator(user, tugas.kalibrasi.unit):
        return True
    return bool(tugas.process_id) and tugas.process.task_set.filter(owner=user).exists()


def tugas_visible_to(user):
    """The calibration tasks ``user`` may see (lists): an admin their government's, anyone the ones
    whose task they hold or held."""
    if not user.is_authenticated:
        return TugasKalibrasi.objects.none()
    condition = Q(kalibrasi__unit__instansi_id__in=admin_instansi_ids(user)) | Q(process__task__owner=user)
    return TugasKalibrasi.objects.filter(condition).distinct()
