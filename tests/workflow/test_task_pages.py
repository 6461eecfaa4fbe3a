"""The appraisal steps through the real pages, as employee and assessor click through them."""

import pytest
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from tests.workflow.test_lifecycle import EXPECTATIONS
from workflow.flows import AppraisalFlow
from workflow.models import Skp, StatusSkp

pytestmark = pytest.mark.django_db


def task_url(task):
    return f"/appraisal/{task.process_id}/{task.flow_task.name}/{task.pk}/execute/"


def open_task(skp):
    return Task.objects.get(process_id=skp.process_id, status=STATUS.ASSIGNED)


def plan_post(rows, pendekatan="kuantitatif", submit=True):
    data = {"skp-pendekatan": pendekatan, "rhk-TOTAL_FORMS": str(len(rows)), "rhk-INITIAL_FORMS": "0",
            "rhk-MIN_NUM_FORMS": "0", "rhk-MAX_NUM_FORMS": "30"}
    for i, row in enumerate(rows):
        data.update({f"rhk-{i}-{k}": v for k, v in row.items()})
    data["ajukan" if submit else "simpan"] = "1"
    return data


GOOD = [
    {"jenis": "utama", "teks": "Cakupan imunisasi dasar lengkap Kota Bengkulu", "aspek": "kuantitas",
     "indikator": "Persentase bayi diimunisasi lengkap", "target": "95", "satuan": "%"},
    {"jenis": "tambahan", "teks": "Survei kepuasan masyarakat layanan imunisasi", "aspek": "kualitas",
     "indikator": "Indeks kepuasan masyarakat", "target": "80,5", "satuan": "indeks"},
]


def test_the_employee_finds_the_plan_task_in_the_inbox(client, org, opened):
    client.force_login(org.pelaksana.user)
    body = client.get("/appraisal/inbox/").content.decode()
    assert "Susun SKP" in body


def test_draft_page_refuses_a_non_numeric_target_and_saves_nothing(client, org, opened):
    skp = Skp.objects.get(pegawai=org.pelaksana)
    client.force_login(org.pelaksana.user)
    task = open_task(skp)
    assert "Rencana hasil kerja (RHK)" in client.get(task_url(task)).content.decode()
    bad = [dict(GOOD[0], target="sembilan puluh lima")]
    response = client.post(task_url(task), plan_post(bad))
    assert response.status_code == 200
    assert "bukan angka" in response.content.decode()
    assert skp.rhk_set.count() == 0 and open_task(skp).pk == task.pk


def test_submitting_a_plan_with_no_rhk_is_refused(client, org, opened):
    skp = Skp.objects.get(pegawai=org.pelaksana)
    client.force_login(org.pelaksana.user)
    response = client.post(task_url(open_task(skp)), plan_post([]))
    assert "tidak memiliki RHK" in response.content.decode()
    assert Skp.objects.get(pk=skp.pk).status == StatusSkp.DRAFT


def test_plan_cycle_through_the_pages(client, org, opened):
    skp = Skp.objects.get(pegawai=org.pelaksana)
    client.force_login(org.pelaksana.user)
    response = client.post(task_url(open_task(skp)), plan_post(GOOD), follow=True)
    assert "SKP Anda telah diajukan" in response.content.decode()
    assert skp.rhk_set.count() == 2 and str(skp.rhk_set.last().iki_set.get().target_angka) == "80.50"

    client.force_login(org.kasi.user)
    approve = open_task(skp)
    page = client.get(task_url(approve)).content.decode()
    assert "Cakupan imunisasi dasar lengkap" in page and "Berorientasi Pelayanan" in page
    refused = client.post(task_url(approve), {"keputusan": "kembalikan", "catatan": ""})
    assert "Tulis catatan" in refused.content.decode()
    client.post(task_url(approve), {"keputusan": "kembalikan", "catatan": "Naikkan target menjadi 98%."})
    assert Skp.objects.get(pk=skp.pk).status == StatusSkp.DIKEMBALIKAN

    client.force_login(org.pelaksana.user)
    redo = open_task(skp)
    assert redo.flow_task == AppraisalFlow.draft_plan
    assert "Naikkan target menjadi 98%." in client.get(task_url(redo)).content.decode()
    client.post(task_url(redo), plan_post([dict(GOOD[0], target="98"), GOOD[1]]))

    client.force_login(org.kasi.user)
    data = {"keputusan": "setujui", "catatan": ""}
    data.update({f"ekspektasi_{k}": v for k, v in EXPECTATIONS.items()})
    client.post(task_url(open_task(skp)), data)
    skp.refresh_from_db()
    assert skp.status == StatusSkp.DISETUJUI
    page = client.get(f"/appraisal/{skp.process_id}/").content.decode()
    assert "SKP disetujui" in page and "Ekspektasi khusus untuk nilai loyal" in page


def test_someone_else_cannot_open_or_post_the_task(client, org, opened):
    skp = Skp.objects.get(pegawai=org.pelaksana)
    task = open_task(skp)
    client.force_login(org.fungsional.user)
    assert client.get(task_url(task)).status_code in (403, 404)
    assert client.post(task_url(task), plan_post(GOOD)).status_code in (403, 404)
    assert Skp.objects.get(pk=skp.pk).rhk_set.count() == 0


def test_posting_a_completed_task_again_says_so_and_changes_nothing(client, org, opened):
    skp = Skp.objects.get(pegawai=org.pelaksana)
    client.force_login(org.pelaksana.user)
    task = open_task(skp)
    client.post(task_url(task), plan_post(GOOD))
    again = client.post(task_url(task), plan_post([GOOD[0]]), follow=True)
    assert again.status_code == 200
    assert "Tugas ini tidak lagi terbuka" in again.content.decode()
    assert skp.rhk_set.count() == 2


def test_draft_can_be_saved_without_submitting(client, org, opened):
    skp = Skp.objects.get(pegawai=org.pelaksana)
    client.force_login(org.pelaksana.user)
    task = open_task(skp)
    response = client.post(task_url(task), plan_post(GOOD, submit=False), follow=True)
    assert "Draf disimpan" in response.content.decode()
    assert skp.rhk_set.count() == 2 and open_task(skp).pk == task.pk
