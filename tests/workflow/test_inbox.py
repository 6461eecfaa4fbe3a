"""Each person's home, one inbox (and queue, archive) across the flows, lists that filter and page
with a cost that does not grow with their rows, and the permission-scoped people search."""

import datetime as dt

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from tests.factories import Org, give_accounts
from tests.helpers import at, through_final_review
from workflow.models import PeranAdmin, StatusSkp, TenggatTugas
from workflow.services import appeal as svc
from workflow.services.capaian import capaian_tasks_open
from workflow.services.period import periode_create
from workflow.services.period_open import period_open
from workflow.services.roles import ensure_admin_group

pytestmark = pytest.mark.django_db

JANUARY = dt.datetime(2026, 1, 5, tzinfo=dt.UTC)
DECEMBER = dt.datetime(2026, 12, 2, 9, tzinfo=dt.UTC)


def make_admin(instansi, username="admin.bkd"):
    admin = get_user_model().objects.create_user(username, password="Rahasia-2026!", is_staff=True)
    admin.groups.add(ensure_admin_group())
    PeranAdmin.objects.create(user=admin, instansi=instansi)
    return admin


@pytest.fixture
def other(org, monkeypatch, django_capture_on_commit_callbacks):
    """Another government with its period opened: its tasks and people never show to our users."""
    from tests import factories
    from workflow.models import JenisInstansi

    original = factories.InstansiFactory
    monkeypatch.setattr(
        factories,
        "InstansiFactory",
        lambda: original(kode="PEMKOT-BKL", nama="Pemerintah Kota Bengkulu", jenis=JenisInstansi.KOTA),
    )
    other = Org()
    give_accounts(other.sekda, other.kadis, other.kabid, other.kasi, other.pelaksana, other.fungsional)
    periode = periode_create(instansi=other.instansi, tahun=2026)
    with time_machine.travel(JANUARY, tick=False), django_capture_on_commit_callbacks(execute=True):
        period_open(periode=periode, by=None)
    other.pelaksana.nama = "Rahasia Lain Instansi"
    other.pelaksana.save()
    return other


# --- home ----------------------------------------------------------------------------------------


def test_the_employee_lands_on_a_home_with_their_skp_tasks_and_notifications(client, org, opened):
    client.force_login(org.pelaksana.user)
    home = client.get("/", follow=True)
    assert home.redirect_chain[-1][0] == "/kinerja/"
    body = home.content.decode()
    assert "SKP saya" in body and "SKP disusun" in body  # the SKP's status
    assert "Susun SKP" in body and "giliran Anda" in body  # the next step is theirs
    assert "Notifikasi terbaru" in body
    assert "Tim saya — 2026" not in body and "Progres pemerintah" not in body
    my_skp = client.get("/kinerja/skp-saya/").content.decode()
    assert "2026" in my_skp and "Susun SKP" in my_skp


def test_the_assessor_home_adds_the_team_and_the_admin_home_the_government(client, org, opened, bkd):
    client.force_login(org.kasi.user)
    body = client.get("/kinerja/").content.decode()
    assert "Tim saya — 2026" in body and "Susun SKP" in body
    client.force_login(bkd)
    body = client.get("/kinerja/").content.decode()
    assert "Progres pemerintah Anda" in body and "/kinerja/rekap/" in body
    assert "Tugas terbuka:" in body


def test_the_home_shows_an_assessor_their_team_before_its_appraisals_exist_and_a_clerk_none(client, org, periode):
    """The period is created, not opened yet: no appraisal anywhere. The kasi still sees their team
    (of zero appraisals); the staff member, who assesses no one, sees no team."""
    client.force_login(org.kasi.user)
    body = client.get("/kinerja/").content.decode()
    assert "Tim saya — 2026" in body and "0 penilaian di tim Anda." in body
    client.force_login(org.pelaksana.user)
    assert "Tim saya — 2026" not in client.get("/kinerja/").content.decode()


