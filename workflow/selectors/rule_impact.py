"""What publishing a version of the scoring rules would change in the periods (item: rule
versions in the middle of a period), and which version scored whom in a period."""

from __future__ import annotations

import datetime as dt
import json

from django.db.models import Count
from django.utils.translation import gettext as _

import rules
from rules.errors import RuleEvaluationError
from rules.signals import PublishImpact

from ..domain.scoring import RULE_SET
from ..models import HasilPenilaian, Periode, Skp


def publish_impact(
    *, rule_set: str, effective_from: dt.date, effective_to: dt.date | None = None, candidate=None, **_kwargs
):
    """Per period whose end falls in the new version's dates (results are scored with the rules in
    force at the end of the period): how many of its appraisals are not scored yet (the new version
    would score them), how many are scored already (they keep their version) and — given a
    ``candidate`` — how many of those the candidate would decide differently from the version in
    force (``results_changed``). A few grouped queries, whatever the number of periods."""
    if rule_set != RULE_SET or effective_from is None:
        return []
    periods = Periode.objects.filter(tanggal_selesai__gte=effective_from).select_related("instansi")
    if effective_to is not None:
        periods = periods.filter(tanggal_selesai__lte=effective_to)
    periods = list(periods.order_by("tanggal_selesai", "instansi__nama"))
    ids = [p.pk for p in periods]
    totals = dict(Skp.objects.filter(periode_id__in=ids).values_list("periode_id").annotate(n=Count("pk")).order_by())
    results = HasilPenilaian.objects.filter(skp__periode_id__in=ids)
    scored = dict(results.values_list("skp__periode_id").annotate(n=Count("pk")).order_by())
    versions: dict[int, set[str]] = {}
    for periode_id, version in results.values_list("skp__periode_id", "rule_version").distinct().order_by():
        versions.setdefault(periode_id, set()).add(version)
    changed = results_changed(periods=[p for p in periods if scored.get(p.pk)], candidate=candidate)
    lines = []
    for periode in periods:
        kept = scored.get(periode.pk, 0)
        pending = totals.get(periode.pk, 0) - kept
        if pending <= 0 and not (candidate is not None and kept):
            continue
        lines.append(
            PublishImpact(
                label=_("%(period)s (%(start)s – %(end)s)")
                % {
                    "period": str(periode),
                    "start": periode.tanggal_mulai.isoformat(),
                    "end": periode.tanggal_selesai.isoformat(),
                },
                count=max(pending, 0),
                kept=kept,
                current_version=", ".join(sorted(versions.get(periode.pk, ()))),
                changed=changed.get(periode.pk) if changed is not None else None,
            )
        )
    return lines


def results_changed(*, periods: list[Periode], candidate) -> dict[int, int] | None:
    """Per period, how many of its results ``candidate`` would decide differently from the version
    in force at the end of the period: every decision stored in a result's trace is evaluated
    again with its own facts by both — the version in force through ``rules.evaluate_many``, the
    candidate through ``candidate.outputs`` — in one batch per table (and date), and a result
    counts once when any of its decisions differs. None without a candidate or when the candidate
    cannot be evaluated (the editor then asks anyway)."""
    if candidate is None:
        return None
    found = {p.pk: 0 for p in periods}
    if not periods:
        return found
    ends = {p.pk: p.tanggal_selesai for p in periods}
    # Each distinct set of facts is evaluated once per table (and date): results share most of
    # them (ratings are a few words), so the engine's work stays small for thousands of results.
    per_table: dict[str, dict[str, int]] = {}
    per_base: dict[tuple[str, dt.date], dict[str, int]] = {}
    facts_of: dict[str, dict] = {}
    # (period, result, table, position in per_table, position in per_base)
    refs: list[tuple[int, int, str, int, int]] = []
    traces = HasilPenilaian.objects.filter(skp__periode_id__in=list(ends)).values_list("skp__periode_id", "pk", "trace")
    for periode_id, result_id, trace in traces.order_by():
        for record in trace or []:
            steps = (record.get("trace") or []) if isinstance(record, dict) else []
            if not steps or not isinstance(steps[0].get("inputs"), dict) or not record.get("table"):
                continue
            table, key = record["table"], json.dumps(steps[0]["inputs"], sort_keys=True, default=str)
            facts_of.setdefault(key, steps[0]["inputs"])
            base = per_base.setdefault((table, ends[periode_id]), {})
            rows = per_table.setdefault(table, {})
            at_new, at_old = rows.setdefault(key, len(rows)), base.setdefault(key, len(base))
            refs.append((periode_id, result_id, table, at_new, at_old))
    try:
        new = candidate.outputs({table: [facts_of[k] for k in keys] for table, keys in per_table.items()})
    except RuleEvaluationError:
        return None
    old: dict[tuple[str, dt.date], list] = {}
    for (table, on), keys in per_base.items():
        records = [facts_of[k] for k in keys]
        try:
            old[(table, on)] = [
                None if isinstance(d, RuleEvaluationError) else dict(d.outputs)
                for d in rules.evaluate_many(RULE_SET, table, records, on=on)
            ]
        except RuleEvaluationError:  # no version in force then, or it lacks the table: nothing to compare
            old[(table, on)] = [None] * len(records)
    differing: set[tuple[int, int]] = set()
    for periode_id, result_id, table, at_new, at_old in refs:
        before = old[(table, ends[periode_id])][at_old]
        if before is not None and new[table][at_new] != before:
            differing.add((periode_id, result_id))
    for periode_id, _result_id in differing:
        found[periode_id] += 1
    return found


def versions_of_period(periode: Periode) -> list[dict]:
    """Which rule version scored how many results of ``periode`` (for the admin)."""
    return list(
        HasilPenilaian.objects.filter(skp__periode=periode)
        .values("rule_set", "rule_version")
        .annotate(jumlah=Count("pk"))
        .order_by("rule_set", "rule_version")
    )


def results_by_version(periode: Periode, version: str | None = None):
    """The period's results with the version that scored each (optionally one version)."""
    results = HasilPenilaian.objects.filter(skp__periode=periode).select_related("skp__pegawai")
    if version:
        results = results.filter(rule_version=version)
    return results.order_by("rule_version", "skp__pegawai__nama")
