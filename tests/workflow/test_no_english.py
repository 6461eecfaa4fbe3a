"""No English in the Indonesian UI: every page each role reaches (employee, assessor, government
admin, rule admin, the governor), read in Indonesian, shows none of the English words that leaked
before (viewflow's and Django's own strings, the chart's yes/no, "Skp" for SKP, "URUTAN" for a job).

Fast on purpose: the Django test client over the URL patterns that take no argument, plus the
pages of one appraisal, one task and one unit; only the visible text is read (tags, scripts,
styles and icon ligatures stripped)."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Group
from django.urls import URLPattern, URLResolver, get_resolver

from tests.factories import give_accounts
from tests.helpers import approve, open_task, task_url
from workflow.models import Skp

# Whole words, case-sensitive: each leaked into the Indonesian pages at least once.
LEAKED = [
    "yes",
    "no",
    "Skp",
    "Django administration",
    "Administrasi Django",
    "Django site admin",
    "Admin situs Django",
    "Process",
    "Processes",
    "Task",
    "Tasks",
    "Assigned",
    "Created",
    "Submit",
    "Cancel",
    "Save",
    "Search",
    "Filter",
    "Next",
    "Previous",
    "URUTAN",
    "Dashboard",
    "Inbox",
    "Queue",
    "Archive",
    "Owner",
    "Started",
    "Finished",
    "Flow Chart",
    "Show all",
    "Log out",
    "Menjadi",
]
LEAK_RE = re.compile(r"(?<![\w-])(" + "|".join(re.escape(w) for w in LEAKED) + r")(?![\w-])")
# Pages that are not pages (downloads, redirects that only act, the language switch, logout).
SKIP = re.compile(r"(logout|i18n|setlang|format=|/berkas/|/dokumen/|\.json|/saran/|/tpp/)")


def visible_text(html: str) -> str:
    html = re.sub(r"<(script|style|template)\b.*?</\1>", " ", html, flags=re.S | re.I)
    html = re.sub(r"<(i|span)[^>]*material-icons[^>]*>.*?</\1>", " ", html, flags=re.S)
    html = re.sub(r"<!--.*?-->", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def plain_urls() -> list[str]:
    """Every URL pattern of the product that takes no argument."""
    found = []

    def walk(patterns, prefix):
        for p in patterns:
            route = str(p.pattern)
            if isinstance(p, URLResolver):
                if route.startswith(("admin/", "accounts/", "i18n/")):
                    continue
                walk(p.url_patterns, prefix + route)
            elif isinstance(p, URLPattern) and "<" not in route and "(?P" not in route:
                found.append("/" + (prefix + route).lstrip("^").rstrip("$"))

    walk(get_resolver().url_patterns, "")
    return sorted({u.replace("^", "").replace("$", "") for u in found})


def leaks(client, url: str) -> list[str]:
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="id", follow=True)
    assert response.status_code < 500, url
    if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
        return []
    text = visible_text(response.content.decode())
    return [f"{url}: …{text[max(0, m.start() - 40) : m.end() + 40]}…" for m in LEAK_RE.finditer(text)]


@pytest.fixture
def roles(org, opened, bkd, rules_pack):
    """The five roles, with one approved plan so that tasks, a timeline and a chart exist."""
    give_accounts(org.gubernur)
    skp = approve(org, org.pelaksana, org.kasi)
    rule_admin = give_accounts(org.kabid)[0].user
    rule_admin.groups.add(Group.objects.get(name="Admin Aturan"))
    return {
        "employee": org.pelaksana.user,
        "assessor": org.kasi.user,
        "admin": bkd,
        "rule admin": rule_admin,
        "governor": org.gubernur.user,
        "skp": skp,
    }


def test_no_page_shows_english_to_any_role(client, org, roles):
    skp: Skp = roles["skp"]
    kasi_skp = Skp.objects.get(pegawai=org.kasi)
    task = open_task(skp)
    own = [
        f"/appraisal/{skp.process_id}/",
        f"/kinerja/riwayat/{skp.pk}/",
        f"/kinerja/riwayat/{skp.pk}/?tampilan=teknis",
        f"/appraisal/{skp.process_id}/chart/",
        task_url(task),
        f"/appraisal/{kasi_skp.process_id}/",
        f"/kinerja/rekap/unit/{org.dinkes.pk}/",
        "/aturan/",
        "/admin/",
        "/admin/workflow/pegawai/",
    ]
    urls = [u for u in plain_urls() if not SKIP.search(u)] + own
    assert len(urls) > 40 and "/appraisal/inbox/" in urls and "/kinerja/rekap/" in urls
    found = []
    for role in ("employee", "assessor", "admin", "rule admin", "governor"):
        client.force_login(roles[role])
        for url in urls:
            found += [f"[{role}] {leak}" for leak in leaks(client, url)]
    assert not found, "\n".join(found)
    # the leaks the tour found, one by one (the same fixture: building it is the slow part)
    client.force_login(roles["employee"])
    svg = client.get(f"/appraisal/{roles['skp'].process_id}/chart/", HTTP_ACCEPT_LANGUAGE="id").content.decode()
    assert ">Susun SKP<" in svg and ">Setujui SKP<" in svg and "Skp" not in svg
    assert ">ya<" in svg and ">tidak<" in svg and ">yes<" not in svg
    client.force_login(roles["admin"])
    page = visible_text(client.get("/kinerja/audit/", HTTP_ACCEPT_LANGUAGE="id").content.decode())
    assert "Dari" in page and "Sampai" in page and "Menjadi" not in page
    admin = visible_text(client.get("/admin/", HTTP_ACCEPT_LANGUAGE="id").content.decode())
    assert "Administrasi Kinerja" in admin and "Django" not in admin
    page = visible_text(client.get("/admin/workflow/pegawai/", HTTP_ACCEPT_LANGUAGE="id").content.decode())
    assert "urutan" not in page.lower()  # the rules app's "position" (a row's order) no longer wins
    assert "Jabatan" in page
