"""The appraisal steps through the real pages, as employee and assessor click through them."""

import pytest
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from tests.helpers import EXPECTATIONS, MIDYEAR, approve, open_task, rows, task_url
from workflow.flows import AppraisalFlow
from workflow.models import Skp, StatusSkp

pytestmark = pytest.mark.django_db


def plan_post(rows, pendekatan="kuantitatif", submit=True):
    data = {
        "skp-pendekatan": pendekatan,
        "rhk-TOTAL_FORMS": str(len(rows)),
        "rhk-INITIAL_FORMS": "0",
        "rhk-MIN_NUM_FORMS": "0",
        "rhk-MAX_NUM_FORMS": "30",
    }
    for i, row in enumerate(rows):
        data.update({f"rhk-{i}-{k}": v for k, v in row.items()})
    data["ajukan" if submit else "simpan"] = "1"
    return data


GOOD = [
    {
        "jenis": "utama",
        "teks": "Cakupan imunisasi dasar lengkap Kota Bengkulu",
        "aspek": "kuantitas",
        "indikator": "Persentase bayi diimunisasi lengkap",
        "target": "95",
        "satuan": "%",
    },
    {
        "jenis": "tambahan",
        "teks": "Survei kepuasan masyarakat layanan imunisasi",
        "aspek": "kualitas",
        "indikator": "Indeks kepuasan masyarakat",
        "target": "80,5",
        "satuan": "indeks",
    },
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


@pytest.mark.parametrize("submit", [True, False])
@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("1e20", "terlalu besar"),
        ("1e309", "terlalu besar"),
        ("1000000000000", "terlalu besar"),
        ("0.001", "lebih dari 2 angka di belakang koma"),
        ("0,125", "lebih dari 2 angka di belakang koma"),
    ],
)
def test_a_target_the_plan_cannot_store_is_refused_not_rounded(client, org, opened, target, message, submit):
    skp = Skp.objects.get(pegawai=org.pelaksana)
    client.force_login(org.pelaksana.user)
    task = open_task(skp)
    response = client.post(task_url(task), plan_post([dict(GOOD[0], target=target)], submit=submit))
    assert response.status_code == 200 and message in response.content.decode()
    assert skp.rhk_set.count() == 0 and open_task(skp).pk == task.pk


def test_targets_within_the_column_are_kept_exactly(client, org, opened):
    skp = Skp.objects.get(pegawai=org.pelaksana)
    client.force_login(org.pelaksana.user)
    task = open_task(skp)
    client.post(
        task_url(task),
        plan_post([dict(GOOD[0], target="999999999999,99"), dict(GOOD[0], target="1,500")], submit=False),
    )
    kept = sorted(str(i.target_angka) for r in skp.rhk_set.all() for i in r.iki_set.all())
    assert kept == ["1.50", "999999999999.99"]


def test_a_nul_character_anywhere_is_refused_with_a_page_and_nothing_is_saved(client, org, opened):
    from workflow.models import AuditEvent

    skp = Skp.objects.get(pegawai=org.pelaksana)
    client.force_login(org.pelaksana.user)
    task = open_task(skp)
    events = AuditEvent.objects.count()
    response = client.post(task_url(task), plan_post([dict(GOOD[0], teks="Cakupan\x00imunisasi")]))
    assert response.status_code == 400
    body = response.content.decode()
    assert "karakter kendali (NUL)" in body and "Tidak ada yang disimpan" in body and task_url(task) in body
    assert skp.rhk_set.count() == 0 and open_task(skp).pk == task.pk and AuditEvent.objects.count() == events
    assert client.get("/kinerja/audit/?q=a%00b").status_code == 400


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


