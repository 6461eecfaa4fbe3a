"""Scoring an appraisal with the published rules (the ``rules`` app), checking the unit's
distribution pattern, and publishing (the explanation of a result is ``workflow.explanation``).

``workflow`` hands ``rules`` plain facts; ``rules`` never imports ``workflow``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from math import floor

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import (
    AuditAction,
    CapaianOrganisasi,
    HasilPenilaian,
    JenisJendela,
    JenisRhk,
    NilaiPerilaku,
    Predikat,
    PredikatOrganisasi,
    Rating,
    Skp,
    StatusSkp,
)
from .services.audit import audit_record
from .services.system import system_user

RULE_SET = "penilaian-kinerja"
# The tables the workflow consults: each rating table suggests one of the two ratings (its output
# ``rating``), which the assessor may depart from with a reason; the predikat table gives the predikat.
SUGGESTION_TABLES = {"rating_hasil_kerja": "hasil_kerja", "rating_perilaku": "perilaku"}
PREDIKAT_TABLE = "predikat_kinerja"


def evaluate_rule(table: str, facts: dict, on: dt.date, skp: Skp | None = None):
    """Evaluate one table of the version in force on ``on``. With ``skp``, the version is looked up
    once for that appraisal's scoring and reused by every table it consults (suggestions, predikat,
    distribution), so one result never mixes two versions."""
    import rules

    if skp is None:
        return rules.evaluate(RULE_SET, table, facts, on=on)
    versions = skp.__dict__.setdefault("_rule_versions", {})
    if on not in versions:
        versions[on] = rules.version_on(RULE_SET, on)
    return rules.evaluate_version(versions[on], table, facts)


def _decision_record(table: str, decision) -> dict:
    return {"table": table, "version_label": str(decision.version), **decision.to_dict()}


def scoring_date(skp: Skp) -> dt.date:
    """Rules are taken as in force at the end of the appraised period."""
    return skp.periode.tanggal_selesai


def facts_hasil_kerja(skp: Skp, rhk_ratings: dict[int, str]) -> dict:
    from .services.appraisal import rhk_of

    jenis = {r.pk: r.jenis for r in rhk_of(skp)}
    total = len(jenis) or 1
    ratings = [rhk_ratings.get(pk, "") for pk in jenis]
    return {
        "porsi_rhk_di_atas": sum(r == Rating.DI_ATAS for r in ratings) / total,
        "porsi_rhk_di_bawah": sum(r == Rating.DI_BAWAH for r in ratings) / total,
        "rhk_utama_di_bawah": sum(
            rhk_ratings.get(pk) == Rating.DI_BAWAH for pk, j in jenis.items() if j == JenisRhk.UTAMA
        ),
    }


def facts_perilaku(perilaku_ratings: dict[str, str]) -> dict:
    values = [perilaku_ratings.get(v, "") for v in NilaiPerilaku.values]
    return {
        "perilaku_di_atas": sum(r == Rating.DI_ATAS for r in values),
        "perilaku_di_bawah": sum(r == Rating.DI_BAWAH for r in values),
    }


@dataclass
class Suggestion:
    hasil_kerja: str
    perilaku: str
    decisions: list[dict] = field(default_factory=list)
    facts: dict = field(default_factory=dict)


def suggest_ratings(*, skp: Skp, rhk_ratings: dict[int, str], perilaku_ratings: dict[str, str]) -> Suggestion:
    """What the rules make of the assessor's ratings: the two suggested ratings."""
    on = scoring_date(skp)
    hk_facts, pr_facts = facts_hasil_kerja(skp, rhk_ratings), facts_perilaku(perilaku_ratings)
    hk_table, pr_table = SUGGESTION_TABLES
    hk = evaluate_rule(hk_table, hk_facts, on, skp)
    pr = evaluate_rule(pr_table, pr_facts, on, skp)
    return Suggestion(
        hasil_kerja=hk.outputs["rating"],
        perilaku=pr.outputs["rating"],
        decisions=[_decision_record(hk_table, hk), _decision_record(pr_table, pr)],
        facts={**hk_facts, **pr_facts},
    )


