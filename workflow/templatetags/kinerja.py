"""Small template helpers of the workflow pages."""

from django import template
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from project.html import esc

from ..selectors.org import person_name

register = template.Library()


@register.filter
def get_value(mapping, key):
    """``{{ dict|get_value:key }}`` — a dictionary lookup with a variable key."""
    try:
        return mapping.get(key, "")
    except AttributeError:
        return ""


@register.filter
def person(user):
    """``{{ task.owner|person }}`` — how a person is named on the pages (see ``person_name``); empty
    for nobody."""
    return person_name(user)


@register.simple_tag
def audit_rows(events):
    """The audit search's table rows (a page of 50 events): the same markup as a template loop
    would write, built here because the loop took a third of the page's time (a date filter,
    a choice label, a link and six escapes per row through the template engine)."""
    timeline = esc(reverse("kinerja:timeline", args=[0])[: -len("0/")])  # the timeline of SKP n: <prefix>n/
    rows = []
    for e in events:
        shown = (
            f'<a href="{timeline}{esc(e.object_id)}/">{esc(e.object_repr)}</a>'
            if e.content_type_id is not None and ContentType.objects.get_for_id(e.content_type_id).model == "skp"
            else esc(e.object_repr)
        )
        rows.append(
            f'<tr><td>{esc(e.seq)}</td><td style="white-space:nowrap">{esc(_when(e.time, SECOND))}</td>'
            f"<td>{esc(e.actor_repr)}</td>\n        <td>{esc(e.get_action_display())}</td>\n"
            f"        <td>{shown}</td>\n        <td>{esc(e.reason)}</td><td>{esc(e.ip or '')}</td></tr>\n"
        )
    return mark_safe("".join(rows))  # noqa: S308 - every part escaped (esc)


# The numeric date formats of these rows, as strftime writes them: the same text as the ``date``
# filter's "d-m-Y H:i" and "d-m-Y H:i:s" (digits only, nothing to translate), at a quarter of
# its cost.
MINUTE = "%d-%m-%Y %H:%M"
SECOND = "%d-%m-%Y %H:%M:%S"


def _when(value, fmt: str) -> str:
    """A datetime in local time as ``fmt`` (``MINUTE`` or ``SECOND``) writes it, "" for none."""
    return timezone.localtime(value).strftime(fmt) if value else ""


@register.simple_tag
def step_rows(task_rows):
    """The process page's steps so far, ``(task, holder, url)`` each: the rows a template loop
    wrote (a link, two dates, a status label and five escapes per step), written here. A step's
    title and a status's label are translated once per page, not once per row."""
    titles: dict = {}  # node -> its escaped title
    labels: dict = {}  # status -> its label
    rows = []
    for task, holder, task_url in task_rows:
        node = task.flow_task
        if node not in titles:
            titles[node] = esc(task.title)
        if task.status not in labels:
            labels[task.status] = task.get_status_display()
        title = f'<a href="{esc(task_url)}">{titles[node]}</a>' if task_url else titles[node]
        rows.append(
            f"<tr>\n    <td>{esc(task.pk)}</td>\n    <td>{title}</td>\n    <td>{esc(holder or '—')}</td>\n"
            f"    <td>{esc(_when(task.created, MINUTE))}</td>\n"
            f"    <td>{esc(_when(task.finished, MINUTE) or '—')}</td>\n"
            f"    <td>{esc(labels[task.status])}</td>\n  </tr>"
        )
    return mark_safe("".join(rows))  # noqa: S308 - every part escaped (esc)


