"""Writes of a result: scoring by the rules, publication, finalisation after the appeal window,
and scoring again when an appeal changes the ratings. Every write of ``HasilPenilaian`` lives here.

The annual review and the scoring that follows it run in one transaction but in different flow
nodes, and viewflow hands the next node only the process. So the annual review opens a
``ScoringRun`` (``scoring_run``) with its ratings, the rules' suggestion and the rule version it
looked up, and the flow's nodes take it (``scoring_run_of``) and pass it to these services: the
ratings just written are not read back, and one version decides the whole result. Outside a run
(a timer, a retry) the services read what they need.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

import rules
from rules.models import RuleSetVersion

from ..domain.distribution import NOT_CHECKED
from ..domain.scoring import PREDIKAT_TABLE, RULE_SET, TPP_TABLE, Suggestion, decision_record, result_facts
from ..models import AuditAction, Evaluasi, HasilPenilaian, HasilPeriodik, Keberatan, Skp, StatusSkp
from ..selectors.appraisal import rhk_of
from ..selectors.scoring import RuleBook, final_ratings, rulebook_for, suggest_ratings, team_breaches
from .notify import notify_result_published
from .system import system_user
from .transition import skp_transition


@dataclass
class AnnualReview:
    """The assessor's final ratings and what the rules suggested for them."""

    rhk_ratings: dict[int, str]
    perilaku_ratings: dict[str, str]
    suggestion: Suggestion


@dataclass
class ScoringRun:
    """One appraisal's scoring within one transaction: the rules it is scored with, the annual
    review that led to it (None when the ratings are read back), and the system user who scores
    and publishes (looked up once)."""

    skp_id: int
    rules: RuleBook
    review: AnnualReview | None = None
    system: object | None = field(default=None, repr=False)
    # The annual review that opened the run was the first of the SKP: it was never scored, so
    # there is no result to look up (only the scoring after an annual review writes one; the
    # result's one-to-one key would refuse a second).
    first_score: bool = False

    def system_user(self):
        if self.system is None:
            self.system = system_user()
        return self.system


_run: contextvars.ContextVar[ScoringRun | None] = contextvars.ContextVar("kinerja_scoring_run", default=None)


@contextmanager
def scoring_run(run: ScoringRun) -> Iterator[ScoringRun]:
    """Hand ``run`` to the flow nodes that follow the annual review in this transaction."""
    token = _run.set(run)
    try:
        yield run
    finally:
        _run.reset(token)


def scoring_run_of(skp: Skp) -> ScoringRun:
    """The run the annual review opened for ``skp``, or a new one (its rules looked up on use)."""
    run = _run.get()
    if run is not None and run.skp_id == skp.pk:
        return run
    return ScoringRun(skp_id=skp.pk, rules=rulebook_for(skp))


@transaction.atomic(savepoint=False)
def appraisal_score(*, skp: Skp, run: ScoringRun) -> HasilPenilaian:
    """Compute the predikat from the final ratings with the rule version in force for the period,
    and store it with the facts and the trace of every table consulted. A breach of the unit's
    distribution pattern is recorded on the result; under the block policy the appraisal stays in
    the annual review (``selectors.scoring.result_may_be_published``)."""
    book = run.rules
    review = run.review
    if review is None:
        rhk_ratings, perilaku_ratings = final_ratings(skp)
        suggestion = suggest_ratings(skp=skp, rhk_ratings=rhk_ratings, perilaku_ratings=perilaku_ratings, book=book)
        review = AnnualReview(rhk_ratings, perilaku_ratings, suggestion)
    suggestion = review.suggestion
    hk = skp.rating_hasil_kerja or suggestion.hasil_kerja
    pr = skp.rating_perilaku or suggestion.perilaku
    predikat = book.evaluate(PREDIKAT_TABLE, {"hasil_kerja": hk, "perilaku": pr})
    hasil = (None if run.first_score else HasilPenilaian.objects.filter(skp=skp).first()) or HasilPenilaian(skp=skp)
    hasil.rating_hasil_kerja, hasil.rating_perilaku = hk, pr
    hasil.predikat = predikat.outputs["predikat"]
    hasil.rule_set, hasil.rule_version = RULE_SET, str(predikat.version.number)
    hasil.trace = [*suggestion.decisions, decision_record(PREDIKAT_TABLE, predikat)]
    hasil.fakta = result_facts(
        suggestion=suggestion, hasil_kerja=hk, perilaku=pr, rhk_count=len(rhk_of(skp)), rhk_ratings=review.rhk_ratings
    )
    breaches, blocking = team_breaches(skp=skp, predikat=hasil.predikat, book=book) or ([str(NOT_CHECKED)], False)
    hasil.peringatan_distribusi = " ".join(breaches)
    system = run.system_user()  # the rules score
    hasil._history_user = system
    hasil.save()
    skp_transition(
        skp=skp,
        action=AuditAction.APPRAISAL_SCORED,
        by=system,
        status=StatusSkp.EVALUASI_AKHIR if breaches and blocking else StatusSkp.DINILAI,
        after={
            "predikat": hasil.predikat,
            "rating_hasil_kerja": hk,
            "rating_perilaku": pr,
            "rule_set": hasil.rule_set,
            "rule_version": hasil.rule_version,
            "distribution_warning": hasil.peringatan_distribusi,
        },
    )
    return hasil


