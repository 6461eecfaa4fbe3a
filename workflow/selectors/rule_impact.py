"""What publishing a version of the scoring rules would change in the periods (item: rule
versions in the middle of a period), and which version scored whom in a period."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count
from django.utils.translation import gettext as _

from rules.signals import PublishImpact

from ..domain.scoring import RULE_SET
from ..models import HasilPenilaian, Periode, Skp


def publish_impact(*, rule_set: str, effective_from: dt.date, effective_to: dt.date | None = None, **_kwargs):
    """Per period whose end falls in the new version's dates (results are scored with the rules in
    force at the end of the period): how many of its appraisals are not scored yet (the new version
    would score them) and how many are scored already (they keep their version)."""
    if rule_set != RULE_SET or effective_from is None:
        return []
    periods = Periode.objects.filter(tanggal_selesai__gte=effective_from).select_related("instansi")
    if effective_to is not None:
        periods = periods.filter(tanggal_selesai__lte=effective_to)
    lines = []
    for periode in periods.order_by("tanggal_selesai", "instansi__nama"):
        skps = Skp.objects.filter(periode=periode)
        scored = HasilPenilaian.objects.filter(skp__periode=periode)
        pending = skps.count() - scored.count()
        if pending <= 0:
            continue
        versions = sorted(set(scored.values_list("rule_version", flat=True)))
        lines.append(
            PublishImpact(
                label=_("%(period)s (%(start)s – %(end)s)")
                % {
                    "period": str(periode),
                    "start": periode.tanggal_mulai.isoformat(),
                    "end": periode.tanggal_selesai.isoformat(),
                },
                count=pending,
                kept=scored.count(),
                current_version=", ".join(versions),
            )
        )
    return lines


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
