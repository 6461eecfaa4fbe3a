"""Generated junk posted to every form of the product, as each role finds them.

A crawler signs in as each role, follows the product's links from the home page and collects every
form it meets (field names, hidden values and choices as the page renders them). Hypothesis then
fills those forms with junk — NUL characters, numbers too large for any column, malformed dates and
ids, very long text, markup — and posts it. Whatever the junk, the product answers with a page, never
an HTTP 500 (the test client re-raises a server error), and when it does not accept the input
(anything but a redirect after success) not one row of the database has changed.

The Django admin's forms are left to the admin's own tests; logout and language forms are left out.
Raise ``JUNK_EXAMPLES`` to post more per form (default 6).
"""

from __future__ import annotations

import datetime as dt
import os
import re
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
import time_machine
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import resolve
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers import MIDYEAR, approve, plan_approved, rows, through_final_review
from workflow.models import PeranAdmin, Skp
from workflow.services import appeal as appeal_svc
from workflow.services import appraisal as svc
from workflow.services.capaian import capaian_tasks_open
from workflow.services.roles import ensure_admin_group

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("JUNK_EXAMPLES", "6"))
MAX_PAGES = 120
DOWNLOADS = re.compile(r"^/kinerja/dokumen/(\d+|paket/\d+/unduh)/")
SKIP_PREFIXES = ("/admin/", "/accounts/logout", "/i18n/", "/static/", "/media/")

JUNK = [
    "",
    " ",
    "abc",
    "-1",
    "0",
    "1e309",
    "-1e309",
    "1e20",
    "0.001",
    "NaN",
    "Infinity",
    "99999999999999999999",
    "2026-13-45",
    "31-02-2026",
    "\x00",
    "a\x00b",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "x" * 10_001,
    "١٢٣",
    "𝟗𝟗",
    "1,5",
    "0,5",
    "[0,5..1)",
    "in {a, b",
    "../../etc/passwd",
]