def test_the_menu_uses_the_words_people_use(client, org, opened, bkd):
    client.force_login(bkd)
    body = client.get("/kinerja/").content.decode()
    for entry in ("SKP saya", "Kotak masuk", "Tim saya", "Rekap", "Audit", "Semua tugas terbuka"):
        assert entry in body, entry
    client.post("/i18n/setlang/", {"language": "en", "next": "/kinerja/"})
    body = client.get("/kinerja/").content.decode()
    for entry in ("My SKP", "Inbox", "My team", "Recap", "All open tasks"):
        assert entry in body, entry


# --- one inbox -----------------------------------------------------------------------------------


@pytest.fixture
def published(org, opened, rules_pack):
    skp = through_final_review(org, org.pelaksana, org.kasi, lambda r: "di_atas", lambda v: "sesuai")
    assert skp.status == StatusSkp.DIPUBLIKASIKAN
    return skp


def badge(body, kind):
    import re

    found = re.search(rf'kinerja-badge--{kind}"[^>]*>(\d+)', body)
    return int(found.group(1)) if found else 0


def test_the_inbox_shows_an_appeal_task_beside_the_appraisal_tasks_with_the_count(client, org, published):
    with at(5):
        svc.appeal_file(skp=published, by=org.pelaksana.user, alasan="Capaian imunisasi 98% tidak dinilai.")
    client.force_login(org.kasi.user)
    held = Task.objects.filter(owner=org.kasi.user, status=STATUS.ASSIGNED)
    assert {t.process.flow_class.__name__ for t in held} >= {"AppraisalFlow", "AppealFlow"}
    body = client.get("/kinerja/kotak-masuk/").content.decode()
    assert "Tanggapi keberatan" in body or "keberatan" in body.lower()
    assert "Susun SKP" in body and org.pelaksana.nama in body
    assert badge(body, "inbox") == held.count()
    # the old per-flow inboxes still answer, without pointing at each other: the one inbox holds all
    appraisal_inbox = client.get("/appraisal/inbox/", HTTP_ACCEPT_LANGUAGE="id")
    assert appraisal_inbox.status_code == 200 and "kinerja-other-inbox" not in appraisal_inbox.content.decode()
    assert client.get("/appeal/inbox/").status_code == 200


def test_the_inbox_shows_a_capaian_task_and_the_admin_queue_only_their_government(
    client, org, periode, opened_by_bkd, bkd, other, django_capture_on_commit_callbacks
):
    with time_machine.travel(DECEMBER, tick=False), django_capture_on_commit_callbacks(execute=True):
        capaian_tasks_open(periode=periode, by=bkd)
    client.force_login(org.kadis.user)
    body = client.get("/kinerja/kotak-masuk/").content.decode()
    assert "Tetapkan capaian kinerja organisasi" in body and "Bidang P2P" in body
    assert "Susun SKP" in body
    assert badge(body, "inbox") == Task.objects.filter(owner=org.kadis.user, status=STATUS.ASSIGNED).count()
    home = client.get("/", follow=True).content.decode()
    assert "Tetapkan capaian kinerja organisasi" in home
    # the admin's queue: the Governor has no account, so the OPD's task waits there — theirs only
    client.force_login(bkd)
    queue = client.get("/kinerja/antrian/").content.decode()
    assert "Dinas Kesehatan" in queue
    assert "Rahasia Lain Instansi" not in queue and other.kadis.nama not in queue
    assert badge(queue, "queue") >= 1
    assert client.get("/kinerja/arsip/").status_code == 200


def test_the_inbox_is_sorted_by_due_date_and_marks_the_overdue(client, org, opened):
    client.force_login(org.kasi.user)
    task = Task.objects.get(owner=org.kasi.user, status=STATUS.ASSIGNED)
    TenggatTugas.objects.update_or_create(task=task, defaults={"jatuh_tempo": dt.datetime(2026, 1, 10, tzinfo=dt.UTC)})
    with time_machine.travel(dt.datetime(2026, 2, 1, tzinfo=dt.UTC), tick=False):
        body = client.get("/kinerja/kotak-masuk/").content.decode()
        assert "kinerja-task--overdue" in body and "10-01-2026" in body
        assert badge(body, "overdue") == 1
        only = client.get("/kinerja/kotak-masuk/?terlambat=on").content.decode()
        assert "Susun SKP" in only