def predikat_preview(*, skp: Skp, hasil_kerja: str, perilaku: str) -> dict:
    """For the annual review page, before anything is saved: the predikat the two ratings give,
    the breaches of the unit's distribution pattern it would cause and whether those block
    publication (``checked`` is False while the unit's organisation predikat is not set)."""
    on = scoring_date(skp)
    code = evaluate_rule(PREDIKAT_TABLE, {"hasil_kerja": hasil_kerja, "perilaku": perilaku}, on, skp)
    code = code.outputs["predikat"]
    checked = _distribution(skp, code, on)
    breaches, blocking = checked or ([], False)
    return {"predikat": code, "breaches": breaches, "blocking": blocking, "checked": checked is not None}


def final_ratings(skp: Skp) -> tuple[dict[int, str], dict[str, str]]:
    evaluasi = skp.evaluasi_set.filter(jendela__jenis=JenisJendela.AKHIR).first()
    if evaluasi is None:
        return {}, {}
    return (
        dict(evaluasi.realisasi_set.values_list("rhk_id", "rating")),
        dict(evaluasi.perilaku_set.values_list("nilai", "rating")),
    )


@transaction.atomic(savepoint=False)
def appraisal_score(*, skp: Skp) -> HasilPenilaian:
    """Compute the predikat from the final ratings with the rule version in force for the period,
    and store it with the facts and the trace of every table consulted."""
    from .services.appraisal import rhk_of

    on = scoring_date(skp)
    rhk_ratings, perilaku_ratings = getattr(skp, "_final_ratings", None) or final_ratings(skp)
    suggestion = getattr(skp, "_suggestion", None) or suggest_ratings(
        skp=skp, rhk_ratings=rhk_ratings, perilaku_ratings=perilaku_ratings
    )
    hk = skp.rating_hasil_kerja or suggestion.hasil_kerja
    pr = skp.rating_perilaku or suggestion.perilaku
    predikat = evaluate_rule(PREDIKAT_TABLE, {"hasil_kerja": hk, "perilaku": pr}, on, skp)
    hasil = HasilPenilaian.objects.filter(skp=skp).first() or HasilPenilaian(skp=skp)
    hasil.rating_hasil_kerja, hasil.rating_perilaku = hk, pr
    hasil.predikat = predikat.outputs["predikat"]
    hasil.rule_set, hasil.rule_version = RULE_SET, str(predikat.version.number)
    hasil.trace = [*suggestion.decisions, _decision_record(PREDIKAT_TABLE, predikat)]
    hasil.fakta = {
        **suggestion.facts,
        "hasil_kerja": hk,
        "perilaku": pr,
        "hasil_kerja_saran": suggestion.hasil_kerja,
        "perilaku_saran": suggestion.perilaku,
        "jumlah_rhk": len(rhk_of(skp)),
        "rhk_di_atas": sum(r == Rating.DI_ATAS for r in rhk_ratings.values()),
        "rhk_di_bawah": sum(r == Rating.DI_BAWAH for r in rhk_ratings.values()),
    }
    breaches, blocking = _distribution(skp, hasil.predikat, on) or ([str(NOT_CHECKED)], False)
    hasil.peringatan_distribusi = " ".join(breaches)
    hasil._history_user = skp._history_user = system = skp._system_user = system_user()  # the rules score
    hasil.save()
    skp._distribution_blocks = bool(breaches) and blocking
    before = {"status": skp.status}
    skp.status = StatusSkp.EVALUASI_AKHIR if skp._distribution_blocks else StatusSkp.DINILAI
    skp.save(update_fields=["status", "diubah"])
    audit_record(
        action=AuditAction.APPRAISAL_SCORED,
        obj=skp,
        by=system,
        before=before,
        after={
            "status": skp.status,
            "predikat": hasil.predikat,
            "rating_hasil_kerja": hk,
            "rating_perilaku": pr,
            "rule_set": hasil.rule_set,
            "rule_version": hasil.rule_version,
            "distribution_warning": hasil.peringatan_distribusi,
        },
    )
    return hasil


# --- distribution pattern (SE MenPANRB 3/2023) -------------------------------------------------


