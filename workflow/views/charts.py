"""The dashboards' charts: each is a ``Chart`` rendered by ``workflow/includes/chart.html`` — a
canvas that ``workflow/js/charts.js`` draws with Chart.js from a ``json_script`` block (no inline
script, see the Content-Security-Policy), and the same numbers as a table for screen readers."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from ..models import Predikat, PredikatOrganisasi, StatusSkp
from ..selectors.dashboard import STEPS, Distribution, ProgressRow, over_time

STEP_LABELS = dict(StatusSkp.choices)
ORG_LABELS = dict(PredikatOrganisasi.choices)
PREDIKAT_LABELS = dict(Predikat.choices)
# The predikat as a height on the employee's chart: Sangat Baik the highest.
PREDIKAT_LEVEL = {code: len(Predikat.values) - i for i, code in enumerate(Predikat.values)}


def org_label(code: str) -> str:
    return str(ORG_LABELS.get(code, code))


@dataclass
class Chart:
    """One chart and its table: ``labels`` are the table's rows (the chart's categories), each
    dataset a column."""

    key: str
    title: str
    labels: list[str]
    datasets: list[dict]
    kind: str = "bar"
    stacked: bool = False
    horizontal: bool = False
    row_header: str = ""
    # the employee's chart plots predikat as levels; the table shows the words
    ticks: dict = field(default_factory=dict)
    cells: list[list[str]] | None = None

    @property
    def data_id(self) -> str:
        return f"kinerja-chart-{self.key}"

    @property
    def height(self) -> int:
        """Pixels: a horizontal bar chart grows with its bars, so that forty OPD stay readable."""
        return max(240, 28 * len(self.labels) + 90) if self.horizontal else 320

    @property
    def spec(self) -> dict:
        return {
            "kind": self.kind,
            "stacked": self.stacked,
            "horizontal": self.horizontal,
            "labels": self.labels,
            "datasets": self.datasets,
            "ticks": self.ticks,
        }

    @property
    def rows(self) -> list[tuple[str, list]]:
        """The table: one row per label with each dataset's figure (or the given cells)."""
        if self.cells is not None:
            return list(zip(self.labels, self.cells, strict=True))
        return [(label, [d["data"][i] for d in self.datasets]) for i, label in enumerate(self.labels)]

    @property
    def rows_html(self) -> str:
        """The table's body rows, written here rather than by a template loop (forty OPD × ten steps
        were 400 cells through the template engine on the progress page): a row header, then each
        figure localized as the template would show it, "—" for none; everything escaped."""
        rows = []
        for label, figures in self.rows:
            cells = "".join([f"<td>{_cell(n)}</td>" for n in figures])
            rows.append(f'<tr><th scope="row">{conditional_escape(label)}</th>{cells}</tr>')
        return mark_safe("".join(rows))  # noqa: S308 - the label and every cell escaped


def _cell(n) -> str:
    """One figure of a chart's table as the template showed it: "—" for none; a count (an int) as
    its digits (what ``localize`` writes without thousands separators, at a tenth of the cost);
    anything else localized and escaped."""
    if n is None:
        return "—"
    if type(n) is int and not settings.USE_THOUSAND_SEPARATOR:
        return str(n)
    return conditional_escape(localize(n))


def progress_chart(key: str, title: str, rows: list[ProgressRow], row_header: str) -> Chart:
    """Stacked bars per step, one bar per row; steps nobody is at are left out of chart and table."""
    steps = [s for s in STEPS if any(r.per_step.get(s) for r in rows)]
    return Chart(
        key=key,
        title=title,
        labels=[r.label for r in rows],
        datasets=[{"label": str(STEP_LABELS[s]), "data": [r.per_step.get(s, 0) for r in rows]} for s in steps],
        stacked=True,
        horizontal=True,
        row_header=row_header,
    )


def steps_chart(key: str, title: str, counts: dict[str, int]) -> Chart:
    """One bar per step (a team at a glance)."""
    steps = [s for s in STEPS if counts.get(s)]
    return Chart(
        key=key,
        title=title,
        labels=[str(STEP_LABELS[s]) for s in steps],
        datasets=[{"label": _("Appraisals"), "data": [counts[s] for s in steps]}],
        row_header=_("Step"),
    )


def pairs_chart(key: str, title: str, pairs: list[tuple[str, int]], row_header: str) -> Chart:
    """One bar per ``(label, figure)`` pair, in the given order (a team's steps as its tasks name them)."""
    return Chart(
        key=key,
        title=title,
        labels=[str(label) for label, _n in pairs],
        datasets=[{"label": _("Appraisals"), "data": [n for _label, n in pairs]}],
        row_header=row_header,
    )


def distribution_chart(key: str, title: str, found: Distribution) -> Chart:
    """Results per predikat, with the pattern's bounds of a single predikat as two more columns."""
    datasets = [{"label": _("Employees"), "data": found.per_predikat()}]
    labels = [str(PREDIKAT_LABELS[c]) for c in Predikat.values]
    for kind, name in (("max", _("At most (pattern)")), ("min", _("At least (pattern)"))):
        limits = {b.predikat: b.limit for b in found.bounds if b.kind == kind and " / " not in b.predikat}
        if limits:
            datasets.append({"label": name, "data": [limits.get(label) for label in labels], "line": True})
    return Chart(key=key, title=title, labels=labels, datasets=datasets, row_header=_("Predikat"))


def over_time_chart(key: str, title: str, skps, *, scope: tuple | None = None) -> Chart | None:
    months, appeals, overdue = over_time(skps, scope=scope)
    if not months:
        return None
    return Chart(
        key=key,
        title=title,
        labels=months,
        datasets=[{"label": _("Appeals filed"), "data": appeals}, {"label": _("Overdue tasks"), "data": overdue}],
        kind="line",
        row_header=_("Month"),
    )


def history_chart(key: str, title: str, history: list[dict]) -> Chart | None:
    if not history:
        return None
    labels = [f"{h['tahun']}" if h["urutan"] == 1 else f"{h['tahun']} (SKP {h['urutan']})" for h in history]
    words = [str(PREDIKAT_LABELS.get(h["predikat"], h["predikat"])) for h in history]
    return Chart(
        key=key,
        title=title,
        labels=labels,
        datasets=[{"label": _("Predikat"), "data": [PREDIKAT_LEVEL.get(h["predikat"]) for h in history]}],
        kind="line",
        row_header=_("Period"),
        ticks={str(level): str(PREDIKAT_LABELS[code]) for code, level in PREDIKAT_LEVEL.items()},
        cells=[[w] for w in words],
    )
