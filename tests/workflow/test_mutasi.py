"""Transfers and appointments in the middle of a period (mutasi): the running SKP closes with a
final review by the old assessor, the next SKP opens with the new one, every step routes by the
SKP's own snapshot, and the year's predikat of several SKP comes from the rule table."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from viewflow.workflow.models import Task
from viewflow.workflow.status import PROCESS, STATUS
from viewflow.workflow.timers import fire_due_timers

from tests.helpers import EXPECTATIONS, rows
from workflow.flows import AppraisalFlow
from workflow.models import AuditAction, AuditEvent, Jabatan, JenisJabatan, NilaiPerilaku, Skp, StatusSkp
from workflow.selectors.scoring import annual_predikat
from workflow.services import appraisal as svc
from workflow.services.mutasi import pegawai_transfer
from workflow.services.org_import import COLUMNS, OrgImportError, org_import

pytestmark = pytest.mark.django_db

MARCH = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
JULY = dt.datetime(2026, 7, 2, 9, tzinfo=dt.UTC)
DECEMBER = dt.datetime(2026, 12, 2, 9, tzinfo=dt.UTC)


def open_tasks(skp):
    return list(Task.objects.filter(process_id=skp.process_id, status__in=[STATUS.NEW, STATUS.ASSIGNED]))


def the_task(skp):
    (task,) = open_tasks(skp)
    return task


def new_post(org):
    return Jabatan.objects.create(
        instansi=org.instansi, nama="Analis Pengendalian Penyakit", jenis=JenisJabatan.PELAKSANA
    )


def approve_plan(skp, person, assessor):
    svc.plan_submit(skp=skp, by=person.user, pendekatan="kuantitatif", rows=rows())
    svc.plan_decide(skp=skp, by=assessor.user, approve=True, expectations=EXPECTATIONS)


def final_review(skp, person, assessor, rating):
    done = [svc.RealisasiInput(rhk_id=r.pk, realisasi="Capaian sampai mutasi") for r in skp.rhk_set.all()]
    svc.self_review_submit(skp=skp, by=person.user, rows=done, final=True)
    svc.final_review_submit(
        skp=skp,
        by=assessor.user,
        rhk_feedback={r.pk: svc.FeedbackInput("", rating) for r in skp.rhk_set.all()},
        perilaku={v: svc.FeedbackInput("", rating) for v in NilaiPerilaku.values},
    )
    skp.refresh_from_db()


def transfer(org, bkd, tanggal=dt.date(2026, 7, 1), **kwargs):
    return pegawai_transfer(
        pegawai=org.pelaksana,
        unit=kwargs.pop("unit", org.bidang),
        jabatan=kwargs.pop("jabatan", new_post(org)),
        tanggal=tanggal,
        by=bkd,
        alasan="SK Gubernur 800/123/BKD/2026",
        **kwargs,
    )


def test_transfer_closes_the_running_skp_and_opens_the_next_with_the_new_assessor(org, opened, bkd, rules_pack):
    first = Skp.objects.get(pegawai=org.pelaksana)
    with time_machine.travel(MARCH, tick=False):
        approve_plan(first, org.pelaksana, org.kasi)
    # waiting for the semester window (a timer): the transfer cancels it
    assert the_task(first).flow_task == AppraisalFlow.wait_periodic_window if open_tasks(first) else True
    with time_machine.travel(JULY, tick=False):
        outcome = transfer(org, bkd)
    first.refresh_from_db()
    assert first.tanggal_selesai == dt.date(2026, 6, 30) and first.penilai == org.kasi
    task = the_task(first)
    assert task.flow_task == AppraisalFlow.final_self_review and task.owner == org.pelaksana.user
    (second,) = outcome.opened
    assert (second.urutan, second.tanggal_mulai, second.tanggal_selesai) == (
        2,
        dt.date(2026, 7, 1),
        dt.date(2026, 12, 31),
    )
    assert (
        second.penilai == org.kabid
        and second.unit == org.bidang
        and second.jabatan_nama == "Analis Pengendalian Penyakit"
    )
    assert the_task(second).flow_task == AppraisalFlow.draft_plan
    assert AuditEvent.objects.filter(action=AuditAction.EMPLOYEE_TRANSFERRED).count() == 1
    closed = AuditEvent.objects.get(action=AuditAction.APPRAISAL_CLOSED)
    assert closed.after["tanggal_selesai"] == "2026-06-30"

    # The old assessor rates the months served; the result is published for the first SKP.
    with time_machine.travel(JULY, tick=False):
        done = [svc.RealisasiInput(rhk_id=r.pk, realisasi="Capaian Jan-Jun") for r in first.rhk_set.all()]
        svc.self_review_submit(skp=first, by=org.pelaksana.user, rows=done, final=True)
        review = the_task(first)
        assert review.flow_task == AppraisalFlow.final_review and review.owner == org.kasi.user
        svc.final_review_submit(
            skp=first,
            by=org.kasi.user,
            rhk_feedback={r.pk: svc.FeedbackInput("", "sesuai") for r in first.rhk_set.all()},
            perilaku={v: svc.FeedbackInput("", "sesuai") for v in NilaiPerilaku.values},
        )
        first.refresh_from_db()
        assert first.status == StatusSkp.DIPUBLIKASIKAN and first.hasil.predikat == "baik"
        # the new SKP goes to the new assessor
        approve_plan(second, org.pelaksana, org.kabid)
    pending = annual_predikat(pegawai_id=org.pelaksana.pk, periode=first.periode)
    assert pending.predikat == "" and [s.pk for s in pending.pending] == [second.pk]

    with time_machine.travel(DECEMBER, tick=False):
        fire_due_timers()
        second.refresh_from_db()
        final_review(second, org.pelaksana, org.kabid, "di_atas")
    assert second.hasil.predikat == "sangat_baik"
    annual = annual_predikat(pegawai_id=org.pelaksana.pk, periode=first.periode)
    # 1 January – 30 June and 1 July – 31 December both cover six months: the later SKP decides
    assert [p.months for p in annual.parts] == [6.0, 6.0]
    assert annual.predikat == "sangat_baik" and annual.decisive.pk == second.pk
    assert annual.decisions[0]["table"] == "predikat_tahunan" and annual.decisions[0]["outputs"] == {
        "pilih": "kemudian"
    }


def test_transfer_before_the_plan_is_approved_closes_the_skp_without_a_result(org, opened, bkd):
    first = Skp.objects.get(pegawai=org.pelaksana)
    with time_machine.travel(MARCH, tick=False):
        svc.plan_submit(skp=first, by=org.pelaksana.user, pendekatan="kuantitatif", rows=rows())
        outcome = transfer(org, bkd, tanggal=dt.date(2026, 3, 1))
    first.refresh_from_db()
    assert first.status == StatusSkp.DITUTUP and first.tanggal_selesai == dt.date(2026, 2, 28)
    assert first.process.status == PROCESS.CANCELED and not open_tasks(first)
    assert outcome.opened[0].tanggal_mulai == dt.date(2026, 3, 1)
    event = AuditEvent.objects.get(action=AuditAction.APPRAISAL_CLOSED)
    assert event.after["status"] == StatusSkp.DITUTUP and "tanpa hasil" in event.reason


@pytest.mark.parametrize(
    "tanggal, fragment",
    [
        (dt.date(2025, 12, 31), "di luar periode 2026"),
        (dt.date(2026, 1, 1), "sesudah awal SKP berjalan"),
        (dt.date(2026, 8, 1), "di masa depan"),
    ],
)
def test_a_transfer_date_outside_the_period_is_refused_naming_the_field_and_nothing_is_written(
    org, opened, bkd, tanggal, fragment
):
    before = (Skp.objects.count(), AuditEvent.objects.count(), org.pelaksana.unit_id)
    with time_machine.travel(JULY, tick=False), pytest.raises(ValidationError) as caught:
        transfer(org, bkd, tanggal=tanggal)
    (message,) = caught.value.message_dict["tanggal"]
    assert "Tanggal efektif (TMT)" in message and fragment in message
    org.pelaksana.refresh_from_db()
    assert (Skp.objects.count(), AuditEvent.objects.count(), org.pelaksana.unit_id) == before


def test_when_the_assessor_moves_the_team_follows_and_open_tasks_move(org, opened, bkd):
    staff = Skp.objects.get(pegawai=org.pelaksana)
    with time_machine.travel(MARCH, tick=False):
        svc.plan_submit(skp=staff, by=org.pelaksana.user, pendekatan="kuantitatif", rows=rows())
        assert the_task(staff).owner == org.kasi.user
        # The Kasi moves to the bidang as a staff member: the seksi's head post is vacant, so its
        # staff are assessed by the Kabid from now on.
        pegawai_transfer(pegawai=org.kasi, unit=org.bidang, jabatan=new_post(org), tanggal=dt.date(2026, 3, 1), by=bkd)
    staff.refresh_from_db()
    assert staff.penilai == org.kabid and staff.atasan_penilai == org.kadis
    assert the_task(staff).owner == org.kabid.user
    event = AuditEvent.objects.get(action=AuditAction.APPRAISAL_ASSESSOR_CHANGED, object_id=str(staff.pk))
    assert event.before["penilai"] == org.kasi.pk and event.after["penilai"] == org.kabid.pk


# --- through the pages --------------------------------------------------------------------------


def transfer_end_to_end(client, org, bkd):
    """The BKD admin records the transfer on the mutasi page; each SKP is rated by its own
    assessor; the result page and the team pages show the year's predikat and the table that
    decided it."""
    first = Skp.objects.get(pegawai=org.pelaksana)
    post = new_post(org)
    with time_machine.travel(MARCH, tick=False):
        approve_plan(first, org.pelaksana, org.kasi)
    client.force_login(bkd)
    with time_machine.travel(JULY, tick=False):
        assert "Catat mutasi" in client.get("/kinerja/mutasi/").content.decode()
        data = {"pegawai": org.pelaksana.pk, "unit": org.bidang.pk, "jabatan": post.pk, "alasan": "SK 800/1/2026"}
        refused = client.post("/kinerja/mutasi/", {**data, "tanggal": "2025-12-31"})
        assert refused.status_code == 200 and Skp.objects.count() == 6
        assert "Tanggal efektif (TMT) 31-12-2025 di luar periode 2026" in refused.content.decode()
        done = client.post("/kinerja/mutasi/", {**data, "tanggal": "2026-07-01"}, follow=True)
        page = done.content.decode()
        assert (
            "SKP 1 berakhir 30-06-2026" in page
            and "SKP 2 untuk Analis Pengendalian Penyakit dimulai 01-07-2026" in page
        )
        second = Skp.objects.get(pegawai=org.pelaksana, urutan=2)
        first.refresh_from_db()
        final_review(first, org.pelaksana, org.kasi, "sesuai")
        approve_plan(second, org.pelaksana, org.kabid)
        # an SKP from 1 July skips the semester window that opened that day: it waits for the annual one
        (waiting,) = Task.objects.filter(process_id=second.process_id, status=STATUS.SCHEDULED)
        assert waiting.flow_task == AppraisalFlow.wait_final_window
    with time_machine.travel(DECEMBER, tick=False):
        fire_due_timers()
        second.refresh_from_db()
        final_review(second, org.pelaksana, org.kabid, "di_atas")
        client.force_login(org.pelaksana.user)
        page = client.get(f"/appraisal/{second.process_id}/").content.decode()
        assert "Tahun 2026: beberapa SKP" in page and "Predikat tahunan: Sangat Baik" in page
        assert "Predikat tahunan dari beberapa SKP" in page  # the table, in its own words
        assert "Predikat tahun 2026 adalah" in page and ": predikat SKP 2." in page
        client.force_login(org.kabid.user)
        team = client.get("/kinerja/tim/").content.decode()
        assert "dari SKP 2, ditentukan oleh tabel “predikat_tahunan”" in team
        client.force_login(org.kasi.user)
        team = client.get("/kinerja/tim/").content.decode()
        assert "SKP 1 (Pengelola Program Imunisasi), 01-01-2026 – 30-06-2026" in team
    return first, second


def test_a_transfer_end_to_end_through_the_pages_to_the_annual_predikat(client, org, opened, bkd, rules_pack):
    first, second = transfer_end_to_end(client, org, bkd)
    assert (first.hasil.predikat, second.hasil.predikat) == ("baik", "sangat_baik")


def test_the_team_page_reads_every_employees_several_skp_at_once(org, opened, bkd, rules_pack):
    """The kabid's team page shows the year's predikat of each employee with several SKP: the same
    number of queries for one such employee as for two. The kasi's staff moves into the bidang,
    the bidang's functional official into the seksi: the kabid assesses an SKP of each."""

    def team_queries():
        client = Client()
        client.force_login(org.kabid.user)
        client.get("/kinerja/tim/")
        with CaptureQueriesContext(connection) as captured:
            body = client.get("/kinerja/tim/").content.decode()
        return len(captured), body.count("ditentukan oleh tabel")

    def skp(person, urutan):
        return Skp.objects.select_related("penilai").get(pegawai=person, urutan=urutan)

    post = new_post(org)

    def moved(person, unit, on):
        with time_machine.travel(on, tick=False):
            pegawai_transfer(pegawai=person, unit=unit, jabatan=post, tanggal=on.date(), by=bkd, alasan="SK")
            final_review(skp(person, 1), person, skp(person, 1).penilai, "sesuai")
            approve_plan(skp(person, 2), person, skp(person, 2).penilai)
        with time_machine.travel(DECEMBER + dt.timedelta(days=7), tick=False):
            fire_due_timers()
            final_review(skp(person, 2), person, skp(person, 2).penilai, "di_atas")

    with time_machine.travel(MARCH, tick=False):
        for person in (org.pelaksana, org.fungsional):
            approve_plan(skp(person, 1), person, skp(person, 1).penilai)
    moved(org.pelaksana, org.bidang, JULY)
    with time_machine.travel(DECEMBER + dt.timedelta(days=7), tick=False):
        one = team_queries()
    moved(org.fungsional, org.seksi, DECEMBER)
    with time_machine.travel(DECEMBER + dt.timedelta(days=7), tick=False):
        two = team_queries()
    assert one[1] == 1 and two[1] == 2  # each annual predikat shown, with the table that decided it
    assert two[0] == one[0]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_transfer_end_to_end_on_postgresql(client, org, opened, bkd, rules_pack):
    first, second = transfer_end_to_end(client, org, bkd)
    annual = annual_predikat(pegawai_id=org.pelaksana.pk, periode=second.periode)
    assert annual.predikat == "sangat_baik" and annual.decisive.pk == second.pk


