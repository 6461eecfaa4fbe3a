"""A form renderer that writes the common widgets in Python instead of through Django's widget
templates, with the same markup byte for byte (``tests/workflow/test_form_renderer.py`` compares
both on every field of the step forms).

A step page has up to a hundred fields (the plan's rows, each with four indicator lines, and the
empty row the page copies when a row is added); each field through the template engine costs a
template render with its includes — a select one more per option — which was about half the CPU
of the plan page. Other widgets (and the forms' own layouts: ``as_p``, errors) still go through
the templates."""

from __future__ import annotations

from django.forms.renderers import DjangoTemplates

from project.html import esc as _esc
from project.html import labeller

_W = "django/forms/widgets/"
_ERRORS = "django/forms/errors/"


def _fmt(value) -> str:
    # {{ value|stringformat:'s' }}: the value as text, escaped unless it is marked safe
    return _esc(str(value) if isinstance(value, tuple) else value)


def _attrs(attrs: dict) -> str:
    # attrs.html: {% for name, value in widget.attrs.items %}{% if value is not False %} {{ name }}
    # {% if value is not True %}="{{ value|stringformat:'s' }}"{% endif %}{% endif %}{% endfor %}
    out = []
    for name, value in attrs.items():
        if value is False:
            continue
        out.append(f" {_esc(name)}" if value is True else f' {_esc(name)}="{_fmt(value)}"')
    return "".join(out)


def _input(w: dict) -> str:
    value = "" if w["value"] is None else f' value="{_fmt(w["value"])}"'
    return f'<input type="{_esc(w["type"])}" name="{_esc(w["name"])}"{value}{_attrs(w["attrs"])}>'


def _textarea(w: dict) -> str:
    value = _esc(w["value"]) if w["value"] else ""
    return f'<textarea name="{_esc(w["name"])}"{_attrs(w["attrs"])}>\n{value}</textarea>'


def _option(o: dict, label) -> str:
    attrs = o["attrs"]
    # the usual attributes (none, or selected) without the general loop
    extra = "" if not attrs else " selected" if attrs == _SELECTED else _attrs(attrs)
    return f'<option value="{_fmt(o["value"])}"{extra}>{label(o["label"])}</option>'


_SELECTED = {"selected": True}


def _option_groups(w: dict, templates: tuple, group_open: str, group_close: str, option, around: str):
    """The loop over a choice widget's option groups (select.html, and radio.html and
    checkbox_select.html alike): each named group between ``group_open`` (its name at ``{}``) and
    ``group_close``, each option rendered by ``option`` at the ``{}`` of ``around``. None where an
    option has a template not written here."""
    out, label = [], labeller()
    for group, options, _index in w["optgroups"]:
        if group:
            out.append(group_open.format(label(group)))
        for o in options:
            if o["template_name"] not in templates:
                return None
            out.append(around.format(option(o, label)))
        if group:
            out.append(group_close)
    return "".join(out)


def _select(w: dict) -> str:
    body = _option_groups(
        w, (_W + "select_option.html",), '\n  <optgroup label="{}">', "\n  </optgroup>", _option, "\n  {}\n"
    )
    if body is None:
        return None
    return f'<select name="{_esc(w["name"])}"{_attrs(w["attrs"])}>{body}\n</select>'


def _input_option(o: dict, label) -> str:
    # radio_option.html / checkbox_option.html include input_option.html, each adding a newline
    inner = _input(o) + "\n"
    if o["wrap_label"]:
        label_for = f' for="{_esc(o["attrs"]["id"])}"' if o["attrs"].get("id") else ""
        inner = f"<label{label_for}>{inner} {label(o['label'])}</label>"
    return inner + "\n\n"


def _multiple(w: dict) -> str:
    body = _option_groups(
        w,
        (_W + "radio_option.html", _W + "checkbox_option.html"),
        "\n  <div><label>{}</label>",
        "\n  </div>",
        _input_option,
        "<div>\n    {}</div>",
    )
    if body is None:
        return None
    attrs = w["attrs"]
    id_attr = f' id="{_esc(attrs["id"])}"' if attrs.get("id") else ""
    class_attr = f' class="{_esc(attrs["class"])}"' if attrs.get("class") else ""
    return f"<div{id_attr}{class_attr}>{body}\n</div>"


_FAST = {
    **{
        _W + name: _input
        for name in (
            "input.html",
            "text.html",
            "number.html",
            "email.html",
            "url.html",
            "password.html",
            "hidden.html",
            "checkbox.html",
        )
    },
    _W + "textarea.html": _textarea,
    _W + "select.html": _select,
    _W + "radio.html": _multiple,
    _W + "checkbox_select.html": _multiple,
}


class FastWidgetRenderer(DjangoTemplates):
    """Django's default renderer, with the widgets above written directly (the output of
    ``DjangoTemplates`` is stripped: these produce it stripped)."""

    def render(self, template_name, context, request=None):
        if template_name.startswith(_ERRORS) and not context.get("errors"):
            # a field without errors: Django's error templates write nothing for it, after two
            # template renders — on every field of a step form
            return ""
        fast = _FAST.get(template_name)
        if fast is not None and set(context) == {"widget"}:
            out = fast(context["widget"])
            if out is not None:
                return out.strip()
        return super().render(template_name, context, request=request)


renderer = FastWidgetRenderer()
