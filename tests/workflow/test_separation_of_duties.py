"""Nobody acts on a step of their own appraisal, whatever the route: the flow's own assignment,
a delegation, an acting appointment, an admin's reassignment, the queue. The task goes to the next
official up instead, and an admin who tries gets a clear refusal."""

import datetime as dt

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from tests.factories import PegawaiFactory, give_accounts
from tests.helpers import EXPECTATIONS, rows, through_final_review
from workflow.flows import AppealFlow, AppraisalFlow
from workflow.models import JenisPenugasan, PenugasanPlt, PeranAdmin, Skp
from workflow.selectors.org import OrgSnapshot
from workflow.services import appraisal as svc
from workflow.services.appeal import appeal_file, appeal_respond
from workflow.services.delegation import delegation_create, tasks_reassign
from workflow.services.roles import ensure_admin_group

pytestmark = pytest.mark.django_db
MARCH = dt.datetime(2026, 3, 2, tzinfo=dt.UTC)


def make_admin(username, instansi, user=None):
    user = user or get_user_model().objects.create_user(username, is_staff=True)
    user.is_staff = True
    user.save()
    user.groups.add(ensure_admin_group())
    PeranAdmin.objects.create(user=user, instansi=instansi)
    return user


def submit_plan(pegawai):
    skp = Skp.objects.get(pegawai=pegawai)
    with time_machine.travel(MARCH, tick=False):
        svc.plan_submit(skp=skp, by=pegawai.user, pendekatan="kuantitatif", rows=rows())
    return skp, Task.objects.get(process_id=skp.process_id, flow_task=AppraisalFlow.approve_plan)


def test_a_delegation_to_the_appraisee_passes_their_own_plan_to_the_next_official_up(org, opened):
    colleague = PegawaiFactory(
        instansi=org.instansi, unit=org.seksi, jabatan=org.pelaksana.jabatan, nama="Yuliana Putri, A.Md."
    )
    give_accounts(colleague)
    with time_machine.travel(dt.datetime(2026, 1, 5, tzinfo=dt.UTC), tick=False):
        svc.appraisal_open(
            pegawai=colleague,
            periode=Skp.objects.get(pegawai=org.pelaksana).periode,
            snap=OrgSnapshot.load(org.instansi),
        )
    delegation_create(
        pemberi=org.kasi,
        penerima=org.pelaksana,
        mulai=dt.date(2026, 2, 1),
        selesai=dt.date(2026, 3, 31),
        alasan="Cuti besar",
        by=org.kasi.user,
    )
    skp, approve = submit_plan(org.pelaksana)
    assert approve.owner == org.kabid.user  # the Kasi delegated away; the Kabid is next up
    with time_machine.travel(MARCH, tick=False), pytest.raises(PermissionDenied):
        svc.plan_decide(skp=skp, by=org.pelaksana.user, approve=True, expectations=EXPECTATIONS)
    _, theirs = submit_plan(colleague)
    assert theirs.owner == org.pelaksana.user  # the delegation still holds for everyone else
    with time_machine.travel(MARCH, tick=False):
        svc.plan_decide(skp=skp, by=org.kabid.user, approve=True, expectations=EXPECTATIONS)
    skp.refresh_from_db()
    assert skp.status == "disetujui"


def test_an_acting_head_who_is_the_appraisee_never_decides_their_own_appeal(org, opened, rules_pack):
    # In December the pelaksana stands in (Plh) for the Kepala Bidang: the Atasan of their own Kasi.
    PenugasanPlt.objects.create(
        pegawai=org.pelaksana,
        jabatan=org.bidang.jabatan_kepala,
        jenis=JenisPenugasan.PLH,
        tanggal_mulai=dt.date(2026, 12, 1),
        tanggal_selesai=dt.date(2026, 12, 31),
        nomor_sk="800/777/BKD/2026",
    )
    skp = through_final_review(org, org.pelaksana, org.kasi, lambda r: "di_atas", lambda v: "sesuai")
    with time_machine.travel(dt.datetime(2026, 12, 5, 9, tzinfo=dt.UTC), tick=False):
        keberatan = appeal_file(skp=skp, by=org.pelaksana.user, alasan="Capaian imunisasi 98% tidak dinilai.")
        appeal_respond(keberatan=keberatan, by=org.kasi.user, tanggapan="Sudah sesuai bukti.")
    decide = Task.objects.get(process_id=keberatan.process_id, flow_task=AppealFlow.decide)
    assert keberatan.pemutus == org.kadis and decide.owner == org.kadis.user
    decide.owner = org.pelaksana.user  # even when put there by hand, the appraisee cannot act
    assert not AppealFlow.decide.can_execute(org.pelaksana.user, decide)


def test_an_admin_cannot_give_a_step_of_an_appraisal_to_its_appraisee(client, org, opened):
    admin = make_admin("admin.bkd", org.instansi)
    skp, approve = submit_plan(org.pelaksana)
    with translation.override("id"), pytest.raises(ValidationError, match="pegawai yang dinilai"):
        tasks_reassign(task_ids=[approve.pk], to=org.pelaksana, by=admin, reason="Kasi cuti")
    client.force_login(admin)
    with time_machine.travel(MARCH, tick=False):
        page = client.post(
            "/kinerja/terlambat/", {"tugas": [approve.pk], "kepada": org.pelaksana.pk, "alasan": "Kasi cuti"}
        ).content.decode()
    assert "adalah pegawai yang dinilai" in page
    assert Task.objects.get(pk=approve.pk).owner == org.kasi.user
    # the appraisee's own steps are theirs to hold, of course
    tasks_reassign(task_ids=[approve.pk], to=org.kabid, by=admin, reason="Kasi cuti")
    assert Task.objects.get(pk=approve.pk).owner == org.kabid.user


def test_an_admin_cannot_take_a_step_of_their_own_appraisal_from_the_queue(client, org, opened):
    # The Kepala Dinas is also a government admin; the Governor, who approves their plan, has no
    # account, so the approval waits in the admins' queue.
    kadis_admin = make_admin("", org.instansi, user=org.kadis.user)
    skp, approve = submit_plan(org.kadis)
    assert approve.owner_id is None and approve.status == STATUS.NEW
    assert not AppraisalFlow.approve_plan.can_assign(kadis_admin, approve)
    client.force_login(kadis_admin)
    taken = client.post("/appraisal/queue/assign/", {"select_all": "1", "_confirm": "1"}, follow=True)
    assert "1 tugas dibiarkan seperti semula" in taken.content.decode()
    one = client.post(f"/appraisal/{skp.process_id}/approve_plan/{approve.pk}/assign/", {"_continue": "1"})
    assert one.status_code == 403
    assert Task.objects.get(pk=approve.pk).owner_id is None
    page = client.post(
        "/kinerja/terlambat/", {"tugas": [approve.pk], "kepada": org.kadis.pk, "alasan": "Saya saja"}
    ).content.decode()
    assert "adalah pegawai yang dinilai" in page and Task.objects.get(pk=approve.pk).owner_id is None
    other_admin = make_admin("admin.bkd", org.instansi)
    client.force_login(other_admin)
    client.post("/appraisal/queue/assign/", {"select_all": "1", "_confirm": "1"})
    assert Task.objects.get(pk=approve.pk).owner == other_admin