@transaction.atomic(savepoint=False)
def appraisal_publish(*, skp: Skp, run: ScoringRun, flow_class) -> None:
    """Publish the scored result and tell the employee (``flow_class``: the appraisal's flow, for
    the link to its page)."""
    hasil = skp.hasil
    hasil.dipublikasikan = timezone.now()
    system = run.system_user()  # publishing follows scoring in the same step: the same system user
    hasil._history_user = system
    hasil.save(update_fields=["dipublikasikan"])
    skp_transition(
        skp=skp,
        action=AuditAction.APPRAISAL_PUBLISHED,
        by=system,
        status=StatusSkp.DIPUBLIKASIKAN,
        after={"predikat": hasil.predikat, "published": hasil.dipublikasikan},
    )
    notify_result_published(skp=skp, flow_class=flow_class)  # the e-mail itself waits for the commit


def appraisal_finalise(*, skp: Skp) -> None:
    """The appeal window closed: without an appeal the published result becomes final."""
    if not Keberatan.objects.filter(skp=skp).exists() and skp.status == StatusSkp.DIPUBLIKASIKAN:
        skp_transition(skp=skp, action=AuditAction.APPRAISAL_FINALISED, status=StatusSkp.FINAL)


def appraisal_rescore(*, hasil: HasilPenilaian, rating_hasil_kerja: str, rating_perilaku: str, reason: str) -> None:
    """An appeal changed the ratings: the predikat is decided again by the version that scored
    the result, and the decision is added to the trace (the first one stays, superseded)."""
    version_id = next((d["version"]["id"] for d in hasil.trace if d.get("table") == PREDIKAT_TABLE), None)
    decision = rules.evaluate_version(
        RuleSetVersion.objects.get(pk=version_id),
        PREDIKAT_TABLE,
        {"hasil_kerja": rating_hasil_kerja, "perilaku": rating_perilaku},
    )
    hasil.rating_hasil_kerja, hasil.rating_perilaku = rating_hasil_kerja, rating_perilaku
    hasil.predikat = decision.outputs["predikat"]
    hasil.trace = [*hasil.trace, decision_record(PREDIKAT_TABLE, decision, appeal=True)]
    hasil.fakta = {**hasil.fakta, "hasil_kerja": rating_hasil_kerja, "perilaku": rating_perilaku, "keberatan": True}
    hasil._change_reason = reason[:100]
    hasil.save()


@dataclass
class PeriodicReview:
    """The assessor's periodic review of one window: the optional interim ratings, what the rules
    suggest from them, and the two ratings kept (the suggestion, or the assessor's with a reason)."""

    rhk_ratings: dict[int, str]
    perilaku_ratings: dict[str, str]
    suggestion: Suggestion
    hasil_kerja: str
    perilaku: str
    alasan_hasil_kerja: str = ""
    alasan_perilaku: str = ""


@transaction.atomic(savepoint=False)
def periodic_score(
    *, evaluasi: Evaluasi, review: PeriodicReview, book: RuleBook, by, fresh: bool = False
) -> HasilPeriodik:
    """The predikat of one periodic window from its two ratings, and the TPP percentage that
    predikat gives, both from ``book`` (the version the suggestion came from); stored on the
    review with the facts and the trace of every table consulted (the caller audits it).
    ``fresh``: the window was not reviewed before, so it has no result to look up (only a review
    writes one, in the transaction that marks the window reviewed)."""
    facts = {"hasil_kerja": review.hasil_kerja, "perilaku": review.perilaku}
    predikat = book.evaluate(PREDIKAT_TABLE, facts)
    code = predikat.outputs["predikat"]
    tpp = book.evaluate(TPP_TABLE, {"predikat": code})
    hasil = (None if fresh else HasilPeriodik.objects.filter(evaluasi=evaluasi).first()) or HasilPeriodik(
        evaluasi=evaluasi
    )
    suggestion = review.suggestion
    hasil.rating_hasil_kerja_saran, hasil.rating_hasil_kerja = suggestion.hasil_kerja, review.hasil_kerja
    hasil.rating_perilaku_saran, hasil.rating_perilaku = suggestion.perilaku, review.perilaku
    hasil.alasan_hasil_kerja, hasil.alasan_perilaku = review.alasan_hasil_kerja, review.alasan_perilaku
    hasil.predikat = code
    persen = tpp.outputs.get("persen")
    hasil.tpp_persen = None if persen is None else Decimal(str(persen)).quantize(Decimal("0.01"))
    hasil.rule_set, hasil.rule_version = RULE_SET, str(predikat.version.number)
    hasil.trace = [*suggestion.decisions, decision_record(PREDIKAT_TABLE, predikat), decision_record(TPP_TABLE, tpp)]
    hasil.fakta = result_facts(
        suggestion=suggestion,
        hasil_kerja=review.hasil_kerja,
        perilaku=review.perilaku,
        rhk_count=len(rhk_of(evaluasi.skp)),
        rhk_ratings=review.rhk_ratings,
    )
    hasil._history_user = by
    hasil._change_reason = " / ".join(r for r in (review.alasan_hasil_kerja, review.alasan_perilaku) if r)[:100]
    hasil.save()
    return hasil
