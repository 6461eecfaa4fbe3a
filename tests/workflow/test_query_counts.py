"""Lists do not cost a query per row: each list page takes the same number of queries with 5 rows
as with 50 (issue 18, item 3). The page is fetched once to warm what is cached per process (the
session, content types, the org snapshot), then counted."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from tests.factories import PegawaiFactory, give_accounts
from tests.helpers import plan_rows
from workflow.models import Skp
from workflow.services import appraisal as svc
from workflow.services.period_open import period_open

pytestmark = pytest.mark.django_db


def _queries(client, url) -> int:
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


def _grow(org, periode, count, capture, *, submit=True):
    """``count`` more staff in the kasi's seksi, their appraisals opened and (``submit``) their
    plans submitted: one more approval in the kasi's inbox and one more row on every list."""
    people = PegawaiFactory.create_batch(count, instansi=org.instansi, unit=org.seksi, jabatan=org.pelaksana.jabatan)
    give_accounts(*people)
    with time_machine.travel(dt.datetime(2026, 1, 5, tzinfo=dt.UTC), tick=False), capture(execute=True):
        period_open(periode=periode, by=None)
    if submit:
        for skp in Skp.objects.filter(pegawai__in=people).select_related("pegawai__user"):
            svc.plan_submit(skp=skp, by=skp.pegawai.user, pendekatan="kuantitatif", rows=plan_rows(skp))


def _counts(client, user, urls) -> dict[str, int]:
    client.force_login(user)
    return {url: _queries(client, url) for url in urls}


ASSESSOR_PAGES = ["/kinerja/tim/", "/kinerja/tim/?format=csv"]
ADMIN_PAGES = ["/kinerja/rekap/", "/kinerja/hasil/", "/kinerja/audit/", "/kinerja/terlambat/"]


def test_the_team_page_takes_the_same_queries_for_5_rows_and_50(
    client, org, periode, django_capture_on_commit_callbacks
):
    give_accounts(org.kasi)
    _grow(org, periode, 5, django_capture_on_commit_callbacks, submit=False)
    few = _counts(client, org.kasi.user, ASSESSOR_PAGES)
    _grow(org, periode, 45, django_capture_on_commit_callbacks, submit=False)
    many = _counts(client, org.kasi.user, ASSESSOR_PAGES)
    assert many == few
    assert client.get("/kinerja/tim/").content.decode().count("/appraisal/") >= 50


def test_the_admin_lists_take_the_same_queries_for_5_rows_and_50(
    client, org, periode, bkd, django_capture_on_commit_callbacks
):
    pages = [*ADMIN_PAGES, f"/kinerja/rekap/?periode={periode.pk}", f"/kinerja/hasil/?periode={periode.pk}"]
    _grow(org, periode, 5, django_capture_on_commit_callbacks, submit=False)
    few = _counts(client, bkd, pages)
    _grow(org, periode, 45, django_capture_on_commit_callbacks, submit=False)
    many = _counts(client, bkd, pages)
    assert many == few


@pytest.fixture
def small_and_large_plans(org, periode, django_capture_on_commit_callbacks):
    """Two staff of the kasi's seksi with their plans submitted: a small one (1 core RHK, 1 extra)
    and a large one (6 core RHK, 4 extra, 2 indicators each)."""
    _grow(org, periode, 2, django_capture_on_commit_callbacks, submit=False)
    small, large = (
        Skp.objects.filter(pegawai__unit=org.seksi).exclude(pegawai=org.kasi).select_related("pegawai__user")[:2]
    )
    svc.plan_submit(skp=small, by=small.pegawai.user, pendekatan="kuantitatif", rows=plan_rows(small, 1, 1))
    svc.plan_submit(skp=large, by=large.pegawai.user, pendekatan="kuantitatif", rows=plan_rows(large, 6, 4, iki=2))
    return small, large


def test_the_appraisal_page_takes_the_same_queries_for_2_rhk_and_10(client, small_and_large_plans):
    """Its rows are the plan's RHK (each with indicators) and the steps so far."""
    small, large = small_and_large_plans
    client.force_login(small.pegawai.user)
    few = _queries(client, f"/appraisal/{small.process_id}/")
    client.force_login(large.pegawai.user)
    assert _queries(client, f"/appraisal/{large.process_id}/") == few


