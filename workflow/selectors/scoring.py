"""Reads of scoring: the rules in force for an appraisal, what they suggest for the assessor's
ratings, the final ratings, and the assessor's team against the unit's distribution pattern.

``workflow`` hands ``rules`` plain facts; ``rules`` never imports ``workflow``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import rules
from rules.errors import RuleEvaluationError
from rules.models import RuleSetVersion

from ..domain.distribution import distribution_breaches, pattern_bounds
from ..domain.scoring import (
    ANGKA_KREDIT_TABLE,
    ANNUAL_TABLE,
    PIMPINAN_TABLE,
    PREDIKAT_TABLE,
    RULE_SET,
    SUGGESTION_TABLES,
    AnnualPart,
    AnnualPredikat,
    Suggestion,
    credit_points,
    decision_record,
    facts_annual,
    facts_hasil_kerja,
    facts_perilaku,
    months_covered,
)
from ..models import (
    CapaianOrganisasi,
    HasilPenilaian,
    JenisJabatan,
    JenisJendela,
    JenjangFungsional,
    Predikat,
    PredikatOrganisasi,
    Skp,
    StatusSkp,
)
from .appraisal import rhk_of, skps_of_year
from .capaian import recorded_predikats
from .distribution import distribution_policy, distribution_unit, recorded_predikat, unit_results
from .org import org_snapshot


@dataclass
class RuleBook:
    """The published version of the scoring rules in force on ``on``: looked up on first use and
    reused by every table one decision consults (suggestions, predikat, distribution, policy), so
    a result never mixes two versions even if another is published meanwhile."""

    on: dt.date
    version: object | None = None  # rules.models.RuleSetVersion, once looked up

    def evaluate(self, table: str, facts: dict):
        if self.version is None:
            self.version = rules.version_on(RULE_SET, self.on)
        return rules.evaluate_version(self.version, table, facts)


def scoring_date(skp: Skp) -> dt.date:
    """Rules are taken as in force at the end of what the SKP covers: the end of the period, or the
    day before the transfer that closed it."""
    return skp.tanggal_selesai


def rulebook_for(skp: Skp) -> RuleBook:
    """The rules an appraisal is scored with (the version in force at the end of its period)."""
    return RuleBook(on=scoring_date(skp))


def periodic_rulebook(window) -> RuleBook:
    """The rules a periodic review is scored with: the version in force when its window closes."""
    return RuleBook(on=window.ditutup)


def policy(skp: Skp, book: RuleBook | None = None) -> dict:
    """The ``kebijakan`` table in force at the end of the appraised period (from ``book``, the
    version that scored the appraisal, when the caller has it)."""
    return (book or rulebook_for(skp)).evaluate("kebijakan", {}).outputs


def heads_unit(skp: Skp) -> bool:
    """Whether the appraised employee holds the head post of the SKP's unit."""
    head_post = skp.unit.jabatan_kepala_id
    return bool(head_post) and head_post == skp.pegawai.jabatan_id


def predikat_organisasi_dipimpin(skp: Skp) -> str | None:
    """For a unit head: the organisation predikat recorded for THEIR OWN unit in the SKP's period
    (not one inherited from a unit above: the head's rating equals their own unit's achievement);
    None for anyone else, or while it is not recorded."""
    if not heads_unit(skp):
        return None
    return (
        CapaianOrganisasi.objects.filter(periode_id=skp.periode_id, unit_id=skp.unit_id)
        .values_list("predikat", flat=True)
        .first()
    )


