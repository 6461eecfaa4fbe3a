"""Appeals (keberatan), the appeal window, deadlines, delegation and notifications."""

import datetime as dt
import re

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS
from viewflow.workflow.timers import fire_due_timers

from tests.helpers import at, rows, through_final_review
from workflow.flows import AppealFlow, AppraisalFlow
from workflow.models import Keberatan, Notifikasi, PeranAdmin, Skp, StatusKeberatan, StatusSkp, TenggatTugas
from workflow.services import appeal as svc
from workflow.services.deadlines import deadlines_sweep
from workflow.services.roles import ensure_admin_group

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(org, opened, rules_pack):
    """The pelaksana's result, published on 2 December 2026 (Baik: work above, behaviour meets)."""
    skp = through_final_review(org, org.pelaksana, org.kasi, lambda r: "di_atas", lambda v: "sesuai")
    assert skp.status == StatusSkp.DIPUBLIKASIKAN and skp.hasil.predikat == "baik"
    return skp


def appeal_task(keberatan, node):
    return Task.objects.get(process_id=keberatan.process_id, flow_task=node, status__in=[STATUS.NEW, STATUS.ASSIGNED])


def test_an_appeal_goes_to_the_assessors_superior_and_changes_the_predikat(
    org, published, mailoutbox, django_capture_on_commit_callbacks
):
    for person, email in ((org.pelaksana, "hendra@example.go.id"), (org.kasi, "zulkifli@example.go.id")):
        person.email = email
        person.save()
    with at(5):
        keberatan = svc.appeal_file(skp=published, by=org.pelaksana.user, alasan="Capaian imunisasi 98% tidak dinilai.")
    assert keberatan.pemutus == org.kabid and keberatan.penanggap == org.kasi
    published.refresh_from_db()
    assert published.status == StatusSkp.KEBERATAN
    respond = appeal_task(keberatan, AppealFlow.respond)
    assert respond.owner == org.kasi.user
    with at(6):
        svc.appeal_respond(keberatan=keberatan, by=org.kasi.user, tanggapan="Bukti dukung baru diterima.")
    decide = appeal_task(keberatan, AppealFlow.decide)
    assert decide.owner == org.kabid.user
    version_before = published.hasil.rule_version
    with at(8), django_capture_on_commit_callbacks(execute=True):
        svc.appeal_decide(
            keberatan=keberatan,
            by=org.kabid.user,
            uphold=False,
            rating_hasil_kerja="di_atas",
            rating_perilaku="di_atas",
            alasan="Perilaku melayani terbukti di atas ekspektasi.",
        )
    keberatan.refresh_from_db()
    published.refresh_from_db()
    assert keberatan.status == StatusKeberatan.DIUBAH and keberatan.predikat_baru == "sangat_baik"
    assert published.hasil.predikat == "sangat_baik" and published.hasil.rule_version == version_before
    assert published.hasil.trace[-1]["appeal"] is True
    assert published.status == StatusSkp.FINAL
    assert published.hasil.history.count() >= 2  # the old predikat stays in the history
    decisions = [m for m in mailoutbox if "keberatan" in m.subject.lower()]
    assert len(decisions) == 2  # employee and assessor


def test_an_upheld_appeal_keeps_the_result(org, published):
    with at(5):
        keberatan = svc.appeal_file(skp=published, by=org.pelaksana.user, alasan="Saya tidak setuju.")
        svc.appeal_respond(keberatan=keberatan, by=org.kasi.user, tanggapan="Penilaian sesuai bukti.")
        svc.appeal_decide(keberatan=keberatan, by=org.kabid.user, uphold=True, alasan="Penilaian sudah sesuai bukti.")
    keberatan.refresh_from_db()
    assert keberatan.status == StatusKeberatan.DIKUATKAN and keberatan.predikat_baru == "baik"
    assert Skp.objects.get(pk=published.pk).hasil.predikat == "baik"


def test_an_unanswered_appeal_moves_to_the_decision_when_the_response_is_late(org, published):
    with at(5):
        keberatan = svc.appeal_file(skp=published, by=org.pelaksana.user, alasan="Saya tidak setuju.")
    with at(9):
        fire_due_timers()  # not yet: 5 days to respond
    assert appeal_task(keberatan, AppealFlow.respond)
    with at(11):
        fire_due_timers()
    assert appeal_task(keberatan, AppealFlow.decide).owner == org.kabid.user