@register.simple_tag
def rekap_rows(rows, periode):
    """The rows of the progress per OPD (one per OPD, each linking the OPD's own progress in
    ``periode``): the markup the template loop wrote (a link and three cells of figures per row),
    built here — the loop was a quarter of the page's time."""
    unit_url = esc(reverse("kinerja:rekap_unit", args=[0])[: -len("0/")])  # <prefix>n/
    out = []
    for r in rows:
        out.append(
            f'<tr><td><a href="{unit_url}{esc(r["unit"].pk)}/?periode={esc(periode.pk)}">{esc(r["unit"].nama)}</a></td>'
            f"<td>{esc(r['total'])}</td>\n"
            f'      <td><progress max="100" value="{esc(r["approved_pct"])}"></progress> {esc(r["approved"])} '
            f"({esc(r['approved_pct'])}%)</td>\n"
            f'      <td><progress max="100" value="{esc(r["published_pct"])}"></progress> {esc(r["published"])} '
            f"({esc(r['published_pct'])}%)</td></tr>"
        )
    return mark_safe("".join(out))  # noqa: S308 - every part escaped (esc)


@register.simple_tag(takes_context=True)
def menu(context, template_name, *uses):
    """A menu of every page (``template_name``, showing the badges ``uses``), kept by the process
    per kind of reader: ``workflow.menus``."""
    from ..menus import render_menu

    return render_menu(context, template_name, uses)


def _plan_lines(f, number: str, *, with_errors: bool, gap: str, end: str) -> str:
    """The rows of one RHK of the plan grid (``plan_rows``): one per indicator line, the first
    with the RHK's own cells spanning them all; ``gap`` is the markup's whitespace between the
    cells, ``end`` what closes a row."""
    lines = f.iki_lines()
    span = len(lines)

    def cell(bf) -> str:
        return f"{bf}{bf.errors}" if with_errors else str(bf)

    out = []
    for i, (n, aspek, indikator, target, satuan) in enumerate(lines):
        head = delete = ""
        if i == 0:
            head = (
                f'<td rowspan="{span}">{number}</td><td rowspan="{span}">{cell(f["jenis"])}</td>'
                f'<td rowspan="{span}">{cell(f["teks"])}</td><td rowspan="{span}">{cell(f["rhk_atasan"])}</td>'
            )
            delete = f'<td rowspan="{span}">{f["DELETE"]}</td>'
        out.append(
            f'<tr class="kinerja-iki-line{" kinerja-rhk-row" if i == 0 else ""}">{gap}{head}{gap}'
            f"<td>{n}</td><td>{cell(aspek)}</td><td>{cell(indikator)}</td><td>{cell(target)}</td>"
            f"<td>{cell(satuan)}</td>{gap}{delete}{end}"
        )
    return "".join(out)


@register.simple_tag
def plan_rows(formset):
    """The plan grid's RHK (a ``tbody`` each, its indicator lines as rows, the fields with their
    errors): the markup the template loop wrote, built here — that loop over a hundred fields
    was a third of the plan page's time. ``plan_empty_row``: the empty RHK the page copies when a
    row is added."""
    out = []
    for index, f in enumerate(formset):
        errors = f.non_field_errors()
        tail = f'<tr><td colspan="10" class="errorlist">{errors}</td></tr>' if errors else ""
        lines = _plan_lines(f, str(index + 1), with_errors=True, gap="\n        ", end="\n      </tr>")
        out.append(f'<tbody class="kinerja-rhk">\n      {lines}\n      {tail}\n    </tbody>')
    return mark_safe("".join(out))  # noqa: S308 - widgets and error lists written by Django's forms


_EMPTY_ROWS: dict[tuple, str] = {}  # (language, prefix, the assessor's RHK offered) -> the empty row drawn


@register.simple_tag
def plan_empty_row(formset):
    """The empty RHK of the plan grid (``plan_rows``), copied by the page's script. It is the same
    for every page in one language offering the same RHK of the assessor (their staff's pages):
    drawn once per process for each."""
    key = (get_language(), formset.prefix, tuple(formset.form_kwargs.get("atasan_choices", ())))
    drawn = _EMPTY_ROWS.get(key)
    if drawn is None:
        lines = _plan_lines(formset.empty_form, "#", with_errors=False, gap="\n    ", end="</tr>")
        drawn = f'<tbody class="kinerja-rhk">{lines}</tbody>'
        if len(_EMPTY_ROWS) >= 256:
            _EMPTY_ROWS.clear()
        _EMPTY_ROWS[key] = drawn
    return mark_safe(drawn)  # noqa: S308 - Django's widgets
