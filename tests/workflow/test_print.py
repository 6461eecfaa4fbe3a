"""The appraisal, team and progress pages print cleanly from the browser: the product's stylesheet
(the CSP forbids inline styles in our templates' place) has a print block that hides the menu, the
top bar, buttons, forms and download links, keeps charts and table rows whole and repeats headers."""

import re

from django.conf import settings

CSS = (settings.BASE_DIR / "workflow" / "static" / "workflow" / "kinerja.css").read_text()


def print_block() -> str:
    start = CSS.index("@media print")
    depth, i = 0, CSS.index("{", start)
    for j in range(i, len(CSS)):
        depth += {"{": 1, "}": -1}.get(CSS[j], 0)
        if depth == 0:
            return CSS[start : j + 1]
    raise AssertionError("unclosed @media print block")


def hidden_selectors(block: str) -> set[str]:
    found = set()
    for selectors, declarations in re.findall(r"([^{}]+)\{([^{}]*)\}", block):
        if re.search(r"display:\s*none", declarations):
            found |= {s.strip() for s in selectors.split(",")}
    return found


def test_the_stylesheet_hides_the_menu_and_the_controls_in_print():
    hidden = hidden_selectors(print_block())
    assert {".vf-page__menu", ".mdc-drawer", ".mdc-top-app-bar"} <= hidden  # the navigation
    assert {"button", "form", ".mdc-button", ".kinerja-export"} <= hidden  # buttons, forms, downloads


def test_charts_and_rows_are_not_cut_across_pages_and_headers_repeat():
    block = print_block()
    assert re.search(r"progress[^{}]*\{[^}]*break-inside:\s*avoid", block)
    assert re.search(r"\.kinerja-distribution[^{}]*\{[^}]*break-inside:\s*avoid", block)
    assert re.search(r"thead\s*\{[^}]*display:\s*table-header-group", block)
    assert "@page" in block and "counter(page)" in block  # our page footer instead of the URL


def test_the_pages_load_the_stylesheet(client, org, periode, bkd):
    from tests.factories import give_accounts

    give_accounts(org.kasi)
    client.force_login(org.kasi.user)
    assert "workflow/kinerja.css" in client.get("/kinerja/tim/").content.decode()
    client.force_login(bkd)
    assert "workflow/kinerja.css" in client.get("/kinerja/rekap/").content.decode()
