"""Evidence files and appeal attachments: stored under random names, served only through views that
check the viewer may see the appraisal, handed to nginx/Apache in production, MEDIA_ROOT never
served (see also tests/project/test_production_static.py for /media/ with DEBUG on and off)."""

import importlib
import re
from pathlib import Path

import pytest
import time_machine
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_sendfile.utils import _get_sendfile
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from tests.factories import InstansiFactory, PegawaiFactory, give_accounts, head, head_unit
from tests.helpers import MIDYEAR, approve, at, through_final_review
from workflow.models import (
    Jabatan,
    JenisInstansi,
    JenisJabatan,
    JenisUnit,
    Keberatan,
    PeranAdmin,
    RealisasiRhk,
    Skp,
)
from workflow.services.roles import ensure_admin_group

pytestmark = pytest.mark.django_db

EVIDENCE_NAME = "Laporan Capaian Semester I (final).pdf"
EVIDENCE_BYTES = b"%PDF-1.4 laporan capaian imunisasi semester I"
ATTACHMENT_NAME = "Bukti pendukung keberatan.pdf"
ATTACHMENT_BYTES = b"%PDF-1.4 bukti pendukung keberatan"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = settings.SENDFILE_ROOT = str(tmp_path / "media")
    _get_sendfile.cache_clear()  # django-sendfile2 remembers the backend
    yield Path(settings.MEDIA_ROOT)
    _get_sendfile.cache_clear()


@pytest.fixture
def people(org, opened):
    """Who asks for the pelaksana's files: the owner, their assessor, their government's admin, and
    people who must not get them."""
    users = get_user_model().objects
    admin = users.create_user("admin.bkd", is_staff=True)
    admin.groups.add(ensure_admin_group())
    PeranAdmin.objects.create(user=admin, instansi=org.instansi)
    kota = InstansiFactory(kode="PEMKOT-BKL", nama="Pemerintah Kota Bengkulu", jenis=JenisInstansi.KOTA)
    other_admin = users.create_user("admin.kota", is_staff=True)
    other_admin.groups.add(ensure_admin_group())
    PeranAdmin.objects.create(user=other_admin, instansi=kota)
    # another team in the same bidang: its head assesses its own pelaksana, not ours
    seksi = head_unit(
        org.instansi,
        "DINKES-B1-2",
        "Seksi Pencegahan Penyakit Menular",
        JenisUnit.SEKSI,
        org.bidang,
        "Kepala Seksi Pencegahan Penyakit Menular",
        JenisJabatan.PENGAWAS,
    )
    other_kasi = head(seksi, "Rudi Hartono, S.K.M.")
    member = PegawaiFactory(
        instansi=org.instansi,
        unit=seksi,
        nama="Yanti Lestari, A.Md.Kes.",
        jabatan=Jabatan.objects.create(instansi=org.instansi, nama="Pengelola Data", jenis=JenisJabatan.PELAKSANA),
    )
    give_accounts(other_kasi, member)
    return {
        "owner": org.pelaksana.user,
        "assessor": org.kasi.user,
        "admin": admin,
        "superuser": users.create_superuser("root", "root@localhost", "x"),
        "employee_of_another_unit": org.sekda.user,
        "colleague_in_the_bidang": org.fungsional.user,
        "assessor_of_another_team": other_kasi.user,
        "admin_of_the_other_government": other_admin,
    }


def open_task(skp):
    return Task.objects.get(process_id=skp.process_id, status=STATUS.ASSIGNED)


def task_url(task):
    return f"/appraisal/{task.process_id}/{task.flow_task.name}/{task.pk}/execute/"


@pytest.fixture
def evidence(client, org, people):
    """The pelaksana's midyear self-review sent through the page with an evidence file on RHK 1."""
    with time_machine.travel(MIDYEAR, tick=False):
        skp = approve(org, org.pelaksana, org.kasi)
        rhk = list(skp.rhk_set.order_by("urutan"))
        data = {"catatan": ""}
        for r in rhk:
            data |= {f"realisasi_{r.pk}": "Cakupan 61% pada semester I", f"bukti_tautan_{r.pk}": ""}
        data[f"bukti_file_{rhk[0].pk}"] = SimpleUploadedFile(EVIDENCE_NAME, EVIDENCE_BYTES, "application/pdf")
        client.force_login(org.pelaksana.user)
        response = client.post(task_url(open_task(skp)), data)
        assert response.status_code == 302, response.content.decode()[:2000]
        client.logout()
    return RealisasiRhk.objects.get(rhk=rhk[0])


def links_to(html: str, url: str) -> list[str]:
    """The text of every link on the page to ``url``."""
    return re.findall(rf'<a href="{re.escape(url)}"[^>]*>([^<]*)</a>', html)


# --- storage ---------------------------------------------------------------------------------


