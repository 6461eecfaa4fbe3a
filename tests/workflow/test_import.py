"""Importing the organisation from CSV/XLSX: validate everything first, write all or nothing."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation
from openpyxl import Workbook

from tests.factories import InstansiFactory, nip_for
from tests.helpers import NIP_KASI, NIP_STAFF, NIP_STAFF2, as_csv, good_rows, person_row, unit_row
from workflow.models import Pegawai, Unit
from workflow.services.org_import import COLUMNS, OrgImportError, org_import, read_rows

pytestmark = pytest.mark.django_db


def as_xlsx(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(COLUMNS)
    for row in rows:
        sheet.append([row.get(c, "") for c in COLUMNS])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def run(rows, **kwargs):
    return org_import(instansi=InstansiFactory(), rows=read_rows(as_csv(rows), "org.csv"), **kwargs)


def test_a_csv_creates_units_employees_and_accounts_and_the_assessor_follows():
    from workflow.selectors.org import assessor_of

    report = run(good_rows())
    assert report.created["unit"] == 2 and report.created["pegawai"] == 3 and report.created["akun"] == 3
    staff = Pegawai.objects.get(nip=NIP_STAFF)
    assert staff.unit.nama == "Seksi Imunisasi" and staff.user.username == NIP_STAFF
    assert assessor_of(staff).nip == NIP_KASI
    assert Unit.objects.get(kode="DINKES-S1").parent.kode == "DINKES"


def test_an_xlsx_with_semicolon_free_layout_imports_the_same():
    instansi = InstansiFactory()
    report = org_import(instansi=instansi, rows=read_rows(as_xlsx(good_rows()), "org.xlsx"))
    assert report.created["pegawai"] == 3
    assert Pegawai.objects.get(nip=NIP_STAFF2).jabatan.jenjang == "ahli_muda"


def test_a_semicolon_csv_is_read():
    rows = list(read_rows(as_csv(good_rows(), delimiter=";"), "org.csv"))
    assert rows[2][1]["nip"] == NIP_KASI


def test_a_rerun_changes_nothing_and_an_edit_is_an_upsert_by_nip():
    run(good_rows())
    history = Pegawai.history.count()
    again = run(good_rows())
    assert again.unchanged["pegawai"] == 3 and again.created["pegawai"] == 0
    assert Pegawai.history.count() == history
    rows = good_rows()
    rows[3]["nama"] = "Hendra Safitri, S.Si., M.Kes."
    changed = run(rows)
    assert changed.updated["pegawai"] == 1
    assert Pegawai.objects.get(nip=NIP_STAFF).nama.endswith("M.Kes.")
    assert Pegawai.objects.filter(nip=NIP_STAFF).count() == 1


def test_dry_run_reports_without_writing():
    report = run(good_rows(), dry_run=True)
    assert report.created["pegawai"] == 3
    assert Pegawai.objects.count() == 0 and Unit.objects.count() == 0


def province_csv(rows: int) -> bytes:
    """The first ``rows`` rows of the benchmark's realistic province (units, heads, staff)."""
    from itertools import islice

    from bench.import_memory import org_rows

    return as_csv(islice(org_rows(1000), rows))


def test_an_import_reads_the_database_a_fixed_number_of_times_whatever_the_rows(django_assert_max_num_queries):
    """No query per row: the checks and the writing read in batches; a rerun that changes nothing
    writes nothing but its audit event. (500 rows: 6,012 statements before issue 12, 1,594 after;
    the rerun 1,009 before, 11 after.)"""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    instansi, data = InstansiFactory(), province_csv(500)
    with CaptureQueriesContext(connection) as first:
        report = org_import(instansi=instansi, rows=read_rows(data, "org.csv"))
    assert report.created["pegawai"] == 471
    reads = [q["sql"] for q in first.captured_queries if q["sql"].startswith("SELECT")]
    # The unit heads' own check (Pegawai.clean: is the head post already held?) is one per new head.
    assert len(reads) <= 10 + report.created["unit"]
    with django_assert_max_num_queries(15):
        again = org_import(instansi=instansi, rows=read_rows(data, "org.csv"))
    assert again.unchanged == {"unit": 29, "jabatan": 471, "pegawai": 471}


