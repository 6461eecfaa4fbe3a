"""The Django admin as a BKD admin uses it: importing the org chart, acting appointments, periods."""

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase

from tests.helpers import as_csv, good_rows
from workflow.models import Pegawai, PenugasanPlt, PeranAdmin, Periode
from workflow.services.roles import ensure_admin_group

pytestmark = pytest.mark.django_db
URL = "/admin/workflow/pegawai/impor/"


@pytest.fixture
def bkd(client, org):
    admin = get_user_model().objects.create_user("admin.bkd", password="x", is_staff=True)
    admin.groups.add(ensure_admin_group())
    PeranAdmin.objects.create(user=admin, instansi=org.instansi)
    client.force_login(admin)
    return admin


def upload(client, org, data, name="org.csv", dry_run=False):
    """Upload a file; the import job it starts runs in-process (no broker) once the request's
    transaction commits, and the answer is the progress page it redirects to."""
    payload = {"instansi": org.instansi.pk, "file": SimpleUploadedFile(name, data)}
    if dry_run:
        payload["dry_run"] = "on"
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(URL, payload)
    return client.get(response["Location"]) if response.status_code == 302 else response


def test_the_import_page_is_linked_from_the_employee_list(client, bkd):
    assert URL in client.get("/admin/workflow/pegawai/").content.decode()
    assert "Impor organisasi" in client.get(URL).content.decode()


def test_an_admin_imports_a_file_and_history_names_them(client, org, bkd):
    before = Pegawai.objects.count()
    body = upload(client, org, as_csv(good_rows())).content.decode()
    assert "pegawai: 3 baru" in body
    assert Pegawai.objects.count() == before + 3
    newest = Pegawai.objects.order_by("-pk").first()
    assert newest.history.first().history_user == bkd


def test_a_bad_file_lists_every_error_in_indonesian_and_writes_nothing(client, org, bkd):
    rows = good_rows()
    rows[3]["nip"] = rows[2]["nip"]
    rows[4]["kode_unit"] = "ENTAH"
    before = Pegawai.objects.count()
    body = upload(client, org, as_csv(rows)).content.decode()
    assert "tidak ada yang disimpan" in body
    assert "Baris 5: NIP" in body and "muncul dua kali" in body
    assert "Baris 6: unit ENTAH tidak dikenal" in body
    assert Pegawai.objects.count() == before


def test_a_dry_run_in_the_admin_writes_nothing(client, org, bkd):
    before = Pegawai.objects.count()
    body = upload(client, org, as_csv(good_rows()), dry_run=True).content.decode()
    assert "Uji coba, tidak ada yang disimpan" in body
    assert Pegawai.objects.count() == before


def test_a_wrong_file_type_is_refused(client, org, bkd):
    body = upload(client, org, b"%PDF-1.4", name="org.pdf").content.decode()
    assert "Jenis berkas tidak didukung" in body


def test_an_employee_cannot_import(client, org):
    user = get_user_model().objects.create_user("pegawai", password="x")
    client.force_login(user)
    response = client.get(URL)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_overlapping_plt_in_the_admin_form_is_refused_in_indonesian(client, org, bkd):
    post = org.seksi.jabatan_kepala.pk
    base = {"pegawai": org.fungsional.pk, "jabatan": post, "jenis": "plt", "nomor_sk": "800/1/BKD/2026"}
    ok = client.post(
        "/admin/workflow/penugasanplt/add/", {**base, "tanggal_mulai": "2026-05-01", "tanggal_selesai": "2026-07-31"}
    )
    assert ok.status_code == 302
    clash = client.post(
        "/admin/workflow/penugasanplt/add/",
        {**base, "nomor_sk": "800/2/BKD/2026", "tanggal_mulai": "2026-07-01", "tanggal_selesai": "2026-08-31"},
    )
    assert clash.status_code == 200
    assert "Tumpang tindih dengan penugasan" in clash.content.decode()
    assert PenugasanPlt.objects.count() == 1


def test_own_assessor_in_the_admin_form_is_refused(client, org, bkd):
    p = org.pelaksana
    data = {
        "instansi": org.instansi.pk,
        "nip": p.nip,
        "nama": p.nama,
        "status_kepegawaian": "PNS",
        "unit": p.unit.pk,
        "jabatan": p.jabatan.pk,
        "aktif": "on",
        "penilai_override": p.pk,
    }
    response = client.post(f"/admin/workflow/pegawai/{p.pk}/change/", data)
    assert "tidak dapat menjadi pejabat penilai bagi dirinya sendiri" in response.content.decode()
    p.refresh_from_db()
    assert p.penilai_override is None


def test_a_new_period_gets_its_review_windows(client, org, bkd):
    response = client.post(
        "/admin/workflow/periode/add/",
        {
            "instansi": org.instansi.pk,
            "tahun": 2027,
            "tanggal_mulai": "2027-01-01",
            "tanggal_selesai": "2027-12-31",
            "granularitas": "triwulan",
            "batas_rencana": "2027-01-31",
            "status": "draft",
            "jendela_set-TOTAL_FORMS": "0",
            "jendela_set-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    periode = Periode.objects.get(tahun=2027)
    assert [w.jenis for w in periode.jendela_set.all()] == ["periodik"] * 3 + ["akhir"]


# --- PPPK numbers in the admin form (issue 13, item 1) ----------------------------------------------

NI_PPPK = "199312282025212001"


def pppk_form(org, **changes):
    return {
        "instansi": org.instansi.pk,
        "nip": NI_PPPK,
        "nama": "Rina Marlina, S.Kep.",
        "status_kepegawaian": "PPPK",
        "unit": org.seksi.pk,
        "jabatan": org.pelaksana.jabatan.pk,
        "aktif": "on",
        **changes,
    }


def test_an_admin_adds_a_pppk_by_their_ni_pppk(client, org, bkd):
    response = client.post("/admin/workflow/pegawai/add/", pppk_form(org))
    assert response.status_code == 302, response.content.decode()[:3000]
    pppk = Pegawai.objects.get(nip=NI_PPPK)
    assert pppk.status_kepegawaian == "PPPK"
    assert pppk.history.first().history_user == bkd


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"status_kepegawaian": "PNS"}, "digit 13–14 adalah 21, kode NI PPPK, bukan bulan pengangkatan"),
        ({"nip": "198503152010012003"}, "digit 13–14 adalah 01, yaitu bulan pengangkatan pada NIP PNS"),
        ({"nip": "199312282025213001"}, "digit ke-15 (jenis kelamin)"),
        ({"nip": ""}, "PPPK wajib memiliki NI PPPK."),
        ({"nip": "12345"}, "NI PPPK harus tepat 18 digit (terbaca 5 karakter)."),
    ],
)
def test_a_wrong_number_for_the_status_is_refused_in_the_admin_form_once_and_in_indonesian(
    client, org, bkd, changes, message
):
    before = Pegawai.objects.count()
    response = client.post("/admin/workflow/pegawai/add/", pppk_form(org, **changes))
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count(message) == 1, page[:3000]  # one message, under the number's field
    assert Pegawai.objects.count() == before