def test_evidence_is_stored_under_a_random_name_and_keeps_its_original_name(evidence, media_root):
    stored = evidence.bukti_file.name
    assert "Laporan" not in stored and "Capaian" not in stored and "final" not in stored
    assert re.fullmatch(r"bukti/\d{4}/\d{2}/[A-Za-z0-9_-]{32,}\.pdf", stored), stored
    assert (media_root / stored).read_bytes() == EVIDENCE_BYTES
    assert evidence.bukti_nama == EVIDENCE_NAME


def test_two_uploads_with_one_name_get_two_unrelated_stored_names():
    field = RealisasiRhk._meta.get_field("bukti_file")
    first, second = (field.generate_filename(None, "laporan.pdf") for _ in range(2))
    assert first != second and "laporan" not in first + second


# --- who gets the bytes ----------------------------------------------------------------------

ALLOWED = {"owner", "assessor", "admin", "superuser"}


@pytest.mark.parametrize(
    "role",
    [
        "owner",
        "assessor",
        "admin",
        "superuser",
        "employee_of_another_unit",
        "colleague_in_the_bidang",
        "assessor_of_another_team",
        "admin_of_the_other_government",
    ],
)
def test_only_who_may_see_the_appraisal_downloads_its_evidence(client, people, evidence, role):
    url = reverse("kinerja:evidence_file", args=[evidence.pk])
    client.force_login(people[role])
    response = client.get(url)
    if role in ALLOWED:
        assert response.status_code == 200
        assert b"".join(response.streaming_content if response.streaming else [response.content]) == EVIDENCE_BYTES
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"] == f'attachment; filename="{EVIDENCE_NAME}"'
        assert "private" in response["Cache-Control"]
    else:
        assert response.status_code in (403, 404)
        assert EVIDENCE_BYTES not in response.content


def test_anonymous_is_sent_to_sign_in(client, evidence):
    response = client.get(reverse("kinerja:evidence_file", args=[evidence.pk]))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_a_row_without_a_file_or_an_unknown_id_is_404(client, people, evidence):
    client.force_login(people["owner"])
    without = RealisasiRhk.objects.filter(evaluasi=evidence.evaluasi).exclude(pk=evidence.pk).first()
    assert client.get(reverse("kinerja:evidence_file", args=[without.pk])).status_code == 404
    assert client.get(reverse("kinerja:evidence_file", args=[10**9])).status_code == 404


# --- the links on the pages ------------------------------------------------------------------


def test_the_appraisal_and_review_pages_link_the_protected_url_with_the_original_name(client, org, people, evidence):
    url = reverse("kinerja:evidence_file", args=[evidence.pk])
    skp = evidence.evaluasi.skp
    client.force_login(people["owner"])
    appraisal = client.get(f"/appraisal/{skp.process_id}/").content.decode()
    assert links_to(appraisal, url) == [EVIDENCE_NAME]
    assert "/media/" not in appraisal
    client.force_login(people["assessor"])
    review = client.get(task_url(open_task(skp))).content.decode()
    assert links_to(review, url) == [EVIDENCE_NAME]
    assert "/media/" not in review


# --- production: the proxy sends the bytes ---------------------------------------------------


def test_with_nginx_the_response_names_the_internal_location_and_carries_no_body(client, settings, people, evidence):
    settings.SENDFILE_BACKEND = "django_sendfile.backends.nginx"
    settings.SENDFILE_URL = "/_berkas"
    _get_sendfile.cache_clear()
    client.force_login(people["owner"])
    response = client.get(reverse("kinerja:evidence_file", args=[evidence.pk]))
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == f"/_berkas/{evidence.bukti_file.name}"
    # no body, and no length announced for one: the proxy sends the file and its length
    assert response.content == b"" and response.get("Content-Length", "0") == "0"
    assert response["Content-Disposition"] == f'attachment; filename="{EVIDENCE_NAME}"'
    assert response["Content-Type"] == "application/pdf"
    client.force_login(people["admin_of_the_other_government"])
    refused = client.get(reverse("kinerja:evidence_file", args=[evidence.pk]))
    assert refused.status_code == 404 and "X-Accel-Redirect" not in refused


def test_with_apache_the_response_names_the_file_for_mod_xsendfile(client, settings, people, evidence, media_root):
    settings.SENDFILE_BACKEND = "django_sendfile.backends.xsendfile"
    _get_sendfile.cache_clear()
    client.force_login(people["assessor"])
    response = client.get(reverse("kinerja:evidence_file", args=[evidence.pk]))
    assert response.status_code == 200 and response.content == b""
    assert response["X-Sendfile"] == str(media_root / evidence.bukti_file.name)


# --- files stored before the change ----------------------------------------------------------