def test_by_setting_a_jpt_appeal_goes_to_the_admins_and_the_governor_never_decides_it(
    org, opened, rules_pack, client, settings
):
    # The Kepala Dinas is rated by the Governor, whose superior is the Governor himself.
    from tests.factories import give_accounts

    settings.KINERJA_APPEAL_SAME_OFFICIAL = "admin"
    give_accounts(org.gubernur)
    skp = through_final_review(org, org.kadis, org.gubernur, lambda r: "sesuai", lambda v: "sesuai")
    with at(5):
        keberatan = svc.appeal_file(skp=skp, by=org.kadis.user, alasan="Mohon ditinjau ulang.")
        svc.appeal_respond(keberatan=keberatan, by=org.gubernur.user, tanggapan="Sudah sesuai.")
    assert keberatan.pemutus is None and "admin" in keberatan.catatan_pemutus
    decide = appeal_task(keberatan, AppealFlow.decide)
    assert decide.owner is None  # waits in the admins' queue
    node = AppealFlow.decide
    assert not node.can_assign(org.gubernur.user, decide)
    admin = get_user_model().objects.create_user("admin.bkd", is_staff=True)
    admin.groups.add(ensure_admin_group())
    PeranAdmin.objects.create(user=admin, instansi=org.instansi)
    assert node.can_assign(admin, decide)
    decide.owner, decide.status = org.gubernur.user, STATUS.ASSIGNED
    decide.save()
    assert not node.can_execute(org.gubernur.user, decide)  # even when assigned by hand
    client.force_login(org.kadis.user)
    page = client.get(f"/appeal/{keberatan.process_id}/").content.decode()
    assert "diteruskan kepada admin instansi (BKD)" in page


def test_appeal_bad_input_changes_nothing(org, published, opened):
    with translation.override("id"):
        with at(5), pytest.raises(PermissionDenied):
            svc.appeal_file(skp=published, by=org.kasi.user, alasan="Bukan saya.")
        with at(5), pytest.raises(ValidationError, match="alasan"):
            svc.appeal_file(skp=published, by=org.pelaksana.user, alasan="  ")
        with at(20), pytest.raises(ValidationError, match="berakhir|ditutup"):
            svc.appeal_file(skp=published, by=org.pelaksana.user, alasan="Terlambat.")
        assert not Keberatan.objects.exists()
        with at(5):
            keberatan = svc.appeal_file(skp=published, by=org.pelaksana.user, alasan="Keberatan pertama.")
            with pytest.raises(ValidationError, match="sudah diajukan"):
                svc.appeal_file(skp=published, by=org.pelaksana.user, alasan="Keberatan kedua.")
            svc.appeal_respond(keberatan=keberatan, by=org.kasi.user, tanggapan="Tanggapan.")
            with pytest.raises(ValidationError, match="alasan keputusan"):
                svc.appeal_decide(keberatan=keberatan, by=org.kabid.user, uphold=True, alasan="")
    assert Keberatan.objects.count() == 1
    assert Keberatan.objects.get().status == StatusKeberatan.MENUNGGU_KEPUTUSAN


def test_the_window_closes_unused_and_the_result_becomes_final(org, published):
    with at(16):
        fire_due_timers()
    assert Skp.objects.get(pk=published.pk).status == StatusSkp.DIPUBLIKASIKAN
    with at(17):
        fire_due_timers()
    assert Skp.objects.get(pk=published.pk).status == StatusSkp.FINAL
    assert Task.objects.filter(process_id=published.process_id, flow_task=AppraisalFlow.finalised).exists()


def test_the_employee_files_through_the_page_and_reads_the_decision(client, org, published):
    with at(5):
        client.force_login(org.pelaksana.user)
        page = client.get(f"/appraisal/{published.process_id}/").content.decode()
        assert "Ajukan keberatan" in page
        form = client.get(f"/kinerja/keberatan/{published.pk}/").content.decode()
        assert "16-12-2026" in form and org.kabid.nama in form
        refused = client.post(f"/kinerja/keberatan/{published.pk}/", {"alasan": ""})
        assert "Tuliskan alasan" in refused.content.decode()
        response = client.post(f"/kinerja/keberatan/{published.pk}/", {"alasan": "Mohon ditinjau."}, follow=True)
        assert "Keberatan Anda telah diajukan" in response.content.decode()
        client.force_login(org.kasi.user)
        assert client.get(f"/kinerja/keberatan/{published.pk}/").status_code == 403