def suggest_ratings(
    *, skp: Skp, rhk_ratings: dict[int, str], perilaku_ratings: dict[str, str], book: RuleBook | None = None
) -> Suggestion:
    """What the rules make of the assessor's ratings: the two suggested ratings. For a unit head
    whose unit's organisation predikat is recorded, and while the policy says so, the work-result
    rating follows the organisation (``rating_hasil_kerja_pimpinan``) instead of the RHK ratings;
    the policy also says whether the assessor may depart from it."""
    book = book or rulebook_for(skp)
    hk_facts = facts_hasil_kerja({r.pk: r.jenis for r in rhk_of(skp)}, rhk_ratings)
    pr_facts = facts_perilaku(perilaku_ratings)
    hk_table, pr_table = SUGGESTION_TABLES
    head = unit_head_rating(skp, book)
    if head is not None:
        hk_table, hk = PIMPINAN_TABLE, head.decision
        hk_facts = {**hk_facts, "predikat_organisasi": head.predikat_organisasi, "kepala_unit": True}
    else:
        hk = book.evaluate(hk_table, hk_facts)
    pr = book.evaluate(pr_table, pr_facts)
    return Suggestion(
        hasil_kerja=hk.outputs["rating"],
        perilaku=pr.outputs["rating"],
        decisions=[decision_record(hk_table, hk), decision_record(pr_table, pr)],
        facts={**hk_facts, **pr_facts},
        hasil_kerja_tetap=head is not None and head.tetap,
    )


@dataclass(frozen=True)
class UnitHeadRating:
    """A unit head's work-result rating as the organisation decides it."""

    predikat_organisasi: str
    rating: str
    tetap: bool  # the assessor may not depart from it
    decision: object  # rules.Decision of ``rating_hasil_kerja_pimpinan``


def unit_head_rating(skp: Skp, book: RuleBook | None = None) -> UnitHeadRating | None:
    """For the head of a unit whose own organisation predikat is recorded, while the policy
    (``kebijakan.hasil_kerja_pimpinan_dari_organisasi``) says so: the work-result rating the
    organisation gives, and whether the assessor may depart from it
    (``hasil_kerja_pimpinan_boleh_diubah``); None for anyone else. A version whose policy table
    predates the switch follows the regulation (on, not overridable)."""
    org = predikat_organisasi_dipimpin(skp)
    if org is None:
        return None
    book = book or rulebook_for(skp)
    outputs = policy(skp, book)
    if outputs.get("hasil_kerja_pimpinan_dari_organisasi", True) is False:
        return None
    decision = book.evaluate(PIMPINAN_TABLE, {"predikat_organisasi": org})
    return UnitHeadRating(
        predikat_organisasi=org,
        rating=decision.outputs["rating"],
        tetap=not outputs.get("hasil_kerja_pimpinan_boleh_diubah", False),
        decision=decision,
    )


def predikat_preview(*, skp: Skp, hasil_kerja: str, perilaku: str, book: RuleBook | None = None) -> dict:
    """For the annual review page, before anything is saved: the predikat the two ratings give,
    the breaches of the unit's distribution pattern it would cause and whether those block
    publication (``checked`` is False while the unit's organisation predikat is not set)."""
    book = book or rulebook_for(skp)
    code = book.evaluate(PREDIKAT_TABLE, {"hasil_kerja": hasil_kerja, "perilaku": perilaku}).outputs["predikat"]
    checked = team_breaches(skp=skp, predikat=code, book=book)
    breaches, blocking = checked or ([], False)
    return {"predikat": code, "breaches": breaches, "blocking": blocking, "checked": checked is not None}


def final_ratings(skp: Skp) -> tuple[dict[int, str], dict[str, str]]:
    """The ratings of the annual review: per RHK and per behaviour value."""
    evaluasi = skp.evaluasi_set.filter(jendela__jenis=JenisJendela.AKHIR).first()
    if evaluasi is None:
        return {}, {}
    return (
        dict(evaluasi.realisasi_set.values_list("rhk_id", "rating")),
        dict(evaluasi.perilaku_set.values_list("nilai", "rating")),
    )


# --- distribution pattern (SE MenPANRB 3/2023) -------------------------------------------------