# --- filters, search, paging, scope ----------------------------------------------------------------


def test_the_admin_open_tasks_filter_search_and_scope(client, org, opened, bkd, other):
    client.force_login(bkd)
    body = client.get("/kinerja/tugas-terbuka/").content.decode()
    assert org.pelaksana.nama in body and "Rahasia Lain Instansi" not in body
    found = client.get("/kinerja/tugas-terbuka/", {"q": "Hendra"}).content.decode()
    assert org.pelaksana.nama in found and org.kabid.nama not in found
    by_nip = client.get("/kinerja/tugas-terbuka/", {"q": org.kasi.nip[:12]}).content.decode()
    assert org.kasi.nama in by_nip
    nobody = client.get("/kinerja/tugas-terbuka/", {"q": "Rahasia Lain"}).content.decode()
    assert "Rahasia Lain Instansi" not in nobody and "0 tugas" in nobody
    by_opd = client.get("/kinerja/tugas-terbuka/", {"opd": org.dinkes.pk}).content.decode()
    assert org.pelaksana.nama in by_opd and org.sekda.nama not in by_opd
    by_unit = client.get("/kinerja/tugas-terbuka/", {"unit": org.seksi.pk}).content.decode()
    assert org.pelaksana.nama in by_unit and org.kabid.nama not in by_unit
    # another government's unit is not a choice: ignored with a message, never its tasks
    theirs = client.get("/kinerja/tugas-terbuka/", {"unit": other.seksi.pk})
    assert theirs.status_code == 200 and "Rahasia Lain Instansi" not in theirs.content.decode()
    assert "diabaikan" in theirs.content.decode()
    client.force_login(org.pelaksana.user)
    assert client.get("/kinerja/tugas-terbuka/").status_code == 403


def test_the_open_tasks_list_counts_and_survives_junk_pages(client, org, opened, bkd):
    client.force_login(bkd)
    total = Task.objects.filter(status__in=[STATUS.NEW, STATUS.ASSIGNED], flow_task_type="HUMAN").count()
    assert total > 2
    first = client.get("/kinerja/tugas-terbuka/?page=1").content.decode()
    assert f"{total} tugas" in first
    # page numbers out of range or junk show a page, never an error
    for junk in ("999", "-1", "abc", ""):
        assert client.get("/kinerja/tugas-terbuka/", {"page": junk}).status_code == 200


def test_the_team_filters_by_name_and_step_and_the_results_by_name(client, org, opened, bkd):
    client.force_login(org.kabid.user)
    team = client.get("/kinerja/tim/").content.decode()
    assert org.kasi.nama in team and org.fungsional.nama in team
    only = client.get("/kinerja/tim/", {"q": "Dewi"}).content.decode()
    table = only[only.index("kinerja-team-skp") :]
    assert org.fungsional.nama in table and org.kasi.nama not in table
    assert client.get("/kinerja/tim/", {"langkah": "<x>", "predikat": "junk", "page": "z"}).status_code == 200
    client.force_login(bkd)
    assert client.get("/kinerja/hasil/", {"q": "Hendra"}).status_code == 200


def test_paging_splits_the_inbox(client, org, opened, monkeypatch):
    from workflow.views import inbox as views

    monkeypatch.setattr(views, "PAGE_SIZE", 1)
    client.force_login(org.kabid.user)
    held = Task.objects.filter(owner=org.kabid.user, status=STATUS.ASSIGNED).count()
    body = client.get("/kinerja/kotak-masuk/").content.decode()
    if held > 1:
        assert "Halaman 1 dari" in body and 'rel="next"' in body


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    params=st.dictionaries(
        st.sampled_from(["q", "langkah", "terlambat", "opd", "unit", "status", "page"]),
        st.text(max_size=300),
        max_size=5,
    )
)
def test_junk_filters_answer_200(client, org, bkd, params):
    client.force_login(bkd)
    clean = {k: v.replace("\x00", "") for k, v in params.items()}  # NUL: refused before any view
    for url in ("/kinerja/tugas-terbuka/", "/kinerja/kotak-masuk/", "/kinerja/antrian/", "/kinerja/arsip/"):
        assert client.get(url, clean).status_code == 200