NOT_CHECKED = gettext_lazy(
    "The organisation predikat of the unit is not set yet, so the distribution pattern was not checked."
)


def predikat_organisasi_of(*, periode, instansi_id: int, unit_id: int | None) -> str | None:
    """The organisation predikat set for ``unit_id`` in ``periode``, or for the nearest unit above it."""
    from .selectors.org import org_snapshot

    units = org_snapshot(instansi_id).units
    chain, unit = [], units.get(unit_id)
    while unit is not None and unit.pk not in chain:
        chain.append(unit.pk)
        unit = units.get(unit.parent_id)
    found = dict(CapaianOrganisasi.objects.filter(periode=periode, unit__in=chain).values_list("unit_id", "predikat"))
    return next((found[pk] for pk in chain if pk in found), None)


@dataclass(frozen=True)
class Bound:
    """One bound of a distribution pattern, with where the team stands against it."""

    predikat: str  # the predikat (or several, joined) the bound counts, by name
    kind: str  # "min" or "max"
    limit: int  # in people, shares rounded to the nearest whole person
    share: float | None  # the bound as a share of the team, when the pattern gives a share
    have: int
    judged: bool  # a minimum is judged only once the whole team is scored

    @property
    def ok(self) -> bool:
        if self.kind == "max":
            return self.have <= self.limit
        return not self.judged or self.have >= self.limit

    @property
    def rule(self) -> str:
        """The bound in words, e.g. "Baik: at most 70 % (2 people)"."""
        params = {"predikat": self.predikat, "limit": self.limit}
        if self.share is None:
            text = _("%(predikat)s: at least %(limit)d people") if self.kind == "min" else _(
                "%(predikat)s: at most %(limit)d people"
            )
            return text % params
        params["pct"] = f"{self.share * 100:g}"
        text = _("%(predikat)s: at least %(pct)s %% (%(limit)d people)") if self.kind == "min" else _(
            "%(predikat)s: at most %(pct)s %% (%(limit)d people)"
        )
        return text % params


def pattern_bounds(*, counts: dict[str, int], total: int, pattern: dict, complete: bool) -> list[Bound]:
    """The bounds of ``pattern`` that constrain a team of ``total`` with ``counts`` per predikat.
    Keys read ``min_<group>`` or ``max_<group>`` (a share of the team) and ``min_orang_<group>``
    (a number of people), where a group is one predikat code or several joined by ``_atau_``.
    Shares are rounded to the nearest whole person; bounds that allow anything (a minimum of 0, a
    maximum of the whole team) are left out."""
    labels = dict(Predikat.choices)
    bounds = []
    for key, value in pattern.items():
        kind, _sep, group = key.partition("_")
        if kind not in ("min", "max") or value is None:
            continue
        people = group.startswith("orang_")
        codes = group.removeprefix("orang_").split("_atau_")
        if not all(code in labels for code in codes):
            continue
        share = None if people else float(value)
        if (kind == "min" and float(value) <= 0) or (kind == "max" and share is not None and share >= 1):
            continue
        bounds.append(
            Bound(
                predikat=" / ".join(str(labels[code]) for code in codes),
                kind=kind,
                limit=int(value) if people else floor(share * total + 0.5),
                share=share,
                have=sum(counts.get(code, 0) for code in codes),
                judged=kind == "max" or complete,
            )
        )
    return bounds


def distribution_breaches(*, counts: dict[str, int], total: int, pattern: dict, complete: bool) -> list[str]:
    """Messages for each bound of ``pattern`` the counts break (see ``pattern_bounds``); lower
    bounds count only once the whole team is scored (a team half rated cannot meet its minimums yet)."""
    messages = []
    for bound in pattern_bounds(counts=counts, total=total, pattern=pattern, complete=complete):
        if bound.ok:
            continue
        params = {"predikat": bound.predikat, "have": bound.have, "total": total, "limit": bound.limit}
        if bound.kind == "max":
            messages.append(_("%(predikat)s: %(have)d of %(total)d employees, at most %(limit)d allowed.") % params)
        else:
            messages.append(_("%(predikat)s: %(have)d of %(total)d employees, at least %(limit)d required.") % params)
    return messages


