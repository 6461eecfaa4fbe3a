"""Reads of scoring: the rules in force for an appraisal, what they suggest for the assessor's
ratings, the final ratings, and the assessor's team against the unit's distribution pattern.

``workflow`` hands ``rules`` plain facts; ``rules`` never imports ``workflow``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import rules
from rules.errors import RuleEvaluationError

from ..domain.distribution import distribution_breaches, pattern_bounds
from ..domain.scoring import (
    PREDIKAT_TABLE,
    RULE_SET,
    SUGGESTION_TABLES,
    Suggestion,
    decision_record,
    facts_hasil_kerja,
    facts_perilaku,
)
from ..models import CapaianOrganisasi, HasilPenilaian, JenisJendela, PredikatOrganisasi, Skp, StatusSkp
from .appraisal import rhk_of
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
    """Rules are taken as in force at the end of the appraised period."""
    return skp.periode.tanggal_selesai


def rulebook_for(skp: Skp) -> RuleBook:
    """The rules an appraisal is scored with (the version in force at the end of its period)."""
    return RuleBook(on=scoring_date(skp))


def policy(skp: Skp, book: RuleBook | None = None) -> dict:
    """The ``kebijakan`` table in force at the end of the appraised period (from ``book``, the
    version that scored the appraisal, when the caller has it)."""
    return (book or rulebook_for(skp)).evaluate("kebijakan", {}).outputs


def suggest_ratings(
    *, skp: Skp, rhk_ratings: dict[int, str], perilaku_ratings: dict[str, str], book: RuleBook | None = None
) -> Suggestion:
    """What the rules make of the assessor's ratings: the two suggested ratings."""
    book = book or rulebook_for(skp)
    hk_facts = facts_hasil_kerja({r.pk: r.jenis for r in rhk_of(skp)}, rhk_ratings)
    pr_facts = facts_perilaku(perilaku_ratings)
    hk_table, pr_table = SUGGESTION_TABLES
    hk = book.evaluate(hk_table, hk_facts)
    pr = book.evaluate(pr_table, pr_facts)
    return Suggestion(
        hasil_kerja=hk.outputs["rating"],
        perilaku=pr.outputs["rating"],
        decisions=[decision_record(hk_table, hk), decision_record(pr_table, pr)],
        facts={**hk_facts, **pr_facts},
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
    found = dict(CapaianOrganisasi.objects.filter(periode=periode, unit__in=chain).values_list("unit_id", "predikat"))
    return next((found[pk] for pk in chain if pk in found), None)


def pattern_for(org: str, book: RuleBook) -> tuple[dict, bool]:
    """The distribution pattern the organisation predikat ``org`` selects, and whether the policy
    in force blocks publication on a breach."""
    policy_outputs = book.evaluate("kebijakan", {}).outputs
    pattern = book.evaluate("pola_distribusi", {"predikat_organisasi": org}).outputs
    return pattern, bool(policy_outputs.get("distribusi_memblokir"))


def team_distribution(*, penilai, periode, counts: dict[str, int], total: int, scored: int) -> dict:
    """The assessor's team against the distribution pattern of their unit, for the team page: the
    unit's organisation predikat (None while it is not set), each bound with the team's figure,
    and whether a breach blocks publication or only warns."""
    org = predikat_organisasi_of(periode=periode, instansi_id=penilai.instansi_id, unit_id=penilai.unit_id)
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
        team = Skp.objects.filter(periode_id=skp.periode_id, penilai_id=skp.penilai_id)
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