def test_each_unit_and_employee_is_saved_once():
    instansi = InstansiFactory()
    org_import(instansi=instansi, rows=read_rows(province_csv(200), "org.csv"))
    assert all(u.history.count() == 1 for u in Unit.objects.filter(instansi=instansi))
    assert all(p.history.count() == 1 for p in Pegawai.objects.filter(instansi=instansi))


def test_history_names_the_importing_admin(django_user_model):
    admin = django_user_model.objects.create(username="admin.bkd")
    run(good_rows(), by=admin)
    assert Pegawai.history.filter(nip=NIP_STAFF).first().history_user == admin


BAD_CASES = [
    ("17 digits", lambda r: r[3].update(nip=NIP_STAFF[:17]), "Baris 5: NIP harus tepat 18 digit"),
    ("31 February", lambda r: r[3].update(nip="19850231" + NIP_STAFF[8:]), "Baris 5: NIP 19850231"),
    ("sex digit 3", lambda r: r[3].update(nip=NIP_STAFF[:14] + "3" + NIP_STAFF[15:]), "digit ke-15"),
    ("appointed at 12", lambda r: r[3].update(nip="198503151997012003"), "minimal 18 tahun"),
    ("duplicate NIP", lambda r: r[4].update(nip=NIP_STAFF), f"Baris 6: NIP {NIP_STAFF} muncul dua kali"),
    ("unknown unit", lambda r: r[3].update(kode_unit="DINKES-X"), "Baris 5: unit DINKES-X tidak dikenal"),
    ("cycle", lambda r: r[0].update(kode_unit_induk="DINKES-S1"), "membentuk siklus"),
    ("unknown status", lambda r: r[3].update(status_kepegawaian="honorer"), "status kepegawaian"),
    (
        "two heads",
        lambda r: r[3].update(kepala_unit="ya", jabatan="Kepala Seksi Imunisasi", jenis_jabatan="pengawas"),
        "sudah memiliki kepala",
    ),
]


@pytest.mark.parametrize(("label", "spoil", "message"), BAD_CASES, ids=[c[0] for c in BAD_CASES])
def test_bad_rows_are_reported_in_indonesian_and_nothing_is_written(label, spoil, message):
    rows = good_rows()
    spoil(rows)
    with translation.override("id"), pytest.raises(OrgImportError) as caught:
        run(rows)
    assert any(message in e for e in caught.value.errors), caught.value.errors
    assert Pegawai.objects.count() == 0 and Unit.objects.count() == 0


def test_every_bad_row_is_reported_at_once():
    rows = good_rows()
    rows[2]["nip"] = "123"
    rows[3]["kode_unit"] = "NOWHERE"
    with translation.override("id"), pytest.raises(OrgImportError) as caught:
        run(rows)
    assert [e.split(":")[0] for e in caught.value.errors] == ["Baris 4", "Baris 5"]


def test_unreadable_files_are_refused_with_a_message():
    with translation.override("id"):
        with pytest.raises(OrgImportError, match="tidak didukung"):
            read_rows(b"x", "org.pdf")
        with pytest.raises(OrgImportError, match="tidak dapat dibaca"):
            read_rows(b"not a workbook", "org.xlsx")
        with pytest.raises(OrgImportError, match="Kolom wajib"):
            read_rows(b"nama,nip\nA,1\n", "org.csv")


def test_command_imports_and_reports_errors_with_a_nonzero_exit(tmp_path, capsys):
    InstansiFactory()
    good = tmp_path / "org.csv"
    good.write_bytes(as_csv(good_rows()))
    call_command("import_org", str(good), "--instansi", "PEMPROV-BKL", "--dry-run")
    assert Pegawai.objects.count() == 0
    call_command("import_org", str(good), "--instansi", "PEMPROV-BKL")
    assert Pegawai.objects.count() == 3
    rows = good_rows()
    rows[3]["nip"] = "1985"
    bad = tmp_path / "bad.csv"
    bad.write_bytes(as_csv(rows))
    with translation.override("id"), pytest.raises(CommandError, match="tidak ada yang ditulis"):
        call_command("import_org", str(bad), "--instansi", "PEMPROV-BKL")
    assert "Baris 5" in capsys.readouterr().err