def test_deadlines_remind_then_escalate_once(org, opened, mailoutbox, django_capture_on_commit_callbacks):
    skp = Skp.objects.get(pegawai=org.pelaksana)
    draft = Task.objects.get(process_id=skp.process_id, status=STATUS.ASSIGNED)
    deadline = TenggatTugas.objects.get(task=draft)
    assert deadline.jatuh_tempo.date() == dt.date(2026, 1, 31)  # the period's plan deadline
    with time_machine.travel(dt.datetime(2026, 1, 20, tzinfo=dt.UTC), tick=False):
        assert deadlines_sweep() == {"reminded": 0, "escalated": 0}
    with (
        time_machine.travel(dt.datetime(2026, 1, 29, tzinfo=dt.UTC), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert deadlines_sweep() == {"reminded": 6, "escalated": 0}
        assert deadlines_sweep() == {"reminded": 0, "escalated": 0}
    with (
        time_machine.travel(dt.datetime(2026, 2, 2, tzinfo=dt.UTC), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert deadlines_sweep()["escalated"] == 6
    deadline.refresh_from_db()
    assert deadline.dieskalasi_ke == org.kasi.nama  # the employee's superior for an employee task
    assert Notifikasi.objects.filter(penerima=org.kasi.user, judul__startswith="Terlambat").exists()
    assert Notifikasi.objects.filter(penerima=org.pelaksana.user, judul__startswith="Pengingat").exists()


def test_each_step_is_due_by_the_policy_its_node_declares(org, published):
    """The employee's steps and the reviews are due at the period's dates, the plan's approval
    KINERJA_TASK_DAYS after it arrives, the appeal's response and decision after their own days."""
    with at(5):
        keberatan = svc.appeal_file(skp=published, by=org.pelaksana.user, alasan="Capaian tidak dinilai.")
    with at(6):
        svc.appeal_respond(keberatan=keberatan, by=org.kasi.user, tanggapan="Bukti dukung diterima.")
    tasks = Task.objects.filter(process_id__in=[published.process_id, keberatan.process_id], flow_task_type="HUMAN")
    due = {task.flow_task.name: (task.created, timezone.localtime(task.tenggat.jatuh_tempo)) for task in tasks}

    def end_of(day):
        return timezone.make_aware(dt.datetime.combine(day, dt.time(23, 59)))

    assert due["draft_plan"][1] == end_of(dt.date(2026, 1, 31))  # the plan deadline
    assert due["approve_plan"][1] == due["approve_plan"][0] + dt.timedelta(days=14)
    assert due["self_review"][1] == due["review"][1] == end_of(dt.date(2026, 7, 14))  # the periodic window closes
    assert due["final_self_review"][1] == due["final_review"][1] == end_of(dt.date(2027, 1, 14))
    assert due["respond"][1] == due["respond"][0] + dt.timedelta(days=5)
    assert due["decide"][1] == due["decide"][0] + dt.timedelta(days=14)  # the rule pack's days to decide


def test_a_task_revived_by_an_admin_gets_its_due_date_again(org, opened):
    skp = Skp.objects.get(pegawai=org.pelaksana)
    draft = Task.objects.get(process_id=skp.process_id, status=STATUS.ASSIGNED)
    draft.flow_task.activation_class(draft).cancel()
    with time_machine.travel(dt.datetime(2026, 1, 10, tzinfo=dt.UTC), tick=False):
        revived = draft.flow_task.activation_class(draft).revive()
    assert revived.pk != draft.pk and revived.tenggat.jatuh_tempo.date() == dt.date(2026, 1, 31)


def test_delegation_routes_new_tasks_and_an_admin_reassigns_with_a_reason(org, opened):
    from workflow.services.appraisal import plan_submit
    from workflow.services.delegation import delegation_create, tasks_reassign

    delegation_create(
        pemberi=org.kasi,
        penerima=org.kabid,
        mulai=dt.date(2026, 1, 1),
        selesai=dt.date(2026, 12, 31),
        alasan="Cuti besar",
        by=org.kasi.user,
    )
    skp = Skp.objects.get(pegawai=org.pelaksana)
    with time_machine.travel(dt.datetime(2026, 3, 1, tzinfo=dt.UTC), tick=False):
        plan_submit(skp=skp, by=org.pelaksana.user, pendekatan="kuantitatif", rows=rows())
    approve = Task.objects.get(process_id=skp.process_id, status=STATUS.ASSIGNED)
    assert approve.owner == org.kabid.user
    admin = get_user_model().objects.create_user("admin.bkd", is_staff=True)
    PeranAdmin.objects.create(user=admin, instansi=org.instansi)
    org.sekda.aktif = False
    org.sekda.save()
    with translation.override("id"), pytest.raises(ValidationError, match="bukan pegawai aktif"):
        tasks_reassign(task_ids=[approve.pk], to=org.sekda, by=admin, reason="Dialihkan")
    with translation.override("id"), pytest.raises(ValidationError, match="alasan"):
        tasks_reassign(task_ids=[approve.pk], to=org.kadis, by=admin, reason="")
    assert Task.objects.get(pk=approve.pk).owner == org.kabid.user
    tasks_reassign(task_ids=[approve.pk], to=org.kadis, by=admin, reason="Kabid sedang dinas luar")
    assert Task.objects.get(pk=approve.pk).owner == org.kadis.user


def test_the_menu_shows_the_unread_count(client, org, opened):
    client.force_login(org.pelaksana.user)
    body = client.get("/appraisal/inbox/").content.decode()
    assert 'class="kinerja-unread">(1)' in body  # "New task: Susun SKP"
    client.post("/kinerja/notifikasi/")
    assert "kinerja-unread" not in client.get("/appraisal/inbox/").content.decode()


def test_the_inbox_shows_whose_task_it_is_and_when_it_is_due(client, org, opened):
    client.force_login(org.pelaksana.user)
    body = client.get("/appraisal/inbox/").content.decode()
    assert org.pelaksana.nama in body and "Jatuh tempo" in body and "31-01-2026" in body


def test_an_admin_reassigns_tasks_through_the_page(client, org, opened):
    admin = get_user_model().objects.create_user("admin.bkd", is_staff=True)
    admin.groups.add(ensure_admin_group())
    PeranAdmin.objects.create(user=admin, instansi=org.instansi)
    client.force_login(admin)
    with time_machine.travel(dt.datetime(2026, 2, 3, tzinfo=dt.UTC), tick=False):
        page = client.get("/kinerja/terlambat/").content.decode()
        draft = Task.objects.get(process__skp__pegawai=org.pelaksana, status=STATUS.ASSIGNED)
        assert f'value="{draft.pk}"' in page and org.pelaksana.nama in page
        refused = client.post("/kinerja/terlambat/", {"tugas": [draft.pk], "kepada": org.kabid.pk, "alasan": ""})
        assert "Tuliskan alasan pengalihan" in refused.content.decode()
        client.post("/kinerja/terlambat/", {"tugas": [draft.pk], "kepada": org.kabid.pk, "alasan": "Pegawai cuti"})
    assert Task.objects.get(pk=draft.pk).owner == org.kabid.user
    client.force_login(org.pelaksana.user)
    assert client.get("/kinerja/terlambat/").status_code == 403


def test_an_assessor_delegates_through_the_page(client, org, opened):
    from workflow.models import Delegasi

    client.force_login(org.kasi.user)
    bad = client.post(
        "/kinerja/delegasi/",
        {"penerima": org.kabid.pk, "mulai": "2026-03-10", "selesai": "2026-03-01", "alasan": "Diklat"},
    )
    assert "Tanggal selesai sebelum tanggal mulai" in bad.content.decode()
    assert not Delegasi.objects.exists()
    client.post(
        "/kinerja/delegasi/",
        {"penerima": org.kabid.pk, "mulai": "2026-03-01", "selesai": "2026-03-10", "alasan": "Diklat kepemimpinan"},
    )
    assert Delegasi.objects.get().penerima == org.kabid


# --- the Governor decides a JPT's appeal (issue 13, item 5) -----------------------------------------


def appeal_task_url(task):
    return f"/appeal/{task.process_id}/{task.flow_task.name}/{task.pk}/execute/"


def test_by_default_the_governor_decides_a_jpt_appeal_through_the_pages(org, opened, rules_pack, client, settings):
    """JPT are assessed by the Governor, who is also the assessor's superior: he hears the appeal
    and decides it (the default of KINERJA_APPEAL_SAME_OFFICIAL), from his own inbox."""
    from tests.factories import give_accounts
    from workflow.models import AuditAction, AuditEvent

    assert settings.KINERJA_APPEAL_SAME_OFFICIAL == "same"
    give_accounts(org.gubernur)
    skp = through_final_review(org, org.kadis, org.gubernur, lambda r: "sesuai", lambda v: "sesuai")
    with at(5):
        client.force_login(org.kadis.user)
        form = client.get(f"/kinerja/keberatan/{skp.pk}/").content.decode()
        assert f"{org.gubernur.nama} yang memutus keberatan" in form  # the page says who decides
        client.post(f"/kinerja/keberatan/{skp.pk}/", {"alasan": "Penanganan KLB campak belum dinilai."})
    keberatan = Keberatan.objects.get(skp=skp)
    assert keberatan.pemutus == org.gubernur and keberatan.penanggap == org.gubernur
    client.force_login(org.gubernur.user)
    respond = appeal_task(keberatan, AppealFlow.respond)
    assert respond.owner == org.gubernur.user
    with at(6):
        assert client.post(appeal_task_url(respond), {"tanggapan": "Bukti KLB diterima."}).status_code == 302
    decide = appeal_task(keberatan, AppealFlow.decide)
    assert decide.owner == org.gubernur.user  # in his inbox, not the admins' queue
    inbox = client.get("/appeal/inbox/").content.decode()
    assert any(org.kadis.nama in row for row in re.findall(r"<tr[^>]*>(.*?)</tr>", inbox, re.S) if "Putuskan" in row)
    page = client.get(f"/appeal/{keberatan.process_id}/").content.decode()
    assert "sesuai ketentuan" in page and "antrean admin" not in page
    with at(8):
        refused = client.post(appeal_task_url(decide), {"keputusan": "ubah", "alasan": ""})
        assert refused.status_code == 200 and "alasan keputusan" in refused.content.decode()
        decided = client.post(
            appeal_task_url(decide),
            {
                "keputusan": "ubah",
                "alasan": "Penanganan KLB campak melampaui target.",
                "rating_hasil_kerja": "di_atas",
                "rating_perilaku": "di_atas",
            },
        )
    assert decided.status_code == 302
    keberatan.refresh_from_db()
    assert keberatan.status == StatusKeberatan.DIUBAH and keberatan.predikat_baru == "sangat_baik"
    assert Skp.objects.get(pk=skp.pk).status == StatusSkp.FINAL
    event = AuditEvent.objects.filter(action=AuditAction.APPEAL_DECIDED).get()
    assert event.actor == org.gubernur.user


def test_a_governor_without_an_account_leaves_the_jpt_appeal_in_the_admins_queue_and_says_so(
    org, opened, rules_pack, client, bkd
):
    from tests.factories import give_accounts

    give_accounts(org.gubernur)
    skp = through_final_review(org, org.kadis, org.gubernur, lambda r: "sesuai", lambda v: "sesuai")
    org.gubernur.user = None  # the account is taken away before the appeal
    org.gubernur.save(update_fields=["user"])
    with at(5), translation.override("id"):
        keberatan = svc.appeal_file(skp=skp, by=org.kadis.user, alasan="Mohon ditinjau ulang.")
    assert keberatan.pemutus == org.gubernur
    assert "belum memiliki akun pengguna, sehingga keberatan menunggu di antrean admin" in keberatan.catatan_pemutus
    with at(11):
        fire_due_timers()  # no response in time: on to the decision
    decide = appeal_task(keberatan, AppealFlow.decide)
    assert decide.owner is None and AppealFlow.decide.can_assign(bkd, decide)