def test_the_mutasi_page_is_for_admins_of_their_own_government(client, org, opened):
    from django.contrib.auth import get_user_model

    from tests.factories import InstansiFactory
    from workflow.models import JenisInstansi, PeranAdmin

    client.force_login(org.kasi.user)
    assert client.get("/kinerja/mutasi/").status_code == 403
    kota = InstansiFactory(kode="PEMKOT-BKL", nama="Pemerintah Kota Bengkulu", jenis=JenisInstansi.KOTA)
    other = get_user_model().objects.create_user("admin.kota", is_staff=True)
    PeranAdmin.objects.create(user=other, instansi=kota)
    client.force_login(other)
    data = {"pegawai": org.pelaksana.pk, "unit": org.bidang.pk, "jabatan": new_post(org).pk, "tanggal": "2026-03-01"}
    with time_machine.travel(JULY, tick=False):
        refused = client.post("/kinerja/mutasi/", data)
    assert refused.status_code == 200 and "Hendra Safitri" not in refused.content.decode()
    org.pelaksana.refresh_from_db()
    assert org.pelaksana.unit == org.seksi and Skp.objects.filter(pegawai=org.pelaksana).count() == 1


def test_a_move_in_the_django_admin_closes_the_running_skp(client, org, opened, bkd):
    p = org.pelaksana
    post = new_post(org)
    data = {
        "instansi": org.instansi.pk,
        "nip": p.nip,
        "nama": p.nama,
        "status_kepegawaian": "PNS",
        "unit": org.bidang.pk,
        "jabatan": post.pk,
        "user": p.user_id,
        "aktif": "on",
    }
    client.force_login(bkd)
    with time_machine.travel(MARCH, tick=False):
        refused = client.post(f"/admin/workflow/pegawai/{p.pk}/change/", {**data, "tanggal_efektif": "2027-01-01"})
        assert "Tanggal efektif (TMT) 01-01-2027 ada di masa depan" in refused.content.decode()
        p.refresh_from_db()
        assert p.unit == org.seksi and Skp.objects.filter(pegawai=p).count() == 1
        done = client.post(f"/admin/workflow/pegawai/{p.pk}/change/", {**data, "tanggal_efektif": "2026-02-01"})
    assert done.status_code == 302
    first, second = Skp.objects.filter(pegawai=p).order_by("urutan")
    assert first.status == StatusSkp.DITUTUP and first.tanggal_selesai == dt.date(2026, 1, 31)
    assert second.tanggal_mulai == dt.date(2026, 2, 1) and second.penilai == org.kabid