def predikat_organisasi_of(*, periode, instansi_id: int, unit_id: int | None) -> str | None:
    """The organisation predikat set for ``unit_id`` in ``periode``, or for the nearest unit above it."""
    units = org_snapshot(instansi_id).units
    chain, unit = [], units.get(unit_id)
    while unit is not None and unit.pk not in chain:
        chain.append(unit.pk)
        unit = units.get(unit.parent_id)
    found = recorded_predikats(periode_id=periode.pk, unit_ids=chain)
    return next((found[pk] for pk in chain if found[pk] is not None), None)


def pattern_for(org: str, book: RuleBook) -> tuple[dict, bool]:
    """The distribution pattern the organisation predikat ``org`` selects, and whether the policy
    in force blocks publication on a breach."""
    policy_outputs = book.evaluate("kebijakan", {}).outputs
    pattern = book.evaluate("pola_distribusi", {"predikat_organisasi": org}).outputs
    return pattern, bool(policy_outputs.get("distribusi_memblokir"))


def team_distribution(
    *, penilai, periode, counts: dict[str, int], total: int, scored: int, unit_id: int | None = None
) -> dict:
    """The assessor's team against the distribution pattern of their unit, for the team page: the
    unit's organisation predikat (None while it is not set), each bound with the team's figure,
    and whether a breach blocks publication or only warns. ``unit_id``: the assessor's unit when
    it is not today's (a document reads the SKP's snapshot)."""
    unit_id = unit_id or penilai.unit_id
    org = predikat_organisasi_of(periode=periode, instansi_id=penilai.instansi_id, unit_id=unit_id)
    if org is None:
        return {"organisasi": None, "bounds": [], "blocking": False}
    label = dict(PredikatOrganisasi.choices).get(org, org)
    try:
        pattern, blocking = pattern_for(org, RuleBook(on=periode.tanggal_selesai))
    except RuleEvaluationError as exc:  # no rules in force for the period: say so instead of failing
        return {"organisasi": label, "bounds": [], "blocking": False, "error": str(exc)}
    return {
        "organisasi": label,
        "bounds": pattern_bounds(counts=counts, total=total, pattern=pattern, complete=scored >= total),
        "blocking": blocking,
    }


def team_breaches(*, skp: Skp, predikat: str, book: RuleBook) -> tuple[list[str], bool] | None:
    """Breaches of the distribution pattern by the results ``skp`` is counted with once this result
    counts, and whether the policy in force blocks publication on a breach; None while the
    organisation predikat is not set (nothing to check against). The group is the assessor's team
    or the unit at ``kebijakan.tingkat_distribusi`` (whose own recorded predikat then counts)."""
    rules_policy = distribution_policy(book.evaluate("kebijakan", {}).outputs)
    unit = distribution_unit(skp=skp, tingkat=rules_policy.tingkat)
    if unit is None:
        org = predikat_organisasi_of(
            periode=skp.periode,
            instansi_id=skp.pegawai.instansi_id,
            unit_id=skp.penilai.unit_id if skp.penilai_id else skp.unit_id,
        )
        team = Skp.objects.filter(periode_id=skp.periode_id, penilai_id=skp.penilai_id).exclude(
            status=StatusSkp.DITUTUP
        )
    else:
        org = recorded_predikat(periode=skp.periode, unit=unit)
        team = unit_results(periode=skp.periode, unit=unit)
    if org is None:
        return None
    pattern, blocking = pattern_for(org, book)
    counts: dict[str, int] = {predikat: 1}
    scored = 1
    for p in HasilPenilaian.objects.filter(skp__in=team).exclude(skp=skp).values_list("predikat", flat=True):
        counts[p] = counts.get(p, 0) + 1
        scored += 1
    total = team.count()
    breaches = distribution_breaches(
        counts=counts, total=total, pattern=pattern, complete=scored >= total, rounding=rules_policy.pembulatan
    )
    return breaches, blocking and not rules_policy.calibrated


