"""Transfers and appointments in the middle of a period (mutasi): the running SKP closes with a
final review by the old assessor, the next SKP opens with the new one, every step routes by the
SKP's own snapshot, and the year's predikat of several SKP comes from the rule table."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from viewflow.workflow.models import Task
from viewflow.workflow.status import PROCESS, STATUS
from viewflow.workflow.timers import fire_due_timers

from tests.helpers import EXPECTATIONS, rows
from workflow.flows import AppraisalFlow
from workflow.models import AuditAction, AuditEvent, Jabatan, JenisJabatan, NilaiPerilaku, Skp, StatusSkp
from workflow.selectors.scoring import annual_predikat
from workflow.services import appraisal as svc
from workflow.services.mutasi import pegawai_transfer

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