def test_someone_appointed_mid_year_gets_an_skp_from_their_start_date(client, org, opened, bkd):
    client.force_login(bkd)
    data = {
        "instansi": org.instansi.pk,
        "nip": "199001012020121003",
        "nama": "Rudi Hartono, S.Kom.",
        "status_kepegawaian": "PNS",
        "unit": org.seksi.pk,
        "jabatan": org.pelaksana.jabatan_id,
        "aktif": "on",
        "tanggal_efektif": "2026-04-01",
    }
    with time_machine.travel(JULY, tick=False):
        assert client.post("/admin/workflow/pegawai/add/", data).status_code == 302
    skp = Skp.objects.get(pegawai__nama="Rudi Hartono, S.Kom.")
    assert (skp.urutan, skp.tanggal_mulai, skp.penilai) == (1, dt.date(2026, 4, 1), org.kasi)


# --- through the import -------------------------------------------------------------------------


def import_rows(org, **person):
    from tests.helpers import person_row

    row = person_row("DINKES-B1", org.pelaksana.nip, org.pelaksana.nama, "Analis Pengendalian Penyakit", "pelaksana")
    return [(2, {**dict.fromkeys(COLUMNS, ""), **row, **person})]


def test_the_import_moves_an_employee_from_the_tmt_date(org, opened, bkd):
    with time_machine.travel(JULY, tick=False):
        org_import(instansi=org.instansi, rows=import_rows(org, tmt="01-07-2026"), by=bkd)
    first, second = Skp.objects.filter(pegawai=org.pelaksana).order_by("urutan")
    assert first.tanggal_selesai == dt.date(2026, 6, 30) and second.tanggal_mulai == dt.date(2026, 7, 1)
    assert second.penilai == org.kabid