def test_a_file_stored_under_its_original_name_before_keeps_working(client, people, evidence, media_root):
    old = media_root / "bukti" / "2026" / "07" / "laporan_lama.pdf"
    old.parent.mkdir(parents=True, exist_ok=True)
    old.write_bytes(b"%PDF-1.4 old upload")
    RealisasiRhk.objects.filter(pk=evidence.pk).update(bukti_file="bukti/2026/07/laporan_lama.pdf", bukti_nama="")
    migration = importlib.import_module("workflow.migrations.0006_protected_uploads")
    migration.fill_original_names(apps, None)
    evidence.refresh_from_db()
    assert evidence.bukti_nama == "laporan_lama.pdf"
    client.force_login(people["owner"])
    skp = evidence.evaluasi.skp
    url = reverse("kinerja:evidence_file", args=[evidence.pk])
    assert links_to(client.get(f"/appraisal/{skp.process_id}/").content.decode(), url) == ["laporan_lama.pdf"]
    response = client.get(url)
    assert (
        response.status_code == 200
        and b"".join(response.streaming_content if response.streaming else [response.content]) == b"%PDF-1.4 old upload"
    )


# --- appeal attachments ----------------------------------------------------------------------


@pytest.fixture
def appealed(client, org, people, rules_pack):
    """The pelaksana's published result, appealed through the page with an attachment."""
    skp = through_final_review(org, org.pelaksana, org.kasi, lambda r: "di_atas", lambda v: "sesuai")
    with at(5):
        client.force_login(org.pelaksana.user)
        response = client.post(
            f"/kinerja/keberatan/{skp.pk}/",
            {
                "alasan": "Capaian RHK 2 melebihi target; mohon ditinjau.",
                "lampiran": SimpleUploadedFile(ATTACHMENT_NAME, ATTACHMENT_BYTES, "application/pdf"),
            },
        )
        assert response.status_code == 302
        client.logout()
    return Keberatan.objects.get(skp=skp)


def test_an_appeal_attachment_is_stored_randomly_linked_and_served_to_who_may_see_the_appeal(
    client, org, people, appealed
):
    stored = appealed.lampiran.name
    assert "Bukti" not in stored and "keberatan" in stored.split("/")[0]
    assert appealed.lampiran_nama == ATTACHMENT_NAME
    url = reverse("kinerja:appeal_attachment", args=[appealed.pk])
    deciding = appealed.pemutus.user
    assert deciding == org.kabid.user
    may = {
        "owner": people["owner"],
        "assessor": people["assessor"],
        "admin": people["admin"],
        "deciding official": deciding,
    }
    for who, user in may.items():
        client.force_login(user)
        page = client.get(f"/appeal/{appealed.process_id}/").content.decode()
        assert links_to(page, url) == [ATTACHMENT_NAME], who
        response = client.get(url)
        assert response.status_code == 200, who
        assert b"".join(response.streaming_content if response.streaming else [response.content]) == ATTACHMENT_BYTES
        assert response["Content-Disposition"] == f'attachment; filename="{ATTACHMENT_NAME}"'
    respond = Task.objects.get(process_id=appealed.process_id, status=STATUS.ASSIGNED)
    client.force_login(respond.owner)
    respond_page = client.get(f"/appeal/{respond.process_id}/{respond.flow_task.name}/{respond.pk}/execute/")
    assert links_to(respond_page.content.decode(), url) == [ATTACHMENT_NAME]
    for role in ["employee_of_another_unit", "assessor_of_another_team", "admin_of_the_other_government"]:
        client.force_login(people[role])
        assert client.get(url).status_code in (403, 404), role


def test_an_appeal_without_attachment_has_no_file_to_download(client, org, people, rules_pack):
    skp = through_final_review(org, org.pelaksana, org.kasi, lambda r: "di_atas", lambda v: "sesuai")
    with at(5):
        client.force_login(org.pelaksana.user)
        client.post(f"/kinerja/keberatan/{skp.pk}/", {"alasan": "Mohon ditinjau."})
    keberatan = Keberatan.objects.get(skp=Skp.objects.get(pk=skp.pk))
    assert client.get(reverse("kinerja:appeal_attachment", args=[keberatan.pk])).status_code == 404


def test_an_upload_name_with_control_characters_is_cleaned_for_display():
    from workflow.uploads import original_name

    assert original_name("C:\\Users\\hendra\\laporan\x00\n akhir.pdf") == "laporan akhir.pdf"
    assert len(original_name("a" * 400 + ".pdf")) <= 255 and original_name("a" * 400 + ".pdf").endswith(".pdf")


@pytest.mark.parametrize(
    ("name", "size", "message"),
    [("alat.exe", 10, "jenis .exe tidak diizinkan"), ("besar.pdf", 11 * 1024 * 1024, "lebih besar dari 10 MB")],
)
def test_the_evidence_rules_are_the_file_fields_own_validators(name, size, message):
    """The model's FileFields carry the evidence rules, so every route that cleans a model checks them
    (the services ask the same validator before they write)."""
    from django.core.exceptions import ValidationError
    from django.utils import translation

    from workflow.models import Keberatan, RealisasiRhk

    upload = SimpleUploadedFile(name, b"x")
    upload.size = size
    for model, field in ((RealisasiRhk, "bukti_file"), (Keberatan, "lampiran")):
        with translation.override("id"), pytest.raises(ValidationError) as caught:
            model._meta.get_field(field).clean(upload, model())
        assert message in " ".join(caught.value.messages)
