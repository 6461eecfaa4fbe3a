"""viewflow's pages as the product's users read them: every list and the process page in
Indonesian, steps by their titles, people by their names; the team page against its pattern."""

import datetime as dt

import pytest
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.helpers import MIDYEAR, approve, open_task, rows, task_url, through_final_review
from workflow.domain.distribution import distribution_breaches, pattern_bounds
from workflow.models import CapaianOrganisasi, StatusSkp

pytestmark = pytest.mark.django_db

ENGLISH_HEADERS = ["Brief", "Process summary", "Process id", "Active tasks", ">Start<", ">Done<", ">Scheduled<"]


@pytest.fixture
def published(org, opened, rules_pack):
    skp = through_final_review(org, org.pelaksana, org.kasi, lambda r: "di_atas", lambda v: "sesuai")
    assert skp.status == StatusSkp.DIPUBLIKASIKAN
    return skp


def test_the_process_page_lists_each_step_by_title_with_who_held_it(client, org, published):
    client.force_login(org.pelaksana.user)
    body = client.get(f"/appraisal/{published.process_id}/").content.decode()
    steps = body[body.index("kinerja-steps") :]
    for title in [
        "Penilaian dibuka",
        "Susun SKP",
        "Setujui SKP",
        "Evaluasi periodik mandiri",
        "Evaluasi tahunan",
        "Hitung dengan aturan",
        "Publikasikan hasil",
        "Masa keberatan",
    ]:
        assert title in steps, title
    assert org.pelaksana.nama in steps and org.kasi.nama in steps  # names, not logins
    assert org.pelaksana.nip not in steps
    assert "Selesai" in steps and "Terjadwal" in steps  # the appeal window is waiting
    for english in ENGLISH_HEADERS:
        assert english not in body, english


@pytest.mark.parametrize(
    "url", ["/appraisal/inbox/", "/appraisal/archive/", "/appraisal/flows/", "/appraisal/tasks/", "/appraisal/queue/"]
)
def test_task_and_process_lists_speak_indonesian(client, org, published, url):
    client.force_login(org.kasi.user)
    response = client.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    for english in ENGLISH_HEADERS:
        assert english not in body, english
    if url in ("/appraisal/archive/", "/appraisal/tasks/"):
        assert "Evaluasi tahunan" in body  # the step's title, not the node's code name "Final Review"
        assert "Final Review" not in body
    if url == "/appraisal/tasks/":
        table = body[body.index("<table") :]
        assert org.kasi.nama in table and org.kasi.nip not in table  # holders by name, not by login


def test_lists_switch_to_english_when_the_user_chooses(client, org, published):
    client.force_login(org.pelaksana.user)
    client.post("/i18n/setlang/", {"language": "en", "next": "/appraisal/archive/"})
    body = client.get("/appraisal/archive/").content.decode()
    assert "Summary" in body and "Annual self-review" in body
    body = client.get(f"/appraisal/{published.process_id}/").content.decode()
    assert "Held by" in body and "Appraisal opened" in body and ">Done<" in body


def test_the_team_page_shows_the_distribution_against_its_pattern(client, org, published):
    # Bidang P2P is "Butuh Perbaikan": at least 60 % Butuh Perbaikan, at most 10 % Sangat Baik.
    CapaianOrganisasi.objects.create(periode=published.periode, unit=org.bidang, predikat="butuh_perbaikan")
    client.force_login(org.kasi.user)
    body = client.get("/kinerja/tim/").content.decode()
    assert "Predikat kinerja organisasi unit: <strong>Butuh Perbaikan</strong>" in body
    assert "kebijakan peringatan" in body
    pattern = body[body.index('kinerja-pattern"') :]
    # the kasi rates one person, published as Baik: Sangat Baik 0 ≤ 0 (met); the minimum of Butuh
    # Perbaikan is judged because the whole team is scored, and is breached (0 of 1).
    assert "Sangat Baik: paling banyak 10 % (0 orang)" in pattern
    assert "Butuh Perbaikan: paling sedikit 60 % (1 orang)" in pattern
    assert pattern.count("terpenuhi") == 1 and pattern.count("dilanggar") == 1


def test_the_team_page_says_when_the_organisation_predikat_is_missing(client, org, published):
    client.force_login(org.kasi.user)
    body = client.get("/kinerja/tim/").content.decode()
    assert "Predikat kinerja organisasi unit belum ditetapkan" in body
    assert 'kinerja-pattern"' not in body