def test_the_shipped_example_file_imports(settings):
    from pathlib import Path

    from workflow.services.org_import import read_file

    example = Path(settings.BASE_DIR) / "config" / "org" / "contoh-impor.csv"
    report = org_import(instansi=InstansiFactory(), rows=read_file(example))
    assert report.created["unit"] == 7 and report.created["pegawai"] == 14 and report.created["akun"] == 14
    # the Governor signs in by the username the file names; the PPPK by their NI PPPK
    assert Pegawai.objects.get(user__username="gubernur").jabatan.nama == "Gubernur Bengkulu"
    assert Pegawai.objects.get(user__username="198608152021212205").status_kepegawaian == "PPPK"
    assert Pegawai.objects.get(user__username="199402142023212031").unit.jenis == "sekolah"
    # It shows every leave and suspension (keadaan) the format knows, with and without an end.
    from workflow.models import JenisKeadaan, KeadaanPegawai

    assert report.keadaan == 3
    assert set(KeadaanPegawai.objects.values_list("jenis", flat=True)) == set(JenisKeadaan.values)
    assert KeadaanPegawai.objects.filter(tanggal_selesai__isnull=True).count() == 1


# --- large and hostile files, the background job (issue 11, items 11 and 12) ------------------------

XFD = 16384  # the last column Excel allows


def as_xlsx_reaching_xfd(rows) -> bytes:
    """The shape that once took 2.76 GB: every row, header included, has a stray cell at XFD."""
    book = Workbook()
    sheet = book.active
    for r, values in enumerate([COLUMNS, *[[row.get(c, "") for c in COLUMNS] for row in rows]], start=1):
        for c, value in enumerate(values, start=1):
            if value:
                sheet.cell(row=r, column=c, value=value)
        sheet.cell(row=r, column=XFD, value="catatan")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_an_xlsx_whose_rows_reach_column_xfd_imports_and_only_the_known_columns_are_read():
    data = as_xlsx_reaching_xfd(good_rows())
    rows = list(read_rows(data, "org.xlsx"))
    assert [number for number, _ in rows] == [2, 3, 4, 5, 6]
    assert all(set(row) == set(COLUMNS) for _, row in rows)
    report = org_import(instansi=InstansiFactory(), rows=rows)
    assert report.created["unit"] == 2 and report.created["pegawai"] == 3
    assert Pegawai.objects.get(nip=NIP_STAFF2).jabatan.jenjang == "ahli_muda"


def test_the_lean_shared_string_reader_reads_what_openpyxl_reads():
    """The import parses XLSX shared strings itself (openpyxl's reader holds every parsed element
    until the table ends); it must keep reading exactly what openpyxl reads, rich text included."""
    from openpyxl.reader.strings import read_string_table

    from workflow.services.org_import import _read_string_table

    table = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="3" uniqueCount="3">'
        b"<si><t>Dewi &amp; Hakim &lt;S.K.M.&gt;</t></si>"
        b'<si><r><t xml:space="preserve">Hendra </t></r><r><rPr><b/></rPr><t>Safitri</t></r><r><t>, S.Si.</t></r>'
        b"</si><si><t>Zulkifli_x005F_x000D_</t></si></sst>"
    )
    ours = _read_string_table(io.BytesIO(table))
    assert ours == read_string_table(io.BytesIO(table))
    assert ours[:2] == ["Dewi & Hakim <S.K.M.>", "Hendra Safitri, S.Si."]


PARSE_IN_CHILD = """
import json, resource, sys
import django
django.setup()
from workflow.services.org_import import read_rows
data = open(sys.argv[1], "rb").read()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
rows = sum(1 for _ in read_rows(data, "org.xlsx"))
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"rows": rows, "grew_kb": after - before}))
"""