# --- query counts do not grow with the rows ---------------------------------------------------------


def queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def give_tasks(user, n):
    """``n`` more open tasks held by ``user``, copies of one of theirs (the rows a list shows)."""
    model = Task.objects.filter(owner=user, status=STATUS.ASSIGNED).first()
    for _ in range(n):
        copy = Task.objects.get(pk=model.pk)
        copy.pk = None
        copy.save()
        TenggatTugas.objects.create(task=copy, jatuh_tempo=dt.datetime(2026, 3, 1, tzinfo=dt.UTC))


def test_the_inbox_and_open_tasks_cost_the_same_for_5_and_50_rows(client, org, opened, bkd):
    client.force_login(org.kasi.user)
    give_tasks(org.kasi.user, 4)
    client.get("/kinerja/kotak-masuk/")  # warm the per-process caches (permissions, flows)
    inbox_5 = queries(client, "/kinerja/kotak-masuk/")
    client.force_login(bkd)
    client.get("/kinerja/tugas-terbuka/")
    open_5 = queries(client, "/kinerja/tugas-terbuka/")
    overdue_5 = queries(client, "/kinerja/terlambat/?semua=1")
    give_tasks(org.kasi.user, 45)
    client.force_login(org.kasi.user)
    client.get("/kinerja/kotak-masuk/")
    assert queries(client, "/kinerja/kotak-masuk/") == inbox_5
    client.force_login(bkd)
    client.get("/kinerja/tugas-terbuka/")
    assert queries(client, "/kinerja/tugas-terbuka/") == open_5
    assert queries(client, "/kinerja/terlambat/?semua=1") == overdue_5


def test_the_inbox_and_queue_are_counted_once_and_a_filter_counts_its_own_rows(
    client, org, periode, opened_by_bkd, bkd, django_capture_on_commit_callbacks
):
    """The menu's badge and the list's pager show the same number, from one count; a filtered
    list counts what the filter leaves."""
    with time_machine.travel(DECEMBER, tick=False), django_capture_on_commit_callbacks(execute=True):
        capaian_tasks_open(periode=periode, by=bkd)  # the Governor has no account: the queue fills
    client.force_login(org.kasi.user)
    give_tasks(org.kasi.user, 3)
    held = Task.objects.filter(owner=org.kasi.user, status=STATUS.ASSIGNED).count()
    with CaptureQueriesContext(connection) as captured:
        body = client.get("/kinerja/kotak-masuk/").content.decode()
    counts = [q["sql"] for q in captured if q["sql"].startswith("SELECT COUNT(") and '"viewflow_task"' in q["sql"]]
    assert badge(body, "inbox") == held and f"{held} tugas" in body
    assert len(counts) == 1, counts
    nobody = client.get("/kinerja/kotak-masuk/", {"q": "Tidak Ada Yang Bernama Ini", "page": "1"}).content.decode()
    assert "0 tugas" in nobody and badge(nobody, "inbox") == held
    assert f"{held} tugas" in client.get("/kinerja/kotak-masuk/", {"page": "1"}).content.decode()
    client.force_login(bkd)
    waiting = Task.objects.filter(owner__isnull=True, status=STATUS.NEW, flow_task_type="HUMAN").count()
    queue = client.get("/kinerja/antrian/").content.decode()
    assert waiting >= 1 and badge(queue, "queue") == waiting and f"{waiting} tugas" in queue