def test_pattern_bounds_round_to_whole_people_and_leave_out_what_allows_anything():
    pattern = {
        "max_sangat_baik": 0.1,
        "min_sangat_baik": 0,
        "max_baik": 1,
        "min_butuh_perbaikan": 0.6,
        "min_orang_butuh_perbaikan_atau_kurang": 1,
        "unrelated": 3,
    }
    counts = {"sangat_baik": 1, "baik": 3, "butuh_perbaikan": 2}
    with translation.override("id"):
        bounds = pattern_bounds(counts=counts, total=7, pattern=pattern, complete=False)
        rules = [b.rule for b in bounds]
    assert rules == [
        "Sangat Baik: paling banyak 10 % (1 orang)",
        "Butuh Perbaikan: paling sedikit 60 % (4 orang)",
        "Butuh Perbaikan / Kurang/Misconduct: paling sedikit 1 orang",
    ]
    assert [(b.have, b.judged, b.ok) for b in bounds] == [(1, True, True), (2, False, True), (2, False, True)]
    # once the team is complete, the 60 % minimum (4 of 7) is breached
    with translation.override("en"):
        assert distribution_breaches(counts=counts, total=7, pattern=pattern, complete=True) == [
            "Butuh Perbaikan (needs improvement): 2 of 7 employees, at least 4 required."
        ]


def test_review_pages_show_the_targets_and_the_expectations_to_rate_against(client, org, opened):
    import time_machine

    from workflow.services import appraisal as svc

    with time_machine.travel(MIDYEAR, tick=False):
        skp = approve(org, org.pelaksana, org.kasi)
        client.force_login(org.pelaksana.user)
        body = client.get(task_url(open_task(skp))).content.decode()
        assert "Persentase bayi diimunisasi lengkap — target 95 %" in body
        svc.self_review_submit(
            skp=skp,
            by=org.pelaksana.user,
            rows=[svc.RealisasiInput(rhk_id=r.pk, realisasi="Capaian semester I") for r in skp.rhk_set.all()],
        )
        client.force_login(org.kasi.user)
        body = client.get(task_url(open_task(skp))).content.decode()
    assert "Persentase bayi diimunisasi lengkap — target 95 %" in body
    assert "Indeks kepuasan — target 80 indeks" in body
    assert "<strong>Ekspektasi:</strong> Ekspektasi khusus untuk nilai kolaboratif" in body


@pytest.mark.parametrize("url", ["/appraisal/tasks/", "/appraisal/archive/", "/appraisal/flows/"])
def test_lists_load_their_rows_without_a_query_per_row(client, org, published, url, django_assert_max_num_queries):
    client.force_login(org.kasi.user)
    rows = client.get(url).content.decode().count(f"/appraisal/{published.process_id}/")
    assert rows >= 1
    # the page's fixed queries (session, user, permissions, menu counters, count, rows): not one per row
    with django_assert_max_num_queries(16):
        client.get(url)


def test_the_team_page_shows_each_subordinates_current_step_and_who_holds_it(client, org, opened):
    from workflow.models import Skp
    from workflow.services import appraisal as svc

    client.force_login(org.kasi.user)
    team = client.get("/kinerja/tim/").content.decode()
    table = team[team.index("kinerja-team-skp") :]
    assert "Susun SKP" in table and org.pelaksana.nama in table  # the employee drafts
    skp = Skp.objects.get(pegawai=org.pelaksana)
    svc.plan_submit(skp=skp, by=org.pelaksana.user, pendekatan="kuantitatif", rows=rows())
    team = client.get("/kinerja/tim/").content.decode()
    table = team[team.index("kinerja-team-skp") :]
    assert "Setujui SKP" in table and "<strong>Anda</strong>" in table  # now it waits for the assessor
    assert "Setujui SKP: <strong>1</strong>" in team  # counts per step