def test_an_import_tmt_outside_the_period_names_the_row_and_writes_nothing(org, opened, bkd):
    before = (Skp.objects.count(), AuditEvent.objects.count())
    with time_machine.travel(JULY, tick=False), pytest.raises(OrgImportError) as caught:
        org_import(instansi=org.instansi, rows=import_rows(org, tmt="2025-06-01"), by=bkd)
    assert caught.value.errors == [
        "Baris 2: tmt 01-06-2025 di luar periode 2026 (01-01-2026 – 31-12-2026) dari SKP pegawai yang sedang berjalan."
    ]
    org.pelaksana.refresh_from_db()
    assert org.pelaksana.unit == org.seksi and (Skp.objects.count(), AuditEvent.objects.count()) == before
    with time_machine.travel(JULY, tick=False), pytest.raises(OrgImportError) as caught:
        org_import(instansi=org.instansi, rows=import_rows(org, tmt="kemarin"), by=bkd)
    assert "tmt 'kemarin' bukan tanggal" in caught.value.errors[0]


def test_a_transfer_during_the_periodic_self_review_goes_to_the_final_review(org, opened, bkd):
    first = Skp.objects.get(pegawai=org.pelaksana)
    with time_machine.travel(JULY, tick=False):
        approve_plan(first, org.pelaksana, org.kasi)
        assert the_task(first).flow_task == AppraisalFlow.self_review  # the semester window is open
        transfer(org, bkd, tanggal=dt.date(2026, 7, 1))
    cancelled = Task.objects.get(process_id=first.process_id, flow_task=AppraisalFlow.self_review)
    assert cancelled.status == STATUS.CANCELED
    task = the_task(first)
    assert task.flow_task == AppraisalFlow.final_self_review and cancelled in task.previous.all()
    assert task.tenggat.jatuh_tempo.date() == dt.date(2026, 7, 16)  # the standard days, not the annual window


def test_an_acting_official_for_the_snapshot_assessor_post_gets_the_task(org, opened):
    from workflow.models import JenisPenugasan, PenugasanPlt

    PenugasanPlt.objects.create(
        pegawai=org.fungsional,
        jabatan=org.seksi.jabatan_kepala,
        jenis=JenisPenugasan.PLH,
        tanggal_mulai=dt.date(2026, 3, 1),
        tanggal_selesai=dt.date(2026, 3, 31),
        nomor_sk="800/9/BKD/2026",
    )
    skp = Skp.objects.get(pegawai=org.pelaksana)
    with time_machine.travel(MARCH, tick=False):
        svc.plan_submit(skp=skp, by=org.pelaksana.user, pendekatan="kuantitatif", rows=rows())
    skp.refresh_from_db()
    assert skp.penilai == org.kasi and the_task(skp).owner == org.fungsional.user
