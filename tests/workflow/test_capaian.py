"""The organisation's achievement (capaian kinerja organisasi): at the end of the period each unit
at the configured level gets one task, in the inbox of the leader above it; the leader sets the
predikat (audited, history kept), the team page shows it with who set it and when, and the
distribution check reads it. Nobody sets their own unit's achievement; another government's admin
reaches none of it; the admin's entry in the Django admin stays for corrections."""

import datetime as dt

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from tests.factories import InstansiFactory
from tests.helpers import through_final_review
from workflow.models import (
    AuditAction,
    AuditEvent,
    CapaianOrganisasi,
    JenisInstansi,
    JenisPenugasan,
    Notifikasi,
    PembukaanPeriode,
    PenetapanCapaian,
    PenugasanPlt,
    PeranAdmin,
    PredikatOrganisasi,
    Skp,
)
from workflow.selectors.scoring import predikat_organisasi_of, rulebook_for, team_breaches
from workflow.services.capaian import capaian_set, capaian_sweep, capaian_tasks_chunk, capaian_tasks_open
from workflow.services.delegation import tasks_reassign
from workflow.services.roles import ensure_admin_group

pytestmark = pytest.mark.django_db

DECEMBER = dt.datetime(2026, 12, 2, 9, tzinfo=dt.UTC)


@pytest.fixture
def started(org, periode, opened_by_bkd, bkd, django_capture_on_commit_callbacks):
    """The BKD admin starts the organisation-achievement tasks on 2 December."""
    with time_machine.travel(DECEMBER, tick=False), django_capture_on_commit_callbacks(execute=True):
        job = capaian_tasks_open(periode=periode, by=bkd)
    job.refresh_from_db()
    return job


def penetapan(periode, unit):
    return PenetapanCapaian.objects.select_related("unit", "periode").get(periode=periode, unit=unit)


def open_task(pen):
    return Task.objects.get(process_id=pen.process_id, flow_task_type="HUMAN", status__in=[STATUS.NEW, STATUS.ASSIGNED])


def task_url(task):
    return f"/capaian/{task.process_id}/set_achievement/{task.pk}/execute/"


# --- who gets a task, and whose inbox it lands in ---------------------------------------------------


def test_each_unit_at_the_configured_level_gets_one_task_in_the_inbox_of_the_leader_above(org, periode, started):
    assert started.jenis == PembukaanPeriode.Jenis.CAPAIAN
    assert started.status == PembukaanPeriode.Status.DONE
    # Setda (JPT Madya), Dinkes (JPT Pratama), Bidang P2P (Administrator); not the seksi (Pengawas),
    # which follows its bidang, and not the government itself (nobody above it).
    assert set(PenetapanCapaian.objects.values_list("unit__kode", flat=True)) == {"SETDA", "DINKES", "DINKES-B1"}
    assert started.total == started.dibuat == 3
    bidang = open_task(penetapan(periode, org.bidang))
    assert bidang.owner == org.kadis.user and bidang.status == STATUS.ASSIGNED
    assert bidang.tenggat.jatuh_tempo.date() >= dt.date(2027, 1, 1)  # the close of the annual window
    # The Governor (the head above the OPD and the Setda) has no account here: the admins' queue.
    assert open_task(penetapan(periode, org.dinkes)).owner is None
    note = Notifikasi.objects.get(penerima=org.kadis.user, judul__contains="capaian")
    assert "Tetapkan capaian kinerja organisasi" in note.judul and "Bidang P2P" in note.isi


def test_starting_again_creates_nothing_twice(org, periode, started, bkd, django_capture_on_commit_callbacks):
    with time_machine.travel(DECEMBER, tick=False), django_capture_on_commit_callbacks(execute=True):
        again = capaian_tasks_open(periode=periode, by=bkd)
    again.refresh_from_db()
    assert again.dibuat == 0 and again.status == PembukaanPeriode.Status.DONE
    assert PenetapanCapaian.objects.count() == 3
    # a chunk delivered again after it was counted does nothing
    assert capaian_tasks_chunk(job_id=again.pk, unit_ids=[org.bidang.pk], by=bkd, nomor=0) == 0