def test_parsing_rows_that_reach_xfd_takes_no_more_memory_than_their_known_columns_need(tmp_path):
    """3,000 rows with a cell at XFD: padded to 16,384 cells each they would need ~400 MB; read
    only up to the header's last known column they need next to nothing. Measured in a child
    process (its own peak RSS), so nothing else in the test run moves the figure."""
    import json
    import os
    import subprocess
    import sys

    from django.conf import settings as django_settings

    people = [
        person_row("DINKES-S1", nip_for(1000 + n), f"Pegawai {n}", "Pengadministrasi Umum", "pelaksana")
        for n in range(3000)
    ]
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(COLUMNS)
    for row in people:
        sheet.append([row.get(c, "") for c in COLUMNS] + [None] * (XFD - len(COLUMNS) - 1) + ["x"])
    path = tmp_path / "xfd.xlsx"
    book.save(path)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "project.settings"}
    done = subprocess.run(
        [sys.executable, "-c", PARSE_IN_CHILD, str(path)],
        capture_output=True,
        text=True,
        cwd=django_settings.BASE_DIR,
        env=env,
        timeout=300,
        check=True,
    )
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    assert figures["rows"] == 3000
    assert figures["grew_kb"] < 40 * 1024, figures


def zip_bomb_xlsx(unpacked_mb: int) -> bytes:
    """A valid workbook whose sheet XML unpacks to ``unpacked_mb`` MB (whitespace compresses ~1000:1)."""
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(as_xlsx(good_rows())))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bomb:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                with bomb.open(info.filename, "w", force_zip64=True) as sheet:
                    head, tail = content.rsplit(b"</worksheet>", 1)
                    sheet.write(head)
                    for _ in range(unpacked_mb):
                        sheet.write(b" " * 2**20)
                    sheet.write(b"</worksheet>" + tail)
            else:
                bomb.writestr(info, content)
    return out.getvalue()


@pytest.fixture
def bkd_client(client, org):
    from django.contrib.auth import get_user_model

    from workflow.models import PeranAdmin
    from workflow.services.roles import ensure_admin_group

    admin = get_user_model().objects.create_user("admin.bkd", password="x", is_staff=True)
    admin.groups.add(ensure_admin_group())
    PeranAdmin.objects.create(user=admin, instansi=org.instansi)
    client.force_login(admin)
    return client


IMPORT_URL = "/admin/workflow/pegawai/impor/"


