"""The audit pages as their readers meet them: the appraisal's history in Indonesian with from → to
changes, the admins' search with CSV export, and no peeking without the right to see."""

import csv
import datetime as dt
import io

import pytest
from django.contrib.auth import get_user_model
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.factories import InstansiFactory, PegawaiFactory, give_accounts
from tests.helpers import EXPECTED_STORY, RETURN_NOTE, pack_in_force, whole_lifecycle
from workflow.models import AuditAction, PeranAdmin, Skp
from workflow.services.audit import audit_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(org, opened_by_bkd, rules_pack):
    return whole_lifecycle(org, org.pelaksana, org.kasi)


def test_the_appraisal_page_links_to_its_history(client, org, published):
    client.force_login(org.pelaksana.user)
    from django.urls import reverse

    page = client.get(reverse("appraisal:process_detail", args=[published.process_id]))
    assert page.status_code == 200
    assert reverse("kinerja:timeline", args=[published.pk]) in page.content.decode()


def test_the_timeline_tells_who_did_what_with_changes_in_indonesian(client, org, published):
    from django.urls import reverse

    client.force_login(org.pelaksana.user)
    with translation.override("id"):
        body = client.get(reverse("kinerja:timeline", args=[published.pk]), HTTP_ACCEPT_LANGUAGE="id").content.decode()
    assert "Riwayat penilaian" in body
    assert "SKP dikembalikan" in body and RETURN_NOTE in body
    assert org.kasi.user.get_username() in body or org.kasi.nama in body
    # a field-level change: the returned plan's status, and the revised target 95 → 98
    assert "<del>SKP diajukan</del> → <ins>SKP dikembalikan</ins>" in body
    assert org.kasi.nama in body  # the assessor snapshot is named, not numbered
    assert "<del>95.00</del> → <ins>98.00</ins>" in body
    assert "Hasil dipublikasikan" in body
    assert f"Versi aturan {pack_in_force().number}: bandingkan" in body
    assert "/aturan/versi/" not in body  # the rules editor is for admins: no link the employee cannot open
    # task rows name the step by its title and the holder by name, without viewflow's bookkeeping
    assert "Langkah: Susun SKP" in body and "Draft Plan" not in body  # each task row is titled by its step
    assert f"→ <ins>{org.pelaksana.nama}</ins>" in body
    assert "workflow.manage_appraisal" not in body


def test_an_admin_reaches_the_rule_version_from_the_timeline(client, org, published, bkd):  # noqa: F811
    from django.contrib.auth.models import Group
    from django.urls import reverse

    bkd.groups.add(Group.objects.get(name="Admin Aturan"))  # the rules editors' group
    client.force_login(bkd)
    body = client.get(reverse("kinerja:timeline", args=[published.pk])).content.decode()
    assert "/aturan/versi/" in body and f"Versi aturan {pack_in_force().number}: bandingkan" in body


def test_a_stranger_gets_no_timeline(client, org, published):
    from django.urls import reverse

    url = reverse("kinerja:timeline", args=[published.pk])
    give_accounts(org.fungsional)
    client.force_login(org.fungsional.user)  # a colleague in another unit: not their appraisal
    assert client.get(url).status_code == 404
    other_admin = get_user_model().objects.create_user("admin.kota", is_staff=True)
    PeranAdmin.objects.create(user=other_admin, instansi=InstansiFactory(kode="PEMKOT-BKL"))
    client.force_login(other_admin)
    assert client.get(url).status_code == 404
    client.force_login(org.kasi.user)  # the assessor may
    assert client.get(url).status_code == 200


@pytest.fixture
def two_governments_events(org, bkd):  # noqa: F811
    kota = InstansiFactory(kode="PEMKOT-BKL", nama="Pemerintah Kota Bengkulu")
    warga = PegawaiFactory(instansi=kota, nama="Rudi Lubis, S.E.")
    audit_record(action=AuditAction.PERIOD_CREATED, obj=org.instansi, by=bkd, reason="periode provinsi")
    audit_record(action=AuditAction.ORG_IMPORTED, obj=warga, reason="impor kota")
    return kota