def test_the_steps_table_reads_as_the_template_loop_wrote_it(org, published):
    """The process page's steps are written by a template tag: the same rows as the template loop
    it replaced (links, holders escaped, local dates, "—" for a step not finished), in both
    languages."""
    from django.template import Context, Template
    from viewflow.workflow.models import Task

    loop = Template(
        "{% for task, holder, task_url in task_rows %}<tr>\n    <td>{{ task.pk }}</td>\n"
        '    <td>{% if task_url %}<a href="{{ task_url }}">{{ task.title }}</a>'
        "{% else %}{{ task.title }}{% endif %}</td>\n"
        '    <td>{{ holder|default:"—" }}</td>\n    <td>{{ task.created|date:"d-m-Y H:i" }}</td>\n'
        '    <td>{{ task.finished|date:"d-m-Y H:i"|default:"—" }}</td>\n    <td>{{ task.get_status_display }}</td>\n'
        "  </tr>{% endfor %}"
    )
    tag = Template("{% load kinerja %}{% step_rows task_rows %}")
    tasks = list(Task.objects.filter(process_id=published.process_id).order_by("pk"))
    assert any(t.finished is None for t in tasks) and any(t.finished for t in tasks)
    task_rows = [
        (task, ["", "Dewi <Hakim> & co", "Hendra"][i % 3], f"/appraisal/x/{task.pk}/?a=1&b=2" if i % 2 else "")
        for i, task in enumerate(tasks)
    ]
    for language in ("id", "en"):
        with translation.override(language):
            context = Context({"task_rows": task_rows})
            assert tag.render(context) == loop.render(context)
    assert "&lt;Hakim&gt;" in tag.render(Context({"task_rows": task_rows}))


@given(
    moment=st.datetimes(
        min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2200, 12, 31), timezones=st.just(dt.UTC)
    )
)
@settings(max_examples=200, deadline=None)
def test_the_rows_dates_read_as_the_date_filter_writes_them(moment):
    """The steps' and the audit's rows write their dates with strftime: the same text as the
    template's ``date`` filter ("d-m-Y H:i" and "d-m-Y H:i:s", local time), in both languages."""
    from django.template import Context, Template

    from workflow.templatetags.kinerja import MINUTE, SECOND, _when

    shown = Template('{{ moment|date:"d-m-Y H:i" }}|{{ moment|date:"d-m-Y H:i:s" }}')
    for language in ("id", "en"):
        with translation.override(language):
            assert f"{_when(moment, MINUTE)}|{_when(moment, SECOND)}" == shown.render(Context({"moment": moment}))
    assert _when(None, MINUTE) == ""


@settings(max_examples=60, deadline=None)
@given(
    process_pk=st.integers(min_value=1, max_value=10**13),
    task_pk=st.sampled_from([1, 9876543210123, 3210123456789]) | st.integers(min_value=1, max_value=10**13),
)
def test_each_steps_link_is_the_nodes_own_url(process_pk, task_pk):
    """The steps' links are worked out once per node from its URL pattern: for every human step
    of every flow, in the namespace a process page passes or none, the same URL as reversing the
    node's pattern — including ids that look like the marks the pattern is built with."""
    from django.urls import get_resolver

    from workflow.flows import AppealFlow, AppraisalFlow, CapaianFlow, KalibrasiFlow
    from workflow.views.flow_pages import step_url

    get_resolver().url_patterns  # noqa: B018 - the flows' viewsets take their place in the URLs
    checked = 0
    for flow_class in (AppraisalFlow, AppealFlow, CapaianFlow, KalibrasiFlow):
        namespace = get_resolver().resolve(flow_class.instance.reverse("index")).namespace
        for node in flow_class.instance.nodes():
            if getattr(node, "task_type", None) != "HUMAN":
                continue
            for current_app in (None, namespace):
                expected = node.reverse("index", args=[process_pk, task_pk], current_app=current_app)
                assert step_url(node, process_pk, task_pk, current_app) == expected
                checked += 1
    assert checked >= 10


def test_the_flow_pages_show_the_products_menu_without_viewflows_per_flow_counts(client, org, published, bkd):
    """A flow's pages (the process page, a task list) show the product's menu, with its one inbox
    across the flows: viewflow's own inbox and queue of the flow, built for its per-flow menu, are
    not put into their context (two querysets per page that nothing showed)."""
    client.force_login(bkd)
    for url in (f"/appraisal/{published.process_id}/", "/appraisal/queue/", "/appeal/queue/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "user_inbox" not in response.context and "user_queue" not in response.context, url
        assert 'href="/kinerja/kotak-masuk/"' in response.content.decode(), url  # the product's inbox