def upload(client, org, data, name, dry_run=False):
    """Post the file; returns the upload's answer (a redirect to the job's progress page) after the
    job ran in-process once the request committed, as it does without a broker."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import TestCase

    payload = {"instansi": org.instansi.pk, "file": SimpleUploadedFile(name, data)}
    if dry_run:
        payload["dry_run"] = "on"
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(IMPORT_URL, payload)
    assert response.status_code == 302, response.content.decode()[:500]
    return response


def test_a_zip_bomb_is_refused_unread_with_a_message_and_nothing_written(bkd_client, org, settings):
    settings.KINERJA_IMPORT_MAX_XML_BYTES = 16 * 2**20
    data = zip_bomb_xlsx(64)
    assert len(data) < 2**20
    before = Pegawai.objects.count(), Unit.objects.count()
    page = bkd_client.get(upload(bkd_client, org, data, "org.xlsx")["Location"]).content.decode()
    assert "Ditolak" in page
    assert "Berkas XLSX terurai menjadi 64 MB, melebihi batas 16 MB; berkas tidak dibaca." in page
    assert (Pegawai.objects.count(), Unit.objects.count()) == before


def test_a_file_with_too_many_rows_is_refused_with_a_message_and_nothing_written(settings):
    settings.KINERJA_IMPORT_MAX_ROWS = 4
    with translation.override("id"), pytest.raises(OrgImportError) as caught:
        org_import(instansi=InstansiFactory(), rows=read_rows(as_xlsx(good_rows()), "org.xlsx"))
    assert caught.value.errors == [
        "Berkas memiliki lebih dari 4 baris; pecah berkas atau minta administrator menaikkan batasnya."
    ]
    assert Pegawai.objects.count() == 0 and Unit.objects.count() == 0


def test_the_upload_starts_a_background_import_whose_progress_page_ends_with_the_counts(bkd_client, org):
    from workflow.models import ImporOrganisasi

    before = Pegawai.objects.count()
    response = upload(bkd_client, org, as_csv(good_rows()), "org.csv")
    job = ImporOrganisasi.objects.get()
    assert response["Location"] == f"{IMPORT_URL}{job.pk}/"
    page = bkd_client.get(response["Location"]).content.decode()
    assert "Selesai" in page
    assert "5 baris diperiksa; 5 dari 5 baris ditulis." in page
    assert "5 baris; unit: 1 baru" in page and "pegawai: 3 baru" in page
    assert Pegawai.objects.count() == before + 3
    job.refresh_from_db()
    assert bytes(job.berkas) == b""  # the uploaded file is not kept once the job ends
    # The upload page lists the job; an admin of another government cannot open it.
    assert f'href="{IMPORT_URL}{job.pk}/"' in bkd_client.get(IMPORT_URL).content.decode()
    from django.contrib.auth import get_user_model

    from workflow.models import PeranAdmin
    from workflow.services.roles import ensure_admin_group

    other_gov = InstansiFactory(kode="PEMKOT-BKL", nama="Pemerintah Kota Bengkulu")
    stranger = get_user_model().objects.create_user("admin.bkpsdm", password="x", is_staff=True)
    stranger.groups.add(ensure_admin_group())
    PeranAdmin.objects.create(user=stranger, instansi=other_gov)
    bkd_client.force_login(stranger)
    assert bkd_client.get(response["Location"]).status_code == 404


def test_a_dry_run_job_reports_the_counts_and_writes_nothing(bkd_client, org):
    before = Pegawai.objects.count()
    page = bkd_client.get(upload(bkd_client, org, as_csv(good_rows()), "org.csv", dry_run=True)["Location"])
    body = page.content.decode()
    assert "Selesai" in body and "Uji coba, tidak ada yang disimpan" in body and "pegawai: 3 baru" in body
    assert Pegawai.objects.count() == before


def test_a_queued_job_shows_a_progress_page_that_reloads_until_a_worker_takes_it(bkd_client, org):
    from django.core.files.uploadedfile import SimpleUploadedFile

    before = Pegawai.objects.count()
    # In a test the request's transaction never commits, so the task waits as for a busy broker.
    response = bkd_client.post(
        IMPORT_URL, {"instansi": org.instansi.pk, "file": SimpleUploadedFile("org.csv", as_csv(good_rows()))}
    )
    page = bkd_client.get(response["Location"]).content.decode()
    assert "Dalam antrean" in page and '<meta http-equiv="refresh"' in page and "<progress" in page
    assert Pegawai.objects.count() == before


@pytest.mark.parametrize("where", ["name", "ignored column", "header"])
def test_a_nul_byte_in_a_csv_is_refused_by_row_number_and_nothing_is_written(bkd_client, org, where):
    data = as_csv(good_rows())
    if where == "name":
        data = data.replace(b"Hendra Safitri", b"Hendra\x00Safitri")
        row = 5
    elif where == "ignored column":
        lines = data.split(b"\r\n")
        lines[3] += b",\x00"
        data = b"\r\n".join(lines)
        row = 4
    else:
        data = data.replace(b"tipe", b"ti\x00pe", 1)
        row = 1
    before = Pegawai.objects.count(), Unit.objects.count()
    page = bkd_client.get(upload(bkd_client, org, data, "org.csv")["Location"]).content.decode()
    assert f"Baris {row}: berisi karakter NUL (\\0), yang tidak diperbolehkan di kolom mana pun." in page
    assert (Pegawai.objects.count(), Unit.objects.count()) == before


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_on_postgresql_rows_written_show_on_the_job_while_the_import_transaction_is_still_open():
    """The import writes everything in one transaction; its progress goes through a connection of
    its own, so an admin watching sees rows written climb before the commit (and no employee yet)."""
    import threading

    from django.db import connection

    from workflow.models import ImporOrganisasi
    from workflow.services.org_import_job import org_import_job_run

    rows = good_rows()[:2] + [
        person_row("DINKES-S1", nip_for(2000 + n), f"Pegawai {n}", "Pengadministrasi Umum", "pelaksana")
        for n in range(1200)
    ]
    job = ImporOrganisasi.objects.create(instansi=InstansiFactory(), nama_berkas="org.csv", berkas=as_csv(rows))
    seen, stop = [], threading.Event()

    def watch():
        try:
            while not stop.is_set():
                state = ImporOrganisasi.objects.filter(pk=job.pk).values_list("status", "ditulis", "total").get()
                seen.append((*state, Pegawai.objects.count()))
                stop.wait(0.05)
        finally:
            connection.close()

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        org_import_job_run(job_id=job.pk)
    finally:
        stop.set()
        watcher.join()
    during = [(written, total, people) for status, written, total, people in seen if status == "writing"]
    assert any(0 < written < total and people == 0 for written, total, people in during), seen[-5:]
    job.refresh_from_db()
    assert (job.status, job.ditulis, job.total) == ("done", 1202, 1202)
    assert Pegawai.objects.count() == 1200


# --- PPPK numbers and state officials' accounts (issue 13, items 1 and 5) ---------------------------

NI_PPPK = "199312282025212001"  # the example: born 28-12-1993, appointed 2025, code 21, female, 001
GOVERNOR = "H. Rahmat Syahputra, S.E."


def with_governor(username="gubernur"):
    """The good rows under the province's root unit, headed by the Governor (a state official)."""
    rows = good_rows()
    rows[0]["kode_unit_induk"] = "PEMPROV"
    return [
        unit_row("PEMPROV", "Pemerintah Provinsi Bengkulu", "", "pemda", "Gubernur Bengkulu", "kepala_daerah"),
        person_row(
            "PEMPROV",
            "",
            GOVERNOR,
            "Gubernur Bengkulu",
            "kepala_daerah",
            kepala="ya",
            status="pejabat_negara",
            username=username,
        ),
        *rows,
    ]