def test_the_audit_search_is_scoped_to_the_admins_government(client, org, bkd, two_governments_events):  # noqa: F811
    client.force_login(bkd)
    body = client.get("/kinerja/audit/").content.decode()
    assert "periode provinsi" in body and "impor kota" not in body


def test_the_audit_search_filters_and_exports_csv(client, org, bkd, published):  # noqa: F811
    client.force_login(bkd)
    page = client.get("/kinerja/audit/", {"action": AuditAction.PLAN_RETURNED}).content.decode()
    assert RETURN_NOTE in page and "<td>Hasil dipublikasikan</td>" not in page
    page = client.get("/kinerja/audit/", {"person": org.kasi.user.username}).content.decode()
    assert RETURN_NOTE in page
    page = client.get(
        "/kinerja/audit/", {"obj": f"skp:{published.pk}", "date_from": "2026-12-01", "date_to": "2026-12-31"}
    ).content.decode()
    assert RETURN_NOTE not in page and "<td>SKP diajukan</td>" not in page and "<td>Hasil dipublikasikan</td>" in page
    response = client.get("/kinerja/audit/", {"obj": f"skp:{published.pk}", "format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(content, newline=""), delimiter=";"))
    assert [r["Aksi"] for r in rows][::-1][:3] == ["Penilaian dibuka", "SKP diajukan", "SKP dikembalikan"]
    assert len(rows) == Skp.objects.filter(pk=published.pk).count() * len(EXPECTED_STORY)


def test_each_audit_row_shows_number_local_time_actor_action_linked_object_and_escaped_reason(
    client,
    org,
    bkd,
    published,  # noqa: F811
):
    from django.utils import timezone

    from workflow.models import AuditEvent

    audit_record(action=AuditAction.PERIOD_CREATED, obj=org.instansi, by=bkd, reason="<b>dibuka</b> & dicatat")
    client.force_login(bkd)
    page = client.get("/kinerja/audit/").content.decode()
    newest = AuditEvent.objects.order_by("-seq").first()
    when = timezone.localtime(newest.time).strftime("%d-%m-%Y %H:%M:%S")
    assert f'<tr><td>{newest.seq}</td><td style="white-space:nowrap">{when}</td><td>admin.bkd</td>' in page
    assert "<td>Periode dibuat</td>" in page and "<td>&lt;b&gt;dibuka&lt;/b&gt; &amp; dicatat</td>" in page
    assert f'<a href="/kinerja/riwayat/{published.pk}/">' in page  # an SKP's events link to its timeline
    assert "Tidak ada peristiwa" not in page
    assert "Tidak ada peristiwa" in client.get("/kinerja/audit/", {"person": "nobody-at-all"}).content.decode()


def test_an_employee_cannot_search_the_audit_log(client, org):
    give_accounts(org.pelaksana)
    client.force_login(org.pelaksana.user)
    assert client.get("/kinerja/audit/").status_code == 403


def test_the_audit_searchs_count_is_kept_until_the_next_event(client, org, bkd, two_governments_events):  # noqa: F811
    """Events are only appended, each moving the chain's head: a search counts its events once
    and shows that count until the next event, which it then counts; another search (a filter)
    counts on its own."""
    import re

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def shown(params=None):
        with CaptureQueriesContext(connection) as ctx:
            body = client.get("/kinerja/audit/", params or {}).content.decode()
        counted = sum('FROM "workflow_auditevent"' in q["sql"] and "COUNT(" in q["sql"] for q in ctx.captured_queries)
        return int(re.search(r"(\d+) peristiwa", body).group(1)), counted

    client.force_login(bkd)
    first, counted = shown()
    assert counted == 1 and first >= 1
    assert shown() == (first, 0)  # kept: nothing was written since
    audit_record(action=AuditAction.PERIOD_CREATED, obj=org.instansi, by=bkd, reason="periode kedua")
    assert shown() == (first + 1, 1)
    assert shown({"action": AuditAction.PERIOD_CREATED}) == (2, 1)
    assert shown({"action": AuditAction.PERIOD_CREATED}) == (2, 0)
    assert shown({"action": AuditAction.ORG_IMPORTED}) == (0, 1)  # the other government's event is not counted


def test_the_audit_search_page_reads_only_what_its_rows_show(client, org, bkd, published):  # noqa: F811
    """The page's rows read no event's before/after or hashes and join neither the acting user nor
    the content types; an event about no object shows its name without a link."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    audit_record(action=AuditAction.PERIOD_CREATED, by=bkd, reason="tanpa objek", instansi_id=org.instansi.pk)
    client.force_login(bkd)
    with CaptureQueriesContext(connection) as ctx:
        page = client.get("/kinerja/audit/").content.decode()
    [rows] = [q["sql"] for q in ctx.captured_queries if "auditevent" in q["sql"] and "DESC LIMIT" in q["sql"]]
    for column in ('"before"', '"after"', '"hash"', '"prev_hash"', "auth_user", "django_content_type"):
        assert column not in rows
    assert "<td>tanpa objek</td>" in page
    assert f'<a href="/kinerja/riwayat/{published.pk}/">' in page  # an SKP's event still links its timeline


# The audit search's rows as a template loop writes them (the reference of the ``audit_rows`` tag).
_AUDIT_LOOP = (
    '{% for e in events %}<tr><td>{{ e.seq }}</td><td style="white-space:nowrap">{{ e.time|date:"d-m-Y H:i:s" }}'
    "</td><td>{{ e.actor_repr }}</td>\n        <td>{{ e.get_action_display }}</td>\n        <td>"
    "{% if e.content_type.model == 'skp' %}<a href=\"{% url 'kinerja:timeline' e.object_id %}\">{{ e.object_repr }}"
    '</a>{% else %}{{ e.object_repr }}{% endif %}</td>\n        <td>{{ e.reason }}</td><td>{{ e.ip|default:"" }}'
    "</td></tr>\n{% endfor %}"
)


@given(
    events=st.lists(
        st.fixed_dictionaries(
            {
                "seq": st.integers(1, 10**12),
                "time": st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2100, 1, 1)),
                "actor_repr": st.text(max_size=20),
                "action": st.sampled_from(AuditAction.values),
                "skp": st.booleans(),
                "object_id": st.integers(1, 10**9).map(str),
                "object_repr": st.text(max_size=20),
                "reason": st.text(max_size=30),
                "ip": st.one_of(st.none(), st.ip_addresses().map(str)),
            }
        ),
        max_size=4,
    ),
    language=st.sampled_from(["id", "en"]),
)
@settings(max_examples=80, deadline=None)
def test_the_audit_rows_read_as_a_template_loop_writes_them(events, language):
    """The audit search's rows are written by a tag: byte for byte what a template loop writes
    (escaped names and reasons, local times, the action's label, an SKP's link to its timeline)."""
    from django.contrib.contenttypes.models import ContentType
    from django.template import Context, Template
    from django.utils import timezone

    from workflow.models import AuditEvent

    types = {True: ContentType.objects.get_for_model(Skp), False: ContentType.objects.get_for_model(PeranAdmin)}
    rows = [
        AuditEvent(
            **{k: v for k, v in e.items() if k not in ("skp", "time")},
            time=timezone.make_aware(e["time"], dt.UTC),
            content_type=types[e["skp"]],
        )
        for e in events
    ]
    with translation.override(language):
        context = Context({"events": rows})
        tag = Template("{% load kinerja %}{% audit_rows events %}").render(context)
        assert tag == Template(_AUDIT_LOOP).render(context)