def test_many_units_run_in_chunks_with_progress(
    org, periode, opened_by_bkd, bkd, settings, django_capture_on_commit_callbacks
):
    settings.KINERJA_OPEN_CHUNK_SIZE = 1
    with time_machine.travel(DECEMBER, tick=False), django_capture_on_commit_callbacks(execute=True):
        job = capaian_tasks_open(periode=periode, by=bkd)
    job.refresh_from_db()
    assert (job.chunks, job.chunks_selesai, job.diproses, job.dibuat) == (3, 3, 3, 3)
    assert job.status == PembukaanPeriode.Status.DONE


def test_the_level_is_configurable(org, periode, opened_by_bkd, bkd, settings, django_capture_on_commit_callbacks):
    settings.KINERJA_CAPAIAN_HEAD_POSTS = ["pengawas"]
    with time_machine.travel(DECEMBER, tick=False), django_capture_on_commit_callbacks(execute=True):
        capaian_tasks_open(periode=periode, by=bkd)
    pen = penetapan(periode, org.seksi)
    assert list(PenetapanCapaian.objects.all()) == [pen]
    assert open_task(pen).owner == org.kabid.user


def test_the_tasks_start_by_themselves_when_the_annual_window_opens(
    org, periode, opened_by_bkd, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert capaian_sweep(today=dt.date(2026, 11, 30)) == 0
        assert capaian_sweep(today=dt.date(2026, 12, 1)) == 1
        assert capaian_sweep(today=dt.date(2026, 12, 2)) == 0  # once per period
    assert PenetapanCapaian.objects.count() == 3
    event = AuditEvent.objects.get(action=AuditAction.CAPAIAN_TASKS_OPENED)
    assert event.actor.username == "sistem"


def test_a_closed_or_draft_period_gets_no_tasks(org, periode, bkd):
    with pytest.raises(ValidationError, match="periode yang terbuka"):
        capaian_tasks_open(periode=periode, by=bkd)


# --- the leader sets it -----------------------------------------------------------------------------


def test_the_leader_sets_the_achievement_audited_and_kept_in_history(org, periode, started):
    pen = penetapan(periode, org.bidang)
    with time_machine.travel(DECEMBER, tick=False):
        capaian = capaian_set(
            penetapan=pen, by=org.kadis.user, predikat=PredikatOrganisasi.BAIK, catatan="IKU cakupan imunisasi 96%"
        )
    assert capaian.ditetapkan_oleh == org.kadis.user and capaian.catatan == "IKU cakupan imunisasi 96%"
    assert pen.process.task_set.get(flow_task_type="HUMAN").status == STATUS.DONE
    event = AuditEvent.objects.get(action=AuditAction.CAPAIAN_SET)
    assert event.actor == org.kadis.user and event.after["predikat"] == "baik" and event.before == {}
    assert event.instansi_id == org.instansi.pk
    assert capaian.history.count() == 1 and capaian.history.first().history_user == org.kadis.user
    # the task is done: setting it again through it is refused with a message
    with pytest.raises(ValidationError):
        capaian_set(penetapan=pen, by=org.kadis.user, predikat=PredikatOrganisasi.ISTIMEWA)


def test_the_distribution_check_reads_what_the_leader_set(org, periode, started, rules_pack):
    skp = through_final_review(org, org.pelaksana, org.kasi, lambda r: "di_atas", lambda v: "sesuai")
    skp = Skp.objects.get(pk=skp.pk)
    assert predikat_organisasi_of(periode=periode, instansi_id=org.instansi.pk, unit_id=org.seksi.pk) is None
    capaian_set(penetapan=penetapan(periode, org.bidang), by=org.kadis.user, predikat=PredikatOrganisasi.KURANG)
    # the seksi has no predikat of its own: it follows its bidang
    assert predikat_organisasi_of(periode=periode, instansi_id=org.instansi.pk, unit_id=org.seksi.pk) == "kurang"
    breaches, _blocking = team_breaches(skp=skp, predikat="sangat_baik", book=rulebook_for(skp))
    assert breaches  # Kurang: at least 60 % Kurang/Misconduct, at most 10 % Sangat Baik


def test_bad_input_gets_a_message_and_writes_nothing(org, periode, started):
    pen = penetapan(periode, org.bidang)
    for predikat, catatan in (("", ""), ("luar_biasa", ""), ("baik", "x" * 5001), ("baik", "a\x00b")):
        with pytest.raises(ValidationError):
            capaian_set(penetapan=pen, by=org.kadis.user, predikat=predikat, catatan=catatan)
    assert not CapaianOrganisasi.objects.exists()
    assert open_task(pen).status == STATUS.ASSIGNED


# --- separation of duties and scope --------------------------------------------------------------


def test_the_unit_head_cannot_set_their_own_units_achievement(org, periode, started, bkd):
    pen = penetapan(periode, org.bidang)
    with pytest.raises(PermissionDenied, match="Siti Sihombing"):
        capaian_set(penetapan=pen, by=org.kabid.user, predikat=PredikatOrganisasi.ISTIMEWA)
    with pytest.raises(ValidationError, match="sendiri"):
        tasks_reassign(task_ids=[open_task(pen).pk], to=org.kabid, by=bkd, reason="Kadis cuti")
    assert not CapaianOrganisasi.objects.exists()


def test_a_leader_acting_for_the_unit_itself_passes_the_task_up(
    org, periode, opened_by_bkd, bkd, django_capture_on_commit_callbacks
):
    """The Kadis stands in as Plt Kepala Bidang: the bidang's task passes over them to the
    Governor (no account here: the admins' queue), and they cannot take it."""
    PenugasanPlt.objects.create(
        pegawai=org.kadis,
        jabatan=org.bidang.jabatan_kepala,
        jenis=JenisPenugasan.PLT,
        tanggal_mulai=dt.date(2026, 11, 1),
        tanggal_selesai=dt.date(2027, 2, 28),
        nomor_sk="800/99/BKD/2026",
    )
    with time_machine.travel(DECEMBER, tick=False), django_capture_on_commit_callbacks(execute=True):
        capaian_tasks_open(periode=periode, by=bkd)
    with time_machine.travel(DECEMBER, tick=False):
        pen = penetapan(periode, org.bidang)
        task = open_task(pen)
        assert task.owner is None
        assert task.flow_task.can_assign(org.kadis.user, task) is False
        assert task.flow_task.can_assign(bkd, task) is True
        with pytest.raises(PermissionDenied):
            capaian_set(penetapan=pen, by=org.kadis.user, predikat=PredikatOrganisasi.BAIK)


def test_a_delegate_of_the_leader_gets_the_task(org, periode, opened_by_bkd, bkd, django_capture_on_commit_callbacks):
    from workflow.models import Delegasi

    Delegasi.objects.create(
        pemberi=org.kadis,
        penerima=org.sekda,
        mulai=dt.date(2026, 12, 1),
        selesai=dt.date(2026, 12, 31),
        alasan="Dinas luar",
    )
    with time_machine.travel(DECEMBER, tick=False), django_capture_on_commit_callbacks(execute=True):
        capaian_tasks_open(periode=periode, by=bkd)
    assert open_task(penetapan(periode, org.bidang)).owner == org.sekda.user


@pytest.fixture
def bkpsdm():
    pemkot = InstansiFactory(kode="PEMKOT-BKL", nama="Pemerintah Kota Bengkulu", jenis=JenisInstansi.KOTA)
    user = get_user_model().objects.create_user("admin.bkpsdm", is_staff=True)
    user.groups.add(ensure_admin_group())
    PeranAdmin.objects.create(user=user, instansi=pemkot)
    return user


def test_another_governments_admin_reaches_none_of_it(client, org, periode, started, bkpsdm):
    pen = penetapan(periode, org.dinkes)
    task = open_task(pen)
    assert task.flow_task.can_assign(bkpsdm, task) is False
    client.force_login(bkpsdm)
    assert client.get(f"/capaian/{pen.process_id}/").status_code in (403, 404)
    assert client.get(task_url(task)).status_code in (403, 404)
    assert "Dinas Kesehatan" not in client.get("/capaian/queue/").content.decode()
    response = client.post("/kinerja/capaian/", {"periode": periode.pk})
    assert response.status_code == 200 and "Pilih periode terbuka" in response.content.decode()
    assert PembukaanPeriode.objects.filter(jenis=PembukaanPeriode.Jenis.CAPAIAN).count() == 1


# --- the pages ----------------------------------------------------------------------------------------


def test_the_leader_finds_the_task_in_the_inbox_and_sets_it_on_its_page(client, org, periode, started):
    client.force_login(org.kadis.user)
    home = client.get("/", follow=True).content.decode()  # the home lists it with the person's other tasks
    assert "Tetapkan capaian kinerja organisasi" in home and "Bidang P2P" in home
    inbox = client.get("/capaian/inbox/").content.decode()
    assert "Tetapkan capaian kinerja organisasi" in inbox and "Bidang P2P" in inbox
    task = open_task(penetapan(periode, org.bidang))
    page = client.get(task_url(task)).content.decode()
    assert "Siti Sihombing" in page and "Istimewa" in page  # the unit's head; the predikat to choose
    # junk: a message, nothing written
    response = client.post(task_url(task), {"predikat": "<script>", "catatan": "x" * 6000})
    assert response.status_code == 200 and "Pilih predikat organisasi" in response.content.decode()
    assert not CapaianOrganisasi.objects.exists()
    response = client.post(task_url(task), {"predikat": "baik", "catatan": "Capaian IKU 96%"})
    assert response.status_code == 302
    assert CapaianOrganisasi.objects.get(unit=org.bidang).predikat == "baik"
    # the unit's own head may not even open it
    client.force_login(org.kabid.user)
    assert client.get(task_url(task)).status_code in (302, 403)


def test_the_team_page_shows_the_achievement_with_who_set_it_and_when(client, org, periode, started):
    with time_machine.travel(DECEMBER, tick=False):
        capaian_set(
            penetapan=penetapan(periode, org.bidang), by=org.kadis.user, predikat="baik", catatan="Capaian IKU 96%"
        )
    client.force_login(org.kabid.user)
    page = client.get("/kinerja/tim/").content.decode()
    assert "Baik" in page and "Ditetapkan oleh dr. Muhammad Yusuf, M.Kes. pada 02-12-2026" in page
    assert "Capaian IKU 96%" in page
    client.force_login(org.kasi.user)  # the seksi follows its bidang
    page = client.get("/kinerja/tim/").content.decode()
    assert "Diambil dari Bidang P2P" in page


def test_an_admin_starts_the_tasks_from_their_page_and_corrects_in_the_admin(
    client, org, periode, opened_by_bkd, bkd, django_capture_on_commit_callbacks
):
    client.force_login(bkd)
    page = client.get("/kinerja/capaian/").content.decode()
    assert "Mulai tugas capaian kinerja organisasi" in page
    with time_machine.travel(DECEMBER, tick=False), django_capture_on_commit_callbacks(execute=True):
        response = client.post("/kinerja/capaian/", {"periode": periode.pk})
    assert response.status_code == 302
    job = PembukaanPeriode.objects.get(jenis=PembukaanPeriode.Jenis.CAPAIAN)
    assert "3 dari 3 unit diproses" in client.get(response["Location"]).content.decode()
    assert job.dibuat == 3
    # the Governor has no account: the admin takes the OPD's task from the queue and sets it
    pen = penetapan(periode, org.dinkes)
    task = open_task(pen)
    assert "Dinas Kesehatan" in client.get("/capaian/queue/").content.decode()
    assert task.flow_task.can_assign(bkd, task)
    # correction in the Django admin: audited, names the admin
    capaian_set(penetapan=penetapan(periode, org.bidang), by=org.kadis.user, predikat="baik")
    row = CapaianOrganisasi.objects.get(unit=org.bidang)
    response = client.post(
        f"/admin/workflow/capaianorganisasi/{row.pk}/change/",
        {"periode": periode.pk, "unit": org.bidang.pk, "predikat": "butuh_perbaikan", "catatan": "Koreksi BKD"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    row.refresh_from_db()
    assert row.predikat == "butuh_perbaikan" and row.ditetapkan_oleh == bkd
    event = AuditEvent.objects.filter(action=AuditAction.ADMIN_CHANGED).latest("seq")
    assert event.before["predikat"] == "baik" and event.after["predikat"] == "butuh_perbaikan"
    assert row.history.count() == 2