def test_pppk_rows_with_real_ni_pppk_import_and_sign_in_by_their_number():
    rows = good_rows()
    rows.append(person_row("DINKES-S1", NI_PPPK, "Rina Marlina, S.Kep.", "Perawat Ahli Pertama", "fungsional",
                           jenjang="ahli_pertama", status="PPPK"))  # fmt: skip
    report = run(rows)
    assert report.created["pegawai"] == 4 and report.created["akun"] == 4
    for nip in (NIP_STAFF2, NI_PPPK):
        pppk = Pegawai.objects.get(nip=nip)
        assert pppk.status_kepegawaian == "PPPK" and pppk.user.username == nip


def test_the_governor_gets_an_account_by_the_username_the_file_names_and_a_rerun_changes_nothing():
    report = run(with_governor())
    assert report.created["akun"] == 4
    governor = Pegawai.objects.get(user__username="gubernur")
    assert governor.nama == GOVERNOR and governor.nip is None and not governor.user.has_usable_password()
    instansi = governor.instansi
    history = Pegawai.history.count()
    again = org_import(instansi=instansi, rows=read_rows(as_csv(with_governor()), "org.csv"))
    assert again.unchanged["pegawai"] == 4 and again.created["akun"] == 0
    assert Pegawai.history.count() == history
    # A new title on the same username updates the same official.
    rows = with_governor()
    rows[1]["nama"] = "Dr. H. Rahmat Syahputra, S.E., M.M."
    assert org_import(instansi=instansi, rows=read_rows(as_csv(rows), "org.csv")).updated["pegawai"] == 1
    assert Pegawai.objects.get(user__username="gubernur").nama.startswith("Dr. ")
    assert Pegawai.objects.filter(nip__isnull=True).count() == 1


OFFICIAL_BAD_CASES = [
    (
        "NI PPPK for a PNS",
        lambda r: r[5].update(nip=NI_PPPK),
        f"Baris 7: NIP {NI_PPPK}: digit 13–14 adalah 21, kode NI PPPK",
    ),
    (
        "NIP for a PPPK",
        lambda r: r[6].update(nip=NIP_STAFF[:-3] + "777"),
        "Baris 8: NI PPPK "
        + NIP_STAFF[:-3]
        + "777: digit 13–14 adalah "
        + NIP_STAFF[12:14]
        + ", yaitu bulan pengangkatan pada NIP PNS",
    ),
    ("PPPK without a number", lambda r: r[6].update(nip=""), "Baris 8: nip kosong; PPPK wajib"),
    ("official without a username", lambda r: r[1].update(username=""), "Baris 3: username kosong"),
    ("username of digits", lambda r: r[1].update(username="12345"), "hanya berisi angka"),
    ("username with spaces", lambda r: r[1].update(username="pak gub"), "Baris 3: username 'pak gub' tidak sah"),
    ("username on a PNS", lambda r: r[5].update(username="hendra"), "Baris 7: username hendra: hanya pejabat negara"),
]