class FormParser(HTMLParser):
    """The links and the POST forms of a page: each form's action and its fields."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links, self.forms, self._form, self._select = [], [], None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "form":
            self._form = {"action": a.get("action") or "", "method": (a.get("method") or "get").lower(), "fields": {}}
        elif self._form is not None and tag in ("input", "textarea", "select", "button") and a.get("name"):
            kind = a.get("type", "text" if tag != "select" else "select").lower()
            if tag == "select":
                kind = "select"
            field = self._form["fields"].setdefault(a["name"], {"kind": kind, "values": []})
            if a.get("value") is not None:
                field["values"].append(a["value"])
            if tag == "select":
                self._select = field
        elif tag == "option" and self._select is not None and a.get("value") is not None:
            self._select["values"].append(a["value"])

    def handle_endtag(self, tag):
        if tag == "form" and self._form is not None:
            self.forms.append(self._form)
            self._form = None
        elif tag == "select":
            self._select = None


def crawl(client) -> list[dict]:
    """Every distinct POST form reachable from the home page (by action URL and field names)."""
    seen, queue, forms, keys = set(), ["/"], [], set()
    while queue and len(seen) < MAX_PAGES:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url, follow=True)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        page = response.request["PATH_INFO"] + (
            "?" + response.request["QUERY_STRING"] if response.request.get("QUERY_STRING") else ""
        )
        parser = FormParser()
        parser.feed(response.content.decode())
        for href in parser.links:
            target = urldefrag(urljoin(page, href))[0]
            parts = urlsplit(target)
            if parts.netloc or parts.scheme not in ("", "http") or parts.path.startswith(SKIP_PREFIXES):
                continue
            if "format=" in parts.query or "page=" in parts.query:
                continue
            if DOWNLOADS.match(parts.path):  # PDF and ZIP downloads hold no form (and take a while to make)
                continue
            queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
        for form in parser.forms:
            action = urljoin(page, form["action"] or page)
            if form["method"] != "post" or urlsplit(action).path.startswith(SKIP_PREFIXES):
                continue
            path = urlsplit(action).path
            match = resolve(path)  # one form per URL pattern: the same view with another id adds nothing
            key = (match.route, match.url_name, tuple(sorted(form["fields"])))
            if key not in keys:
                keys.add(key)
                forms.append({**form, "action": action})
    return forms


def fingerprint() -> dict[str, int]:
    """Row counts of every table the product writes (domain, history, audit, viewflow, accounts)."""
    labels = {"workflow", "rules", "viewflow", "auth", "sessions"} - {"sessions"}
    return {m._meta.label: m._default_manager.count() for m in apps.get_models() if m._meta.app_label in labels}


def junk_for(field: dict):
    known = [v for v in field["values"] if v is not None]
    if field["kind"] == "file":
        return st.builds(
            lambda name, body: SimpleUploadedFile(name, body),
            st.sampled_from(["bukti.pdf", "a\x00b.pdf", "x" * 300 + ".exe", "..%2f..%2fetc.txt"]),
            st.binary(max_size=64),
        )
    choices = [st.sampled_from(JUNK), st.text(max_size=40)]
    if known:
        choices.append(st.sampled_from(known))
    return st.one_of(*choices)


def post_junk(client, form):
    fields = {name: f for name, f in form["fields"].items() if name != "csrfmiddlewaretoken"}

    @settings(
        max_examples=EXAMPLES, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck)
    )
    @given(st.fixed_dictionaries({name: junk_for(f) for name, f in fields.items()}))
    def attempt(data):
        with transaction.atomic():
            before = fingerprint()
            response = client.post(form["action"], data)  # a server error is raised here
            assert response.status_code < 500, (form["action"], response.status_code)
            if response.status_code != 302:
                assert fingerprint() == before, f"{form['action']} answered {response.status_code} but wrote rows"
            transaction.set_rollback(True)

    attempt()


@pytest.fixture
def world(org, periode, opened, rules_pack, django_capture_on_commit_callbacks):
    """Tasks at every step the pages offer: a plan to draft and one to approve, an annual review,
    a published result the employee may appeal, an appeal waiting for its decision, and the
    organisation's achievement to set (the Kadis: Bidang P2P; the admins' queue: the OPD)."""
    users = get_user_model().objects
    admin = users.create_user("admin.junk", is_staff=True)
    admin.groups.add(ensure_admin_group(), Group.objects.get_or_create(name="Admin Aturan")[0])
    PeranAdmin.objects.create(user=admin, instansi=org.instansi)
    # the pelaksana's result is published (appeal page); the functional official's appeal awaits its decision
    through_final_review(org, org.pelaksana, org.kasi, lambda r: "di_atas", lambda v: "sesuai")
    appealed = through_final_review(org, org.fungsional, org.kabid, lambda r: "di_atas", lambda v: "sesuai")
    with time_machine.travel(dt.datetime(2026, 12, 3, 9, tzinfo=dt.UTC), tick=False):
        keberatan = appeal_svc.appeal_file(skp=appealed, by=org.fungsional.user, alasan="Capaian tidak dihitung")
        appeal_svc.appeal_respond(keberatan=keberatan, by=org.kabid.user, tanggapan="Sudah sesuai")
    # the Kasi's plan waits for the Kabid's approval; the Kabid's midyear self-review is open (evidence
    # upload); the Kadis drafts a plan
    skp_kasi = org.kasi.skp_set.get()
    svc.plan_submit(skp=skp_kasi, by=org.kasi.user, pendekatan="kuantitatif", rows=rows())
    with time_machine.travel(MIDYEAR, tick=False):
        approve(org, org.kabid, org.kadis)
    with django_capture_on_commit_callbacks(execute=True):
        capaian_tasks_open(periode=periode, by=admin)
    return {
        "pegawai": org.pelaksana.user,
        "kasi": org.kasi.user,
        "kabid": org.kabid.user,
        "kadis": org.kadis.user,
        "admin": admin,
    }


@pytest.mark.parametrize("role", ["pegawai", "kasi", "kabid", "kadis", "admin"])
def test_junk_in_every_form_gets_a_page_and_changes_nothing(client, world, role):
    client.force_login(world[role])
    forms = crawl(client)
    assert forms, f"the crawler found no form for {role}"
    for form in forms:
        post_junk(client, form)


@pytest.fixture
def linked_world(org, opened):
    """The government requires every core RHK to support the assessor's approved RHK: the Kabid's
    plan is approved (the Kadis's first), so the Kasi drafts with the Kabid's RHK to pick from,
    while the pelaksana waits for the Kasi's plan."""
    org.instansi.rhk_atasan_wajib = True
    org.instansi.save()
    plan_approved(Skp.objects.get(pegawai=org.kabid))
    return {"pegawai": org.pelaksana.user, "kasi": org.kasi.user}


@pytest.mark.parametrize("role", ["pegawai", "kasi"])
def test_junk_in_the_plan_form_when_the_link_is_required(client, linked_world, role):
    client.force_login(linked_world[role])
    forms = [f for f in crawl(client) if "rhk-0-rhk_atasan" in f["fields"]]
    assert forms, f"the crawler found no plan form for {role}"
    for form in forms:
        post_junk(client, form)