def test_the_empty_filter_form_drawn_once_speaks_each_readers_language(client, org, opened, bkd):
    """The unbound filter forms of the task lists and the audit search are drawn once per process
    and language: the next reader in the other language gets theirs, a filled-in form its values."""
    client.force_login(bkd)
    for lang, steps, actions in (("id", "Semua tahap", "Semua tindakan"), ("en", "All steps", "All actions")) * 2:
        client.post("/i18n/setlang/", {"language": lang, "next": "/kinerja/"})
        assert steps in client.get("/kinerja/kotak-masuk/").content.decode()
        assert actions in client.get("/kinerja/audit/").content.decode()
    filled = client.get("/kinerja/kotak-masuk/", {"q": "Hendra Safitri"}).content.decode()
    assert 'value="Hendra Safitri"' in filled
    assert 'value="Hendra Safitri"' not in client.get("/kinerja/kotak-masuk/").content.decode()
    assert 'value="skp:12"' in client.get("/kinerja/audit/", {"obj": "skp:12"}).content.decode()


# --- the people pickers ------------------------------------------------------------------------------


def test_the_people_search_is_scoped_to_the_users_government(client, org, opened, bkd, other):
    client.force_login(bkd)
    found = client.get("/kinerja/cari-pegawai/", {"term": "Hendra"}).json()
    assert [r["id"] for r in found["results"]] == [str(org.pelaksana.pk)]
    assert client.get("/kinerja/cari-pegawai/", {"term": "Rahasia Lain"}).json()["results"] == []
    everyone = client.get("/kinerja/cari-pegawai/").json()["results"]
    assert str(other.pelaksana.pk) not in {r["id"] for r in everyone}
    by_nip = client.get("/kinerja/cari-pegawai/", {"term": org.kabid.nip}).json()["results"]
    assert by_nip and by_nip[0]["id"] == str(org.kabid.pk)
    assert client.get("/kinerja/cari-pegawai/", {"page": "x", "term": "%" * 300}).status_code == 200
    # an assessor choosing a delegate: their own government, never themselves
    client.force_login(org.kasi.user)
    mine = {r["id"] for r in client.get("/kinerja/cari-pegawai/").json()["results"]}
    assert str(org.kasi.pk) not in mine and str(other.kabid.pk) not in mine
    # the pickers are autocomplete widgets: the page holds only the chosen person, not the list
    page = client.get("/kinerja/delegasi/").content.decode()
    assert "admin-autocomplete" in page and "/kinerja/cari-pegawai/" in page and org.sekda.nama not in page
    client.force_login(bkd)
    page = client.get("/kinerja/terlambat/?semua=1").content.decode()
    assert "admin-autocomplete" in page


def test_the_reassignment_refuses_a_person_of_another_government(client, org, opened, bkd, other):
    client.force_login(bkd)
    draft = Task.objects.get(process__skp__pegawai=org.pelaksana, status=STATUS.ASSIGNED)
    response = client.post("/kinerja/terlambat/", {"tugas": [draft.pk], "kepada": other.kabid.pk, "alasan": "x"})
    assert response.status_code == 200 and "Pilih pegawai yang menerima tugas" in response.content.decode()
    assert Task.objects.get(pk=draft.pk).owner == org.pelaksana.user


def test_an_unrelated_user_has_an_empty_home(client, db):
    user = get_user_model().objects.create_user("tamu", password="Rahasia-2026!")
    client.force_login(user)
    assert client.get("/kinerja/").status_code == 200
    assert client.get("/kinerja/skp-saya/").status_code == 200
    assert client.get("/kinerja/cari-pegawai/").status_code == 403
    assert make_admin  # the helper serves other tests


@pytest.mark.parametrize("junk", ["abc", " ", "-1", "9999999", "1.5", "9" * 40, "٣"])
def test_junk_in_the_pickers_gets_the_form_back_with_a_message(client, org, opened, bkd, junk):
    client.force_login(bkd)
    draft = Task.objects.get(process__skp__pegawai=org.pelaksana, status=STATUS.ASSIGNED)
    response = client.post("/kinerja/terlambat/", {"tugas": [draft.pk], "kepada": junk, "alasan": "x"})
    assert response.status_code == 200 and "Pilih pegawai yang menerima tugas" in response.content.decode()
    client.force_login(org.kasi.user)
    data = {"penerima": junk, "mulai": "2026-03-01", "selesai": "2026-03-10", "alasan": "Diklat"}
    response = client.post("/kinerja/delegasi/", data)
    assert response.status_code == 200 and "Pilih pegawai yang menerima tugas" in response.content.decode()