@pytest.mark.parametrize(("label", "spoil", "message"), OFFICIAL_BAD_CASES, ids=[c[0] for c in OFFICIAL_BAD_CASES])
def test_wrong_numbers_and_usernames_are_reported_by_row_in_indonesian_and_nothing_is_written(label, spoil, message):
    from django.contrib.auth import get_user_model

    rows = with_governor()
    spoil(rows)
    instansi = InstansiFactory()
    users = get_user_model().objects.count()  # the system user is there already
    with translation.override("id"), pytest.raises(OrgImportError) as caught:
        org_import(instansi=instansi, rows=read_rows(as_csv(rows), "org.csv"))
    assert any(message in e for e in caught.value.errors), caught.value.errors
    assert Pegawai.objects.count() == 0 and Unit.objects.count() == 0 and get_user_model().objects.count() == users


def test_a_duplicate_username_in_the_file_or_taken_by_another_account_is_refused():
    from django.contrib.auth import get_user_model

    rows = with_governor()
    rows.append(
        person_row(
            "PEMPROV",
            "",
            "Wakil Gubernur",
            "Wakil Gubernur Bengkulu",
            "pelaksana",
            status="pejabat_negara",
            username="gubernur",
        )  # fmt: skip
    )
    with translation.override("id"), pytest.raises(OrgImportError) as caught:
        run(rows)
    assert "Baris 9: username gubernur muncul dua kali dalam berkas (juga di baris 3)." in caught.value.errors
    get_user_model().objects.create_user("gubernur", password="x", is_staff=True)  # an admin's account
    users = get_user_model().objects.count()
    with translation.override("id"), pytest.raises(OrgImportError) as caught:
        run(with_governor())
    assert caught.value.errors == ["Baris 3: username gubernur sudah menjadi akun orang lain; pilih yang lain."]
    assert Pegawai.objects.count() == 0 and get_user_model().objects.count() == users


def test_an_official_who_signs_in_already_keeps_the_account_name():
    instansi = InstansiFactory()
    org_import(instansi=instansi, rows=read_rows(as_csv(with_governor()), "org.csv"))
    with translation.override("id"), pytest.raises(OrgImportError) as caught:
        org_import(instansi=instansi, rows=read_rows(as_csv(with_governor("gub.bengkulu")), "org.csv"))
    assert caught.value.errors == [
        f"Baris 3: {GOVERNOR} sudah masuk dengan akun gubernur; tulis username itu, bukan gub.bengkulu."
    ]


def test_the_import_page_imports_pppk_and_the_governor_and_refuses_a_pns_with_an_ni_pppk(bkd_client, org):
    from django.contrib.auth import get_user_model

    page = bkd_client.get(IMPORT_URL).content.decode()
    assert "username" in page and "NI PPPK" in page  # the help names the column and the number
    rows = with_governor("gubernur.bkl")
    response = upload(bkd_client, org, as_csv(rows), "org.csv")
    assert "Selesai" in bkd_client.get(response["Location"]).content.decode()
    assert Pegawai.objects.get(nip=NIP_STAFF2).status_kepegawaian == "PPPK"
    assert Pegawai.objects.get(user__username="gubernur.bkl").nama == GOVERNOR
    before = Pegawai.objects.count(), get_user_model().objects.count()
    rows = good_rows()
    rows.append(person_row("DINKES-S1", NI_PPPK, "Rina Marlina, S.Kep.", "Perawat", "pelaksana"))
    page = bkd_client.get(upload(bkd_client, org, as_csv(rows), "org.csv")["Location"]).content.decode()
    assert "Ditolak" in page and f"Baris 7: NIP {NI_PPPK}: digit 13–14 adalah 21" in page
    assert (Pegawai.objects.count(), get_user_model().objects.count()) == before
