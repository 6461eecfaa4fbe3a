"""The menus of every page are kept by the process per kind of reader (``workflow.menus``): what a
page shows must be what the menu templates draw for that page, whatever the counts, the page's
address, the CSRF token, the language and the reader's permissions."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.context_processors import PermWrapper
from django.contrib.auth.models import Group
from django.template import Context
from django.template.loader import get_template
from django.test import RequestFactory
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from project.urls import site
from workflow import menus
from workflow.menus import render_menu

# each menu with the badges it shows, as the pages ask for it (workflow/menu.html, site_menu.html)
TEMPLATES = [("workflow/includes/menu_body.html", ("tasks",)), ("workflow/includes/site_menu_body.html", ("unread",))]
APPS = [v for v in site.viewsets if getattr(v, "menu_template_name", "") == "workflow/menu.html"]


@pytest.fixture
def readers(db):
    User = get_user_model()
    employee = User.objects.create_user("pegawai.menu", password="x")
    admin = User.objects.create_user("admin.menu", password="x", is_staff=True)
    rules = User.objects.create_user("aturan.menu", password="x")
    rules.groups.add(Group.objects.get(name="Admin Aturan"))
    return [employee, admin, rules]


def _context(user, app, path: str, counts: tuple[int, int, int, int], token: str | None) -> Context:
    request = RequestFactory().get(path)
    request.user = user
    inbox, overdue, queue, unread = counts
    values = {
        "request": request,
        "user": user,
        "perms": PermWrapper(user),
        "site": site,
        "app": app,
        "viewset": app,
        "LANGUAGE_CODE": translation.get_language(),
        "kinerja_tasks": {"inbox": inbox, "overdue": overdue, "queue": queue},
        "kinerja_unread": unread,
    }
    if token is not None:
        values["csrf_token"] = token
    return Context(values)


counts = st.tuples(*[st.one_of(st.integers(0, 3), st.integers(2, 10**7))] * 4)
paths = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), max_size=30)


@given(
    data=st.data(),
    language=st.sampled_from(["id", "en"]),
    then=counts,
    path=paths,
    token=st.one_of(st.none(), st.text(max_size=40)),
    change=st.sampled_from(["values", "reader", "language", "app", "counts", "token"]),
)
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_a_kept_menu_reads_as_the_template_draws_it(readers, data, language, then, path, token, change):
    """A menu drawn for one page and kept, then shown on a page that differs in one thing (its
    figures, address and token only; or the reader, the language, the application, the counts,
    whether there is a token), reads byte for byte as the template drawn for that page."""
    user = data.draw(st.sampled_from(readers))
    app = data.draw(st.sampled_from(APPS))
    template, uses = data.draw(st.sampled_from(TEMPLATES))
    before = {"user": user, "language": language, "app": app, "counts": then, "token": token}
    before["counts"] = tuple(n if n < 2 else n + 1 for n in then)  # the same badges, other figures
    before["token"] = token and token + "x"
    if change == "reader":
        before["user"] = data.draw(st.sampled_from([r for r in readers if r != user]))
    elif change == "language":
        before["language"] = "en" if language == "id" else "id"
    elif change == "app":
        before["app"] = data.draw(st.sampled_from([a for a in APPS if a is not app]))
    elif change == "counts":
        before["counts"] = data.draw(counts)
    elif change == "token":
        before["token"] = None if token else "a-token"
    menus._MENUS.clear()
    with translation.override(before["language"]):
        context = _context(
            before["user"], before["app"], "/kinerja/kotak-masuk/?a=<b>&c=1", before["counts"], before["token"]
        )
        render_menu(context, template, uses)
    with translation.override(language):
        page = _context(user, app, "/kinerja/?q=" + path, then, token)
        assert render_menu(page, template, uses) == get_template(template).template.render(page)


def test_the_menus_are_kept_per_kind_of_reader_and_follow_the_counts(readers):
    """Drawn once per kind of reader: the second page's menus come from the kept copies (no new
    one), and the badges show that page's counts."""
    employee = readers[0]
    menus._MENUS.clear()
    app = APPS[-1]  # the product's own application
    with translation.override("id"):
        for template, uses in TEMPLATES:
            render_menu(_context(employee, app, "/kinerja/", (5, 2, 0, 7), "t1"), template, uses)
        kept = dict(menus._MENUS)
        assert len(kept) == 2 and all(kept.values())
        shown = render_menu(_context(employee, app, "/kinerja/arsip/", (12, 3, 0, 9), "t2"), *TEMPLATES[0])
        side = render_menu(_context(employee, app, "/kinerja/arsip/", (12, 3, 0, 9), "t2"), *TEMPLATES[1])
        assert kept == menus._MENUS
    assert re.search(r"kinerja-badge--inbox[^>]*>12<", shown) and "3 terlambat" in shown
    assert 'value="/kinerja/arsip/"' in shown and 'value="t2"' in shown and "(9)" in side


def test_a_menu_that_shows_a_count_it_does_not_name_fails_instead_of_keeping_one_readers_figure(readers):
    """Each menu names the badges it shows: one that reads another count while being drawn for
    keeping raises (it would otherwise be kept with the first reader's figure for everyone)."""
    menus._MENUS.clear()
    context = _context(readers[0], APPS[-1], "/kinerja/", (5, 2, 0, 7), "t1")
    with translation.override("id"), pytest.raises(RuntimeError, match="uses"):
        render_menu(context, "workflow/includes/menu_body.html", ("unread",))