def result_may_be_published(skp: Skp) -> bool:
    """Whether the scored result may be published: scoring kept it in the annual review
    (``EVALUASI_AKHIR``) when the distribution policy blocks a breach; under the warn policy a
    breach is only recorded on the result."""
    return skp.status == StatusSkp.DINILAI


# --- the year's predikat of several SKP (transfers, appointments) -------------------------------


def annual_predikat(*, pegawai_id: int, periode, skps: list[Skp] | None = None) -> AnnualPredikat | None:
    """The year's predikat of an employee with several SKP in ``periode`` (None with one SKP:
    its own predikat is the year's). The SKP are compared in order by the rule table
    ``predikat_tahunan`` (the one chosen so far against the next); an SKP closed without a result
    takes no part. Evaluated with the version that scored the year's last SKP (when it has the
    table; else the version in force at the period's end), so the answer does not move with later
    edits of the rules. ``skps``: the employee's SKP of the period in order, when the caller has
    read them (``skps_of_years`` reads them for many employees at once)."""
    if skps is None:
        skps = skps_of_year(pegawai_id=pegawai_id, periode_id=periode.pk)
    if len(skps) < 2:
        return None
    published = set(StatusSkp.reached(StatusSkp.DIPUBLIKASIKAN))
    parts = []
    for skp in skps:
        hasil = getattr(skp, "hasil", None)
        parts.append(
            AnnualPart(
                skp=skp,
                months=round(months_covered(skp.tanggal_mulai, skp.tanggal_selesai), 1),
                predikat=hasil.predikat if hasil is not None and skp.status in published else "",
                counts=skp.status != StatusSkp.DITUTUP,
            )
        )
    counted = [part for part in parts if part.counts]
    annual = AnnualPredikat(tahun=periode.tahun, parts=parts, pending=[p.skp for p in counted if not p.predikat])
    if annual.pending or not counted:
        return annual
    chosen = counted[0]
    try:
        version = _annual_version(counted[-1].skp, periode)
        for later in counted[1:]:
            facts = facts_annual(earlier=(chosen.months, chosen.predikat), later=(later.months, later.predikat))
            decision = rules.evaluate_version(version, ANNUAL_TABLE, facts)
            annual.decisions.append(
                decision_record(ANNUAL_TABLE, decision, sebelumnya=chosen.skp.urutan, kemudian=later.skp.urutan)
            )
            if decision.outputs["pilih"] == "kemudian":
                chosen = later
    except RuleEvaluationError as exc:  # no rules in force, or a version without the table: say so
        annual.error = str(exc)
        return annual
    annual.predikat, annual.decisive = chosen.predikat, chosen.skp
    return annual


def _annual_version(skp: Skp, periode):
    trace = getattr(getattr(skp, "hasil", None), "trace", None) or []
    version = next(
        (d.get("version") or {} for d in trace if isinstance(d, dict) and d.get("table") == PREDIKAT_TABLE), {}
    )
    version_id = version.get("id")
    if version_id and ANNUAL_TABLE in rules.table_specs(version_id, version.get("hash") or ""):
        return rules.version_by_id(version_id)  # read once per request however many employees
    return rules.version_on(RULE_SET, periode.tanggal_selesai)


# --- credit points of functional officials (shared/domain.md §7) -------------------------------


@dataclass(frozen=True)
class AngkaKreditSkp:
    """The credit points one scored SKP earns: the level's yearly coefficient × the predikat's
    percentage (table ``angka_kredit`` of the version that scored the result) × months / 12."""

    skp_id: int
    tanggal_mulai: dt.date
    tanggal_selesai: dt.date
    jenjang: str
    predikat: str
    koefisien: float
    persentase: float
    bulan: float
    angka_kredit: float
    versi: str  # the rule version that decided, as people read it

    @property
    def jenjang_label(self) -> str:
        return str(dict(JenjangFungsional.choices).get(self.jenjang, self.jenjang))

    @property
    def predikat_label(self) -> str:
        return str(dict(Predikat.choices).get(self.predikat, self.predikat))