def test_the_audit_search_counts_no_further_than_its_cap(client, org, periode, bkd, monkeypatch):
    """The log grows without end: past the cap the page says "more than" and asks for a narrower
    search instead of counting every event of the government on each visit."""
    from workflow.models import AuditAction
    from workflow.services.audit import audit_record
    from workflow.views.audit import CappedPaginator

    for _ in range(4):
        audit_record(action=AuditAction.PERIOD_OPENED, obj=periode, by=bkd, before={}, after={})
    client.force_login(bkd)
    monkeypatch.setattr(CappedPaginator, "cap", 2)
    body = client.get("/kinerja/audit/").content.decode()
    assert "Lebih dari 2 peristiwa" in body
    monkeypatch.setattr(CappedPaginator, "cap", 10_000)
    body = client.get("/kinerja/audit/").content.decode()
    assert "Lebih dari" not in body and "peristiwa" in body


def test_the_inbox_and_the_queue_take_the_same_queries_for_5_tasks_and_50(
    client, org, periode, bkd, django_capture_on_commit_callbacks
):
    """The assessor's inbox with 5 and 50 plans to approve; the admin's queue beside it."""
    give_accounts(org.kasi)
    pages = ["/appraisal/inbox/"]
    _grow(org, periode, 5, django_capture_on_commit_callbacks)
    few = _counts(client, org.kasi.user, pages) | _counts(client, bkd, ["/appraisal/queue/"])
    _grow(org, periode, 45, django_capture_on_commit_callbacks)
    many = _counts(client, org.kasi.user, pages) | _counts(client, bkd, ["/appraisal/queue/"])
    assert many == few


def test_the_task_pages_take_the_same_queries_for_2_rhk_and_10(client, org, small_and_large_plans):
    """The approval page (the assessor's) and the midyear self-review page (the employee's) list
    the plan's RHK, each with its indicators: a plan of 2 RHK and one of 10 (2 indicators each)."""
    from tests.helpers import open_task, task_url

    give_accounts(org.kasi)
    small, large = small_and_large_plans
    client.force_login(org.kasi.user)
    assert _queries(client, task_url(open_task(small))) == _queries(client, task_url(open_task(large)))
    with time_machine.travel(dt.datetime(2026, 7, 2, 9, tzinfo=dt.UTC), tick=False):
        for skp in (small, large):
            svc.plan_decide(skp=skp, by=org.kasi.user, approve=True, expectations={})
        counts = []
        for skp in (small, large):
            task = open_task(skp)
            assert task.flow_task.name == "self_review"
            client.force_login(skp.pegawai.user)
            counts.append(_queries(client, task_url(task)))
    assert counts[0] == counts[1]


def test_a_step_page_reads_its_appraisal_and_people_with_the_task(client, org, small_and_large_plans):
    """The approval page reads the task with its holder, its appraisal, the employee (and their
    government), the assessor and the period in one query (``AppraisalFlow.task_page_related``):
    none of them is read again on its own, by the permission checks or the page, whatever the
    language."""
    import re

    from tests.helpers import open_task, task_url

    give_accounts(org.kasi)
    small, _large = small_and_large_plans
    client.force_login(org.kasi.user)
    url = task_url(open_task(small))
    for language in ("id", "en"):
        client.cookies["django_language"] = language
        assert client.get(url).status_code == 200
        with CaptureQueriesContext(connection) as ctx:
            page = client.get(url)
        assert page.status_code == 200 and small.pegawai.nama in page.content.decode()
        read_alone = [re.search(r'\bFROM "(\w+)"', q["sql"]).group(1) for q in ctx.captured_queries]
        for own in ("viewflow_process", "workflow_skp", "workflow_pegawai", "workflow_periode", "workflow_instansi"):
            assert own not in read_alone, (language, own, read_alone)
        assert read_alone.count("auth_user") == 1  # the signed-in user, by the session


