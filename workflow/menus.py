"""The menus on every page, drawn once per kind of reader and kept by the process.

The app menu and the site menu (``workflow/includes/menu_body.html``, ``site_menu_body.html``)
are the same for everyone who reads the same language with the same permissions, except for a
few values: the badges' counts, the CSRF token of the language form and the page that form
comes back to. Drawn through the template engine they cost about 2 ms of every page (dozens of
links, labels and conditions); here each is drawn once per language, application, permissions
and which badges show (the key in ``render_menu``) with stand-ins for those values
(``_Holes``), kept, and the stand-ins are replaced by the request's values on every later page.
When first drawn it is drawn twice, with two sets of stand-ins: it is kept only if both give the
same page once filled in (a template that writes a value other than as it is — a count with a
thousands separator — keeps nothing, and the menu is drawn for every page, as before).
``tests/workflow/test_menus.py`` holds the kept menus to the templates drawn directly."""

from __future__ import annotations

from django.template.loader import get_template
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

_MENUS: dict[tuple, str | None] = {}  # (template, key) -> the menu drawn with stand-ins (None: not keepable)
_MAX = 512  # kinds of readers x templates; a process that sees more starts again
_COUNT_BASE = 9_876_543_210  # stand-ins for counts: numbers no badge reaches
_TEXT = "\ue000{}\ue001"  # stand-ins for text: private-use characters no page writes


class _Holes:
    """The stand-ins of one drawing (numbered from ``first``) and the values that replace them."""

    def __init__(self, first: int = 0):
        self.first = first
        self.values: dict[str, str] = {}

    def count(self, n) -> tuple[int, object]:
        """The value to draw a count with, and what the key says of it. 0 and 1 are drawn as
        themselves (whether a badge shows, and the singular of a plural, depend on them);
        anything more through a stand-in (each language here has one plural form past one)."""
        n = int(str(n)) if n else 0  # the context's counts are lazy (``SimpleLazyObject``)
        if n in (0, 1):
            return n, n
        stand_in = _COUNT_BASE + self.first + len(self.values)
        self.values[str(localize(stand_in))] = str(localize(n))
        return stand_in, "many"

    def text(self, value) -> str:
        stand_in = _TEXT.format(self.first + len(self.values))
        self.values[stand_in] = str(conditional_escape(value))
        return stand_in

    def fill(self, drawn: str) -> str:
        for stand_in, value in self.values.items():
            drawn = drawn.replace(stand_in, value)
        return drawn


def _draw(context, template_name: str, values: dict) -> str:
    with context.push(values):
        return get_template(template_name).template.render(context)


class _Unused:
    """Stands for a count a menu said it does not show: reading it is an error (the menu must
    name it in ``uses``, or it would be kept with one reader's figure for everyone)."""

    def _refuse(self, *args):
        raise RuntimeError("a kept menu reads a count it does not name in `uses`")

    __bool__ = __str__ = __int__ = __getitem__ = __iter__ = _refuse

    def __getattr__(self, name):
        self._refuse()


def render_menu(context, template_name: str, uses: tuple[str, ...] = ("tasks", "unread")) -> str:
    """``template_name`` drawn in ``context`` (the page's), from the process's copy when it has
    one for this kind of reader. ``uses``: which of the badges' counts it shows (``tasks``: the
    inbox's, overdue and queue; ``unread``: the notifications'); the others are not counted."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if request is None or user is None or not user.is_authenticated:
        return get_template(template_name).template.render(context)
    tasks = (context.get("kinerja_tasks") or {}) if "tasks" in uses else {}
    unread = context.get("kinerja_unread") if "unread" in uses else 0
    token = context.get("csrf_token")
    has_token = bool(token) and str(token) != "NOTPROVIDED"  # as {% csrf_token %} asks
    here = request.get_full_path()

    def values(holes: _Holes) -> tuple[dict, tuple]:
        inbox, inbox_key = holes.count(tasks.get("inbox"))
        overdue, overdue_key = holes.count(tasks.get("overdue"))
        queue, queue_key = holes.count(tasks.get("queue"))
        unread_n, unread_key = holes.count(unread)
        shown = {
            "kinerja_tasks": {"inbox": inbox, "overdue": overdue, "queue": queue} if "tasks" in uses else _Unused(),
            "kinerja_unread": unread_n if "unread" in uses else _Unused(),
            "menu_next": holes.text(here),
        }
        if has_token:
            shown["csrf_token"] = holes.text(token)
        return shown, (inbox_key, overdue_key, queue_key, unread_key)

    holes = _Holes()
    shown, badges = values(holes)
    app, site, viewset, perms = context.get("app"), context.get("site"), context.get("viewset"), context.get("perms")
    key = (
        template_name,
        get_language(),
        str(getattr(app, "title", "") or ""),
        str(getattr(site, "title", "") or ""),
        getattr(site, "parent", None) is not None,
        bool(getattr(app, "turbo_disabled", False)),
        bool(getattr(viewset, "turbo_disabled", False)),
        user.is_staff,
        bool(perms and perms["rules"]["manage_rules"]),
        badges,
        has_token,
    )
    drawn = _MENUS.get(key, "")
    if drawn == "":
        drawn = _draw(context, template_name, shown)
        other = _Holes(first=1000)
        again = _draw(context, template_name, values(other)[0])
        if holes.fill(drawn) != other.fill(again):
            drawn = None
        if len(_MENUS) >= _MAX:
            _MENUS.clear()
        _MENUS[key] = drawn
    if drawn is None:  # not keepable: drawn with the request's own values
        return _draw(context, template_name, {"menu_next": here})
    return mark_safe(holes.fill(drawn))  # noqa: S308 - drawn by the template engine, values escaped