@dataclass(frozen=True)
class AngkaKredit:
    """The credit points of an employee's year: one line per scored SKP as a functional official
    (several after a mid-year transfer), and their sum."""

    total: float
    rincian: tuple[AngkaKreditSkp, ...]


def _scoring_version_id(hasil: HasilPenilaian) -> int | None:
    """The rule version that gave the result's (last) predikat, from its stored trace."""
    records = [d for d in hasil.trace or [] if isinstance(d, dict) and d.get("table") == PREDIKAT_TABLE]
    return next((vid for d in reversed(records) if (vid := (d.get("version") or {}).get("id"))), None)


def credit_points_of_skp(skp: Skp, *, versions: dict | None = None) -> AngkaKreditSkp | None:
    """The credit points of one SKP, or None when it has no result or was not held as a functional
    official with a level. ``versions``: a cache of rule versions by id, for many SKPs in a row."""
    hasil = getattr(skp, "hasil", None)
    if hasil is None or skp.jabatan_jenis != JenisJabatan.FUNGSIONAL or not skp.jabatan_jenjang:
        return None
    versions = {} if versions is None else versions
    vid = _scoring_version_id(hasil)
    if vid is None:
        return None
    if vid not in versions:
        versions[vid] = rules.version_by_id(vid)
        if versions[vid] is None:
            raise RuleSetVersion.DoesNotExist(f"RuleSetVersion {vid}")
    decision = rules.evaluate_version(
        versions[vid], ANGKA_KREDIT_TABLE, {"jenjang": skp.jabatan_jenjang, "predikat": hasil.predikat}
    )
    koefisien, persentase = float(decision.outputs["koefisien"]), float(decision.outputs["persentase"])
    bulan = months_covered(skp.tanggal_mulai, skp.tanggal_selesai)
    return AngkaKreditSkp(
        skp_id=skp.pk,
        tanggal_mulai=skp.tanggal_mulai,
        tanggal_selesai=skp.tanggal_selesai,
        jenjang=skp.jabatan_jenjang,
        predikat=hasil.predikat,
        koefisien=koefisien,
        persentase=persentase,
        bulan=bulan,
        angka_kredit=credit_points(koefisien=koefisien, persentase=persentase, months=bulan),
        versi=str(decision.version),
    )


def credit_points_of(
    *,
    pegawai_id: int,
    periode_id: int,
    published_only: bool = False,
    versions: dict | None = None,
    skps: list[Skp] | None = None,
) -> AngkaKredit | None:
    """The credit points of an employee's year: computed per scored SKP of the period and added
    up (an employee transferred mid-year has several SKPs); None when no SKP of the period earns
    any (not a functional official, or not scored yet). ``published_only``: count only published
    results (what the employee may see). Exports call this per employee (pass one ``versions``
    dict for the whole export). ``skps``: the year's SKP with their results as ``skps_of_year``
    reads them, when the caller has them already (the appraisal page)."""
    versions = {} if versions is None else versions
    if skps is not None:
        skps = sorted(
            (
                skp
                for skp in skps
                if getattr(skp, "hasil", None) is not None
                and (not published_only or skp.hasil.dipublikasikan is not None)
            ),
            key=lambda skp: (skp.urutan, skp.tanggal_mulai),
        )
    else:
        skps = Skp.objects.filter(pegawai_id=pegawai_id, periode_id=periode_id, hasil__isnull=False)
        if published_only:
            skps = skps.filter(hasil__dipublikasikan__isnull=False)
        skps = skps.select_related("hasil").order_by("urutan", "tanggal_mulai")
    lines = tuple(line for skp in skps if (line := credit_points_of_skp(skp, versions=versions)) is not None)
    if not lines:
        return None
    return AngkaKredit(total=sum(line.angka_kredit for line in lines), rincian=lines)