def test_the_plan_and_review_rows_are_read_without_joins_for_their_order(client, small_and_large_plans):
    """A plan's RHK, their indicators and a review's rows are ordered by their parent's id and
    their own position: ordering by the parent itself made the database join the appraisal's
    period, government and employee only to sort rows that all belong to one appraisal."""
    import re

    small, _large = small_and_large_plans
    client.force_login(small.pegawai.user)
    url = f"/appraisal/{small.process_id}/"
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    rows = {}
    for q in ctx.captured_queries:
        table = re.search(r'\bFROM "(\w+)"', q["sql"]).group(1)
        rows.setdefault(table, []).append(q["sql"])
    assert {"workflow_rhk", "workflow_iki"} <= set(rows)
    lists = ("workflow_rhk", "workflow_iki", "workflow_evaluasi", "workflow_realisasirhk", "workflow_realisasiiki")
    for table in lists:
        for sql in rows.get(table, []):
            for unrelated in ("workflow_instansi", "workflow_pegawai", "workflow_periode"):
                assert f'JOIN "{unrelated}"' not in sql, (table, unrelated)


def test_the_team_page_reads_its_units_organisation_predikat_once(client, org, periode, opened, bkd):
    """The achievement in force, the team's distribution pattern and the level's calibration all
    ask for the organisation predikat of the assessor's unit chain: one read for the page, and
    the page shows the predikat set above the unit (inherited) as in force."""
    from workflow.models import AuditAction, CapaianOrganisasi, Predikat
    from workflow.services.audit import audit_record

    give_accounts(org.kasi)
    capaian = CapaianOrganisasi.objects.create(
        periode=periode, unit=org.dinkes, predikat=Predikat.SANGAT_BAIK, ditetapkan_oleh=bkd, catatan="indikator-lama"
    )
    client.force_login(org.kasi.user)

    def view():
        with CaptureQueriesContext(connection) as ctx:
            page = client.get("/kinerja/tim/").content.decode()
        return page, [q["sql"] for q in ctx.captured_queries if 'FROM "workflow_capaianorganisasi"' in q["sql"]]

    page, reads = view()
    assert len(reads) == 1, reads
    assert "Sangat Baik" in page and org.dinkes.nama in page
    # kept until the next audited write: the next view reads none, and shows the same
    again, reads = view()
    assert reads == [] and "Sangat Baik" in again and "indikator-lama" in again
    # a change (as capaian_set makes it: the row and its audit event) is seen on the next view
    with transaction.atomic():
        capaian.predikat, capaian.catatan = Predikat.BAIK, "indikator-baru"
        capaian.save()
        audit_record(action=AuditAction.CAPAIAN_SET, obj=capaian, by=bkd)
    page, reads = view()
    assert len(reads) == 1 and "indikator-baru" in page and "indikator-lama" not in page


def test_the_team_pages_rows_are_kept_until_the_next_audited_write(client, org, opened):
    """The team's appraisals, their open tasks and the SKP of members with several are read on
    the first view and kept until a write (every step writes an audit event): the next view
    reads none of them; after the employee submits the plan the page shows the new step, held
    by the assessor who is looking ("you")."""
    import re

    from tests.helpers import plan_rows

    give_accounts(org.kasi)
    client.force_login(org.kasi.user)

    def view():
        with CaptureQueriesContext(connection) as ctx:
            page = client.get("/kinerja/tim/")
        assert page.status_code == 200
        # rows read, not counted (the menu's badge counts the open tasks on every page)
        tables = [
            m.group(1)
            for q in ctx.captured_queries
            if not q["sql"].startswith("SELECT COUNT(") and (m := re.search(r'\bFROM "(\w+)"', q["sql"]))
        ]
        row = re.search(rf"{re.escape(org.pelaksana.nama)}</a>.*?</tr>", page.content.decode(), re.S).group(0)
        return row, tables

    row, tables = view()
    assert "Susun SKP" in row and {"workflow_skp", "viewflow_task"} <= set(tables)
    again, tables = view()
    assert again == row and "workflow_skp" not in tables and "viewflow_task" not in tables, " ".join(tables)
    skp = Skp.objects.select_related("pegawai__user").get(pegawai=org.pelaksana)
    svc.plan_submit(skp=skp, by=skp.pegawai.user, pendekatan="kuantitatif", rows=plan_rows(skp))
    row, tables = view()
    assert "Setujui SKP" in row and "<strong>Anda</strong>" in row and "viewflow_task" in tables