@pytest.mark.parametrize("submit", [True, False])
def test_saving_the_plan_reads_the_assessors_plan_once(client, org, opened, submit):
    """The plan's page reads the assessor's plan for its choices; the service checks the rows
    against that same read instead of reading it again (and, for a draft, whether the assessor's
    staff are waiting for it)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    skp = Skp.objects.get(pegawai=org.pelaksana)
    client.force_login(org.pelaksana.user)
    url = task_url(open_task(skp))
    with CaptureQueriesContext(connection) as ctx:
        response = client.post(url, plan_post(GOOD, submit=submit))
    assert response.status_code == 302
    assert Skp.objects.get(pk=skp.pk).status == (StatusSkp.DIAJUKAN if submit else StatusSkp.DRAFT)
    assert skp.rhk_set.count() == 2
    # the assessor's SKP of the period, latest first: the one query of ``assessor_plan`` on the SKP table
    reads = [
        q
        for q in ctx.captured_queries
        if 'FROM "workflow_skp"' in q["sql"] and 'ORDER BY "workflow_skp"."urutan" DESC' in q["sql"]
    ]
    assert len(reads) == 1, [q["sql"] for q in ctx.captured_queries]


def drive_to_final_review(org):
    """Plan approved, midyear done, annual self-review submitted (through the services)."""
    import datetime as dt

    import time_machine
    from viewflow.workflow.timers import fire_due_timers

    from workflow.services import appraisal as svc

    with time_machine.travel(MIDYEAR, tick=False):
        skp = approve(org, org.pelaksana, org.kasi)
        rows = [svc.RealisasiInput(rhk_id=r.pk, realisasi="Capaian semester I") for r in skp.rhk_set.all()]
        svc.self_review_submit(skp=skp, by=org.pelaksana.user, rows=rows)
        svc.review_submit(skp=skp, by=org.kasi.user, rhk_feedback={}, perilaku={})
    traveller = time_machine.travel(dt.datetime(2026, 12, 2, 9, tzinfo=dt.UTC), tick=False)
    traveller.start()
    fire_due_timers()
    rows = [svc.RealisasiInput(rhk_id=r.pk, realisasi="Capaian akhir 97%") for r in skp.rhk_set.all()]
    svc.self_review_submit(skp=skp, by=org.pelaksana.user, rows=rows, final=True)
    return skp, traveller


def test_annual_review_page_suggests_scores_and_the_employee_reads_why(client, org, opened, rules_pack):
    skp, traveller = drive_to_final_review(org)
    try:
        client.force_login(org.kasi.user)
        task = open_task(skp)
        assert task.flow_task == AppraisalFlow.final_review
        page = client.get(task_url(task)).content.decode()
        assert "Capaian akhir 97%" in page and "Rating akhir" in page
        data = {f"rating_{r.pk}": "di_atas" for r in skp.rhk_set.all()}
        data.update({f"rating_{v}": "sesuai" for v in EXPECTATIONS})
        partial = client.post(f"/kinerja/saran/{skp.pk}/", {f"rating_{skp.rhk_set.first().pk}": "di_atas"}).json()
        assert "Nilai setiap RHK" in partial["html"]
        full = client.post(f"/kinerja/saran/{skp.pk}/", data).json()
        assert (full["hasil_kerja"], full["perilaku"]) == ("di_atas", "sesuai")
        missing = dict(data)
        missing.pop(f"rating_{skp.rhk_set.first().pk}")
        refused = client.post(task_url(task), missing)
        assert "pilih penilaian" in refused.content.decode()
        assert open_task(skp).pk == task.pk
        client.post(task_url(task), data)
        skp.refresh_from_db()
        assert skp.status == StatusSkp.DIPUBLIKASIKAN

        client.force_login(org.pelaksana.user)
        page = client.get(f"/appraisal/{skp.process_id}/").content.decode()
        assert "Predikat: Baik" in page
        assert "Mengapa predikat ini" in page and "RHK dinilai di atas ekspektasi dan tidak ada yang di bawah" in page
        assert "Tabel Predikat kinerja pegawai, baris" in page
    finally:
        traveller.stop()


def test_the_suggestion_endpoint_is_only_for_the_assessor_at_the_annual_review(client, org, opened, rules_pack):
    skp, traveller = drive_to_final_review(org)
    try:
        for user in (org.pelaksana.user, org.kabid.user):
            client.force_login(user)
            assert client.post(f"/kinerja/saran/{skp.pk}/", {}).status_code == 403
    finally:
        traveller.stop()


def test_the_employee_does_not_see_an_unpublished_result(client, org, opened, rules_pack):
    from workflow.models import HasilPenilaian

    skp, traveller = drive_to_final_review(org)
    traveller.stop()
    HasilPenilaian.objects.create(
        skp=skp,
        rating_hasil_kerja="sesuai",
        rating_perilaku="sesuai",
        predikat="baik",
        rule_set="penilaian-kinerja",
        rule_version="1",
    )
    client.force_login(org.pelaksana.user)
    assert "Mengapa predikat ini" not in client.get(f"/appraisal/{skp.process_id}/").content.decode()
    client.force_login(org.kasi.user)
    assert "belum dipublikasikan" in client.get(f"/appraisal/{skp.process_id}/").content.decode()


def test_an_admin_takes_a_queued_task_of_their_own_government_only(
    client, org, periode, django_capture_on_commit_callbacks
):
    from django.contrib.auth import get_user_model

    from tests.factories import InstansiFactory
    from workflow.models import PeranAdmin
    from workflow.services import appraisal as svc
    from workflow.services.period_open import period_open
    from workflow.services.roles import ensure_admin_group

    org.kasi.user = None
    org.kasi.save()
    with django_capture_on_commit_callbacks(execute=True):
        period_open(periode=periode, by=None)
    skp = Skp.objects.get(pegawai=org.pelaksana)
    svc.plan_submit(skp=skp, by=org.pelaksana.user, pendekatan="kuantitatif", rows=rows())
    queued = Task.objects.get(process_id=skp.process_id, status=STATUS.NEW)
    users = get_user_model().objects
    admin = users.create_user("admin.bkd", is_staff=True)
    admin.groups.add(ensure_admin_group())
    PeranAdmin.objects.create(user=admin, instansi=org.instansi)
    outsider = users.create_user("admin.kota", is_staff=True)
    outsider.groups.add(ensure_admin_group())
    PeranAdmin.objects.create(user=outsider, instansi=InstansiFactory(kode="PEMKOT-BKL", nama="Pemkot"))

    client.force_login(outsider)
    assert f"/{queued.pk}/" not in client.get("/appraisal/queue/").content.decode()
    assign_url = f"/appraisal/{skp.process_id}/approve_plan/{queued.pk}/assign/"
    assert client.post(assign_url).status_code in (403, 404)
    client.force_login(admin)
    assert f"/{queued.pk}/" in client.get("/appraisal/queue/").content.decode()
    client.post(assign_url)
    queued.refresh_from_db()
    assert queued.owner == admin and queued.status == STATUS.ASSIGNED


def test_the_suggestion_previews_the_predikat_and_the_distribution_pattern(client, org, opened, rules_pack):
    from workflow.models import CapaianOrganisasi

    skp, traveller = drive_to_final_review(org)
    try:
        client.force_login(org.kasi.user)
        url = f"/kinerja/saran/{skp.pk}/"
        data = {f"rating_{r.pk}": "di_atas" for r in skp.rhk_set.all()}
        data.update({f"rating_{v}": "sesuai" for v in EXPECTATIONS})
        answer = client.post(url, data).json()
        assert answer["predikat"] == "baik"
        assert 'predikatnya menjadi <strong class="kinerja-suggest-predikat">Baik</strong>' in answer["html"]
        assert "pola distribusi tidak diperiksa" in answer["html"]  # no organisation predikat yet

        # The unit is "Butuh Perbaikan": at most 10 % Sangat Baik. The assessor's own choice of
        # behaviour rating would make it Sangat Baik, which the preview flags before anything is saved.
        CapaianOrganisasi.objects.create(periode=skp.periode, unit=org.seksi, predikat="butuh_perbaikan")
        answer = client.post(url, {**data, "rating_perilaku": "di_atas"}).json()
        assert answer["predikat"] == "sangat_baik"
        assert "melanggar pola distribusi" in answer["html"] and "dicatat sebagai peringatan" in answer["html"]
        assert "Sangat Baik: 1 dari 1 pegawai" in answer["html"]

        # ratings that are not ratings count as not chosen: no suggestion, no error
        spoiled = {**data, f"rating_{skp.rhk_set.first().pk}": "luar_biasa"}
        answer = client.post(url, spoiled).json()
        assert "predikat" not in answer and "Nilai setiap RHK" in answer["html"]
        assert not hasattr(Skp.objects.get(pk=skp.pk), "hasil") or Skp.objects.get(pk=skp.pk).hasil is None
    finally:
        traveller.stop()
