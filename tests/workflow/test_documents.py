"""Documents (PDF): the SKP, each periodic evaluation, the Dokumen Evaluasi Kinerja Pegawai and the
appeal decision, read back with poppler's pdftotext as a reader would; their verification page; the
admins' ZIP packages and the ``dokumen`` command. Each document's first page is rendered as a PNG in
``test-artifacts/documents/`` for a person to look at."""

import datetime as dt
import io
import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.helpers import at, through_final_review
from workflow.models import (
    AuditAction,
    AuditEvent,
    CapaianOrganisasi,
    Dokumen,
    Jabatan,
    JenisDokumen,
    PaketDokumen,
    Skp,
)
from workflow.pdf import sha256_hex
from workflow.services import appeal as appeal_svc
from workflow.services.dokumen import dokumen_issue, paket_chunk, paket_queue, paket_run
from workflow.services.mutasi import pegawai_transfer

pytestmark = pytest.mark.django_db

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "documents"
POPPLER = shutil.which("pdftotext") and shutil.which("pdftoppm")
if not POPPLER:
    if os.environ.get("CI") == "true":
        raise RuntimeError("poppler-utils (pdftotext, pdftoppm) is required in CI: apt-get install poppler-utils")
    pytestmark = [pytestmark, pytest.mark.skip(reason="poppler-utils not installed (apt-get install poppler-utils)")]


def pdf_text(data: bytes) -> str:
    """The PDF's text as pdftotext reads it (layout off, one blank-separated stream), with runs of
    blanks and line breaks folded into one space, so a text wrapped over lines still matches."""
    out = subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True).stdout.decode()
    return re.sub(r"\s+", " ", out)


