"""The explanation of a result: reads what it needs (the tables' own words in the versions that
decided, who decided the appeal) and leaves the sentences to ``domain.explanation``."""

from __future__ import annotations

import rules

from ..domain.explanation import (
    Explanation,
    annual_explanation,
    explanation_of,
    trace_records,
    trace_versions,
    versions_of,
)
from ..domain.scoring import AnnualPredikat
from ..models import HasilPenilaian, HasilPeriodik, Keberatan
from .org import person_name


def appeal_decided_by(keberatan: Keberatan) -> str:
    """Who decided the appeal: the user recorded with the decision in the appeal's history."""
    record = (
        keberatan.history.filter(diputuskan__isnull=False)
        .select_related("history_user__pegawai")
        .order_by("history_date", "history_id")
        .first()
    )
    user = record.history_user if record is not None else None
    return person_name(user) or (keberatan.pemutus.nama if keberatan.pemutus_id else "—")


def explain(hasil: HasilPenilaian, *, keberatan: Keberatan | None = None) -> Explanation:
    """Why this predikat (see ``domain.explanation.explanation_of``)."""
    decided = keberatan is not None and keberatan.diputuskan is not None
    return explanation_of(
        hasil,
        specs={vid: rules.table_specs(vid, digest) for vid, digest in trace_versions(hasil).items()},
        keberatan=keberatan,
        decided_by=appeal_decided_by(keberatan) if decided else "",
    )


def explain_annual(annual: AnnualPredikat) -> Explanation:
    """Why the year's predikat of several SKP (see ``domain.explanation.annual_explanation``)."""
    versions = versions_of(annual.decisions)
    return annual_explanation(annual, specs={vid: rules.table_specs(vid, digest) for vid, digest in versions.items()})


def explain_periodic(results: list[HasilPeriodik]) -> dict[int, Explanation]:
    """Why each periodic window got its predikat and TPP percentage, by the review's id (the
    tables' specs read once for all the versions that decided)."""
    versions = versions_of(record for hasil in results for record in trace_records(hasil))
    specs = {vid: rules.table_specs(vid, digest) for vid, digest in versions.items()}
    return {hasil.evaluasi_id: explanation_of(hasil, specs=specs) for hasil in results}