def test_the_queue_holds_the_same_tasks_as_viewflows_queue_with_its_short_permission_test(org, opened, bkd, other):
    """The queue asks only for the permissions a node names (``owner_permissions``; viewflow
    writes the node's onto each task, so no task asks for another): for an admin, an assessor, an
    employee, another government's assessor and a superuser it holds exactly the tasks viewflow's
    own queue holds — tasks asking for the nodes' permission, for none, or named for the user."""
    from workflow.selectors.inbox import _queue, owner_permissions, product_flows

    assert owner_permissions() == {"workflow.manage_appraisal"}
    open_tasks = list(Task.objects.filter(flow_task_type="HUMAN", status=STATUS.ASSIGNED).order_by("pk")[:8])
    asked = ["workflow.manage_appraisal", None] * 4
    for task, permission in zip(open_tasks, asked, strict=True):
        Task.objects.filter(pk=task.pk).update(status=STATUS.NEW, owner=None, owner_permission=permission)
    Task.objects.filter(pk=open_tasks[-1].pk).update(owner=org.kasi.user)  # NEW but named for someone
    superuser = get_user_model().objects.create_superuser("root-queue", password="x")  # noqa: S106
    for user in (bkd, org.kasi.user, org.pelaksana.user, other.kasi.user, superuser):
        ours = set(_queue(user).values_list("pk", flat=True))
        viewflows = set(Task.objects.queue(product_flows(), user).values_list("pk", flat=True))
        assert ours == viewflows, user
    assert {t.pk for t in open_tasks[:2]} <= set(_queue(bkd).values_list("pk", flat=True))
    assert open_tasks[-1].pk in set(_queue(org.kasi.user).values_list("pk", flat=True))


def test_the_queue_badge_counts_what_the_orm_counts(org, opened, bkd, other, django_capture_on_commit_callbacks):
    """The admin's queue badge (``queue_count``, SQL text) counts the tasks the queue's ORM query
    counts — appraisal steps and organisation-achievement steps, asking for the nodes' permission,
    for none, or named for the user — for each admin and government set, a superuser and a user
    without the permission."""
    from workflow.selectors.inbox import _queue, in_instansi, queue_count

    with (
        time_machine.travel(dt.datetime(2026, 12, 2, tzinfo=dt.UTC), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        capaian_tasks_open(periode=org.instansi.periode_set.get(), by=bkd)
    open_tasks = list(Task.objects.filter(flow_task_type="HUMAN", status=STATUS.ASSIGNED).order_by("pk"))
    asked = ["workflow.manage_appraisal", None, "workflow.something_else"]
    for n, task in enumerate(open_tasks[::3]):
        Task.objects.filter(pk=task.pk).update(status=STATUS.NEW, owner=None, owner_permission=asked[n % 3])
    Task.objects.filter(pk=open_tasks[1].pk).update(status=STATUS.NEW, owner=bkd)  # named for the admin
    assert Task.objects.filter(flow_task_type="HUMAN", status=STATUS.NEW, process__penetapan_capaian__isnull=False)
    other_admin = get_user_model().objects.create_user("admin.kota", is_staff=True)
    other_admin.groups.add(ensure_admin_group())
    PeranAdmin.objects.create(user=other_admin, instansi=other.instansi)
    superuser = get_user_model().objects.create_superuser("root-count", password="x")  # noqa: S106
    both = {org.instansi.pk, other.instansi.pk}
    counts = []
    for user, ids in [
        (bkd, {org.instansi.pk}),
        (bkd, both),
        (other_admin, {other.instansi.pk}),
        (superuser, both),
        (org.kasi.user, {org.instansi.pk}),
        (bkd, set()),
    ]:
        expected = _queue(user).filter(in_instansi(ids)).count() if ids else 0
        assert queue_count(user, ids) == expected, (user, ids)
        counts.append(expected)
    assert counts[0] > 0 and counts[1] > counts[0] and counts[2] > 0