def pattern_for(org: str, on: dt.date, skp: Skp | None = None) -> tuple[dict, bool]:
    """The distribution pattern the organisation predikat ``org`` selects, and whether the policy
    in force blocks publication on a breach."""
    policy = evaluate_rule("kebijakan", {}, on, skp).outputs
    pattern = evaluate_rule("pola_distribusi", {"predikat_organisasi": org}, on, skp).outputs
    return pattern, bool(policy.get("distribusi_memblokir"))


def team_distribution(*, penilai, periode, counts: dict[str, int], total: int, scored: int) -> dict:
    """The assessor's team against the distribution pattern of their unit, for the team page: the
    unit's organisation predikat (None while it is not set), each bound with the team's figure,
    and whether a breach blocks publication or only warns."""
    from rules.errors import RuleEvaluationError

    org = predikat_organisasi_of(periode=periode, instansi_id=penilai.instansi_id, unit_id=penilai.unit_id)
    if org is None:
        return {"organisasi": None, "bounds": [], "blocking": False}
    label = dict(PredikatOrganisasi.choices).get(org, org)
    try:
        pattern, blocking = pattern_for(org, periode.tanggal_selesai)
    except RuleEvaluationError as exc:  # no rules in force for the period: say so instead of failing
        return {"organisasi": label, "bounds": [], "blocking": False, "error": str(exc)}
    return {
        "organisasi": label,
        "bounds": pattern_bounds(counts=counts, total=total, pattern=pattern, complete=scored >= total),
        "blocking": blocking,
    }


def _distribution(skp: Skp, predikat: str, on) -> tuple[list[str], bool] | None:
    """Breaches of the distribution pattern by the assessor's team once this result counts, and
    whether the policy in force blocks publication on a breach; None while the unit's organisation
    predikat is not set (nothing to check against)."""
    org = predikat_organisasi_of(periode=skp.periode, instansi_id=skp.pegawai.instansi_id,
                                 unit_id=skp.penilai.unit_id if skp.penilai_id else skp.unit_id)
    if org is None:
        return None
    pattern, blocking = pattern_for(org, on, skp)
    team = Skp.objects.filter(periode_id=skp.periode_id, penilai_id=skp.penilai_id)
    counts: dict[str, int] = {predikat: 1}
    scored = 1
    for p in HasilPenilaian.objects.filter(skp__in=team).exclude(skp=skp).values_list("predikat", flat=True):
        counts[p] = counts.get(p, 0) + 1
        scored += 1
    total = team.count()
    breaches = distribution_breaches(counts=counts, total=total, pattern=pattern, complete=scored >= total)
    return breaches, blocking


def distribution_check(*, skp: Skp) -> bool:
    """Whether the result may be published. Under the warn policy a breach is only recorded on the
    result (by ``appraisal_score``); under the block policy the result goes back to the assessor's
    annual review."""
    blocks = getattr(skp, "_distribution_blocks", None)
    if blocks is None:
        breaches, blocking = _distribution(skp, skp.hasil.predikat, scoring_date(skp)) or ([], False)
        blocks = bool(breaches) and blocking
    return not blocks


@transaction.atomic(savepoint=False)
def appraisal_publish(*, skp: Skp) -> None:
    from .services.notify import notify_result_published

    hasil = skp.hasil
    hasil.dipublikasikan = timezone.now()
    # publishing follows scoring in the same step: the system user found there is reused
    hasil._history_user = skp._history_user = system = getattr(skp, "_system_user", None) or system_user()
    hasil.save(update_fields=["dipublikasikan"])
    before = {"status": skp.status}
    skp.status = StatusSkp.DIPUBLIKASIKAN
    skp.save(update_fields=["status", "diubah"])
    audit_record(
        action=AuditAction.APPRAISAL_PUBLISHED,
        obj=skp,
        by=system,
        before=before,
        after={"status": skp.status, "predikat": hasil.predikat, "published": hasil.dipublikasikan},
    )
    notify_result_published(skp=skp)  # the e-mail itself waits for the commit
