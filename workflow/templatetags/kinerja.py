"""Small template helpers of the workflow pages."""

from django import template
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe

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
    timeline = reverse("kinerja:timeline", args=[0])[: -len("0/")]  # the timeline of SKP n: <prefix>n/
    rows = []
    for e in events:
        shown = (
            format_html('<a href="{}{}/">{}</a>', timeline, e.object_id, e.object_repr)
            if e.content_type.model == "skp"
            else conditional_escape(e.object_repr)
        )
        rows.append(
            format_html(
                '<tr><td>{}</td><td style="white-space:nowrap">{}</td><td>{}</td>\n'
                "        <td>{}</td>\n        <td>{}</td>\n        <td>{}</td><td>{}</td></tr>\n",
                e.seq,
                dateformat.format(timezone.localtime(e.time), "d-m-Y H:i:s"),
                e.actor_repr,
                e.get_action_display(),
                shown,
                e.reason,
                e.ip or "",
            )
        )
    return mark_safe("".join(rows))  # noqa: S308 - every part went through format_html


def _when(value, fmt: str) -> str:
    """A datetime as the ``date`` filter shows it in a template (local time), "" for none."""
    return dateformat.format(timezone.localtime(value), fmt) if value else ""


@register.simple_tag
def step_rows(task_rows):
    """The process page's steps so far, ``(task, holder, url)`` each: the rows a template loop
    wrote (a link, two dates, a status label and five escapes per step), written here."""
    rows = []
    for task, holder, task_url in task_rows:
        title = format_html('<a href="{}">{}</a>', task_url, task.title) if task_url else conditional_escape(task.title)
        rows.append(
            format_html(
                "<tr>\n    <td>{}</td>\n    <td>{}</td>\n    <td>{}</td>\n    <td>{}</td>\n    <td>{}</td>\n"
                "    <td>{}</td>\n  </tr>",
                task.pk,
                title,
                holder or "—",
                _when(task.created, "d-m-Y H:i"),
                _when(task.finished, "d-m-Y H:i") or "—",
                task.get_status_display(),
            )
        )
    return mark_safe("".join(rows))  # noqa: S308 - every part went through format_html