def first_page_png(data: bytes, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    target = ARTIFACTS / name
    subprocess.run(
        ["pdftoppm", "-png", "-r", "70", "-f", "1", "-l", "1", "-singlefile", "-", str(target)],
        input=data,
        check=True,
    )
    return target.with_suffix(".png")


def page_count(data: bytes) -> int:
    info = subprocess.run(["pdfinfo", "-"], input=data, capture_output=True, check=True).stdout.decode()
    return int(re.search(r"Pages:\s+(\d+)", info).group(1))


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Documents are stored under a MEDIA_ROOT of the test's own (sendfile serves only from there)."""
    settings.MEDIA_ROOT = settings.SENDFILE_ROOT = str(tmp_path / "media")


@pytest.fixture
def published(org, opened, rules_pack):
    CapaianOrganisasi.objects.create(periode=opened.periode, unit=org.dinkes, predikat="baik")
    skp = through_final_review(org, org.pelaksana, org.kasi, lambda r: "di_atas", lambda v: "sesuai")
    assert skp.hasil.predikat == "baik" and skp.hasil.dipublikasikan
    return skp


def body_of(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def read(doc: Dokumen) -> bytes:
    with doc.berkas.open("rb") as f:
        return f.read()


def test_the_dokumen_evaluasi_kinerja_shows_what_the_annex_asks_for(org, published):
    doc = dokumen_issue(skp=published, jenis=JenisDokumen.EVALUASI_KINERJA, by=org.kasi.user)
    data = read(doc)
    first_page_png(data, "evaluasi_kinerja")
    text = pdf_text(data)
    assert "DOKUMEN EVALUASI KINERJA PEGAWAI" in text.upper()
    for expected in (
        org.pelaksana.nama,
        org.pelaksana.nip,
        org.kasi.nama,  # the assessor
        org.kabid.nama,  # the assessor's superior
        "Cakupan imunisasi dasar lengkap wilayah 1",
        "Survei kepuasan masyarakat layanan imunisasi",
        "Persentase bayi diimunisasi lengkap",
        "Capaian akhir 97%",
        "Di Atas Ekspektasi",
        "Sesuai Ekspektasi",
        "Berorientasi Pelayanan",
        "Ekspektasi khusus untuk nilai akuntabel",
        "Baik",  # predikat and organisation achievement
        "Pola Distribusi".upper(),
        doc.kode,
    ):
        assert expected in text or expected in text.upper(), expected
    assert doc.sha256 == sha256_hex(data) and len(doc.kode) >= 16
    assert page_count(data) >= 2  # the cover, then the body


def test_each_document_of_the_lifecycle_reads_back(org, published):
    skp = published
    skp_doc = dokumen_issue(skp=skp, jenis=JenisDokumen.SKP, by=org.pelaksana.user)
    data = read(skp_doc)
    first_page_png(data, "skp")
    text = pdf_text(data)
    assert "SASARAN KINERJA PEGAWAI" in text
    for expected in (org.pelaksana.nip, org.kasi.nama, org.kabid.nama, "Cakupan imunisasi dasar lengkap wilayah 2"):
        assert expected in text, expected
    assert "95 %" in text and "Ekspektasi khusus untuk nilai loyal" in text and skp_doc.kode in text
    midyear = skp.evaluasi_set.get(jendela__urutan=1)
    periodic = dokumen_issue(skp=skp, jenis=JenisDokumen.EVALUASI_PERIODIK, evaluasi_id=midyear.pk)
    data = read(periodic)
    first_page_png(data, "evaluasi_periodik")
    text = pdf_text(data)
    for expected in (org.pelaksana.nama, org.pelaksana.nip, "Capaian semester I", midyear.jendela.nama, periodic.kode):
        assert expected in text, expected


def test_issuing_again_without_a_change_hands_out_the_same_document(org, published):
    first = dokumen_issue(skp=published, jenis=JenisDokumen.SKP)
    again = dokumen_issue(skp=published, jenis=JenisDokumen.SKP)
    assert again.pk == first.pk
    events = AuditEvent.objects.filter(action=AuditAction.DOCUMENT_ISSUED)
    assert events.count() == 1
    assert events.get().after["sha256"] == first.sha256 and events.get().after["kode"] == first.kode


def test_an_appeal_that_changes_the_result_supersedes_the_evaluation_document(client, org, published):
    before = dokumen_issue(skp=published, jenis=JenisDokumen.EVALUASI_KINERJA)
    with at(5):
        keberatan = appeal_svc.appeal_file(skp=published, by=org.pelaksana.user, alasan="Capaian 98% tidak dinilai.")
        appeal_svc.appeal_respond(keberatan=keberatan, by=org.kasi.user, tanggapan="Bukti dukung baru diterima.")
    with at(8):
        appeal_svc.appeal_decide(
            keberatan=keberatan,
            by=org.kabid.user,
            uphold=False,
            rating_hasil_kerja="di_atas",
            rating_perilaku="di_atas",
            alasan="Perilaku melayani terbukti di atas ekspektasi.",
        )
    skp = Skp.objects.get(pk=published.pk)
    # Before anyone issues the new one, the old code already reads as no longer current.
    body = client.get(f"/verifikasi/{before.kode}/").content.decode()
    assert "tidak berlaku lagi" in body and "keputusan keberatan mengubah hasil penilaian" in body

    after = dokumen_issue(skp=skp, jenis=JenisDokumen.EVALUASI_KINERJA)
    before.refresh_from_db()
    assert after.pk != before.pk and before.digantikan_oleh == after and before.alasan_penggantian == "keberatan"
    assert "Sangat Baik" in pdf_text(read(after))

    decision = dokumen_issue(skp=skp, jenis=JenisDokumen.KEPUTUSAN_KEBERATAN, by=org.kabid.user)
    data = read(decision)
    first_page_png(data, "keputusan_keberatan")
    text = pdf_text(data)
    for expected in (
        "KEPUTUSAN ATAS KEBERATAN",
        org.pelaksana.nama,
        org.pelaksana.nip,
        "Capaian 98% tidak dinilai.",
        "Perilaku melayani terbukti di atas ekspektasi.",
        "Baik → Sangat Baik",
        org.kabid.nama,
        decision.kode,
    ):
        assert expected in text, expected

    # The verification page: the superseded code, the current one, an unknown one.
    response = client.get(f"/verifikasi/{before.kode}/")
    assert response.status_code == 200
    assert "telah digantikan pada" in response.content.decode()
    response = client.get(f"/verifikasi/{after.kode}/")
    body = response.content.decode()
    assert response.status_code == 200 and "asli dan masih berlaku" in body
    nip = org.pelaksana.nip
    assert org.pelaksana.nama in body and nip not in body and f"{nip[:4]}***********{nip[-3:]}" in body
    assert "Sangat Baik" in body and after.sha256 in body and "Dokumen Evaluasi Kinerja Pegawai" in body
    assert "Capaian" not in body and org.kasi.nama not in body  # nothing beyond the headline facts
    assert "Content-Security-Policy" in response.headers and "<script" not in body
    response = client.get("/verifikasi/AAAAAAAAAAAAAAAAAAAAAA/")
    assert response.status_code == 404 and "Tidak ada dokumen dengan kode ini" in response.content.decode()
    # The form: a code typed with blanks around it leads to its page.
    response = client.get("/verifikasi/", {"kode": f"  {after.kode} "})
    assert response.status_code == 302 and response["Location"] == f"/verifikasi/{after.kode}/"


def test_the_verification_page_limits_lookups_per_address(client, settings):
    settings.KINERJA_VERIFY_PER_MINUTE = 3
    from django.core.cache import cache

    cache.clear()
    codes = [client.get(f"/verifikasi/Unknown{i:04d}Code/").status_code for i in range(5)]
    assert codes == [404, 404, 404, 429, 429]
    cache.clear()


def test_downloads_check_who_may_see_the_appraisal(client, org, published, django_user_model):
    url = f"/kinerja/dokumen/{published.pk}/evaluasi_kinerja/"
    for person, status in ((org.pelaksana, 200), (org.kasi, 200), (org.fungsional, 404), (org.kabid, 404)):
        client.force_login(person.user)
        response = client.get(url)
        assert response.status_code == status, (person.nama, response.status_code)
        if status == 200:
            assert response["Content-Type"] == "application/pdf"
            assert body_of(response).startswith(b"%PDF")
    client.force_login(org.pelaksana.user)
    assert client.get(f"/kinerja/dokumen/{published.pk}/keputusan_keberatan/").status_code == 404  # no appeal
    assert client.get(f"/kinerja/dokumen/{published.pk}/nonsense/").status_code == 404
    assert Dokumen.objects.count() == 1  # four downloads, one document
    # The appraisal page links each document the viewer may download.
    body = client.get(f"/appraisal/{published.process_id}/").content.decode()
    assert url in body and f"/kinerja/dokumen/{published.pk}/skp/" in body


def test_an_unpublished_result_has_no_evaluation_document(client, org, opened, rules_pack):
    skp = through_final_review(org, org.fungsional, org.kabid, lambda r: "sesuai", lambda v: "sesuai")
    skp.hasil.dipublikasikan = None
    skp.hasil.save()
    client.force_login(org.fungsional.user)
    assert client.get(f"/kinerja/dokumen/{skp.pk}/evaluasi_kinerja/").status_code == 404
    assert not Dokumen.objects.exists()


def test_the_admin_gets_a_zip_of_the_opd_built_in_the_background(
    client, org, published, bkd, django_capture_on_commit_callbacks, tmp_path
):
    client.force_login(bkd)
    assert "/kinerja/dokumen/paket/" in client.get("/kinerja/rekap/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/kinerja/dokumen/paket/", {"periode": published.periode_id, "unit": org.dinkes.pk, "jenis": ""}
        )
    job = PaketDokumen.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/kinerja/dokumen/paket/{job.pk}/"
    assert job.status == PaketDokumen.Status.DONE, job.galat
    status = client.get(f"/kinerja/dokumen/paket/{job.pk}/?format=json").json()
    assert status["status"] == "done" and status["persen"] == 100
    page = client.get(f"/kinerja/dokumen/paket/{job.pk}/").content.decode()
    assert f"/kinerja/dokumen/paket/{job.pk}/unduh/" in page
    response = client.get(f"/kinerja/dokumen/paket/{job.pk}/unduh/")
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(body_of(response)))
    names = archive.namelist()
    folder = f"{org.pelaksana.nip}_Hendra_Safitri_S.Si"
    assert f"{folder}/evaluasi_kinerja_2026_{org.pelaksana.nip}.pdf" in names
    assert f"{folder}/skp_2026_{org.pelaksana.nip}.pdf" in names
    assert any(name.startswith(f"{folder}/evaluasi_periodik_") for name in names)
    assert job.dokumen == len(names) == 3
    pdf = archive.read(f"{folder}/evaluasi_kinerja_2026_{org.pelaksana.nip}.pdf")
    assert org.pelaksana.nip in pdf_text(pdf)
    assert AuditEvent.objects.filter(action=AuditAction.DOCUMENT_PACKAGE_BUILT).count() == 1
    # Nobody else gets it: an employee, the admin of another government.
    client.force_login(org.pelaksana.user)
    assert client.get(f"/kinerja/dokumen/paket/{job.pk}/unduh/").status_code == 404
    assert client.get("/kinerja/dokumen/paket/").status_code == 403

    # The command builds the same package synchronously.
    out = tmp_path / "dinkes.zip"
    call_command(
        "dokumen",
        "--periode",
        "2026",
        "--opd",
        "DINKES",
        "--jenis",
        "evaluasi_kinerja",
        "--out",
        str(out),
        stdout=io.StringIO(),
    )
    assert zipfile.ZipFile(out).namelist() == [f"{folder}/evaluasi_kinerja_2026_{org.pelaksana.nip}.pdf"]


def test_a_package_chunk_delivered_twice_counts_once_and_issues_nothing_twice(org, published, settings):
    settings.KINERJA_DOKUMEN_CHUNK_SIZE = 1
    job = paket_queue(periode=published.periode, unit=org.seksi, jenis="", by=None, enqueue=False)
    assert job.total == 2 and job.chunks == 2  # the Kasi's appraisal (a draft: no documents) and the pelaksana's
    ids = sorted(Skp.objects.filter(unit=org.seksi).values_list("pk", flat=True))
    for nomor, pk in enumerate(ids):
        paket_chunk(job_id=job.pk, skp_ids=[pk], nomor=nomor)
    issued = Dokumen.objects.count()
    assert issued == 3  # SKP, midyear evaluation, Dokumen Evaluasi Kinerja of the published one
    assert paket_chunk(job_id=job.pk, skp_ids=[ids[0]], nomor=0) == 0  # the same chunk again
    job.refresh_from_db()
    assert job.diproses == 2 and job.chunks_selesai == 2 and Dokumen.objects.count() == issued
    job = paket_run(job_id=job.pk)
    assert job.status == PaketDokumen.Status.DONE and job.dokumen == 3


def test_a_document_printed_after_a_transfer_shows_the_organisation_as_it_was_for_the_skp(org, published, bkd):
    """Approved and published under one organisation, printed after the assessor moved to another
    OPD and the superior's post was renamed: the paper names the posts and the unit of the SKP's
    time, and the organisation achievement of the assessor's unit then, never today's directory."""
    old_post, old_unit, old_superior_post = org.kasi.jabatan.nama, org.seksi.nama, org.kabid.jabatan.nama
    CapaianOrganisasi.objects.create(periode=published.periode, unit=org.setda, predikat="sangat_kurang")
    new_post = Jabatan.objects.create(instansi=org.instansi, nama="Analis Kebijakan Ahli Muda", jenis="fungsional")
    with at(2):
        pegawai_transfer(
            pegawai=org.kasi, unit=org.setda, jabatan=new_post, tanggal=dt.date(2026, 12, 1), by=bkd, alasan="SK 800/9"
        )
    org.kabid.jabatan.nama = "Kepala Bidang Pencegahan dan Pengendalian Penyakit"
    org.kabid.jabatan.save()

    doc = dokumen_issue(skp=Skp.objects.get(pk=published.pk), jenis=JenisDokumen.EVALUASI_KINERJA, by=bkd)
    text = pdf_text(read(doc))
    for expected in (old_post, old_superior_post, org.kasi.nama, "Capaian Kinerja Organisasi Baik"):
        assert expected in text, expected
    for moved in ("Analis Kebijakan Ahli Muda", "Kepala Bidang Pencegahan", "Organisasi Sangat Kurang"):
        assert moved not in text, moved
    skp_doc = pdf_text(read(dokumen_issue(skp=published, jenis=JenisDokumen.SKP, by=bkd)))
    assert old_unit in skp_doc and "Sekretariat Daerah" not in skp_doc
