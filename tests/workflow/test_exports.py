"""The spreadsheets behind "Unduh XLSX / CSV" as a BKD admin or an assessor opens them: Indonesian
headers, NIP as text with all its digits, times in WIB, no formula a hostile name could smuggle into
Excel, only what the page shows to whoever asks, and the same number of queries for 5 rows or 50."""

from __future__ import annotations

import csv
import datetime as dt
import io
import string

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.factories import InstansiFactory, PegawaiFactory, give_accounts
from workflow.exports import (
    FORMULA_TRIGGERS,
    Column,
    Table,
    csv_bytes,
    csv_nip,
    formula_guard,
    formula_unguard,
    xlsx_bytes,
)
from workflow.models import HasilPenilaian, JenisInstansi, PeranAdmin, Predikat, Skp, StatusSkp

pytestmark = pytest.mark.django_db

HOSTILE = ['=HYPERLINK("x")', "+6281234567890", "@SUM(1)", "-1", "\tTab", "\rCR"]
SCORED_AT = dt.datetime(2026, 12, 20, 17, 30, tzinfo=dt.UTC)  # 21-12-2026 00:30 in Jakarta


def scored(periode, pegawai, *, predikat=Predikat.BAIK, penilai=None) -> Skp:
    """An appraisal of ``pegawai`` with a published result, written straight to the tables."""
    skp = Skp.objects.create(
        periode=periode,
        pegawai=pegawai,
        tanggal_mulai=dt.date(periode.tahun, 1, 1),
        tanggal_selesai=dt.date(periode.tahun, 12, 31),
        status=StatusSkp.FINAL,
        jabatan_nama=pegawai.jabatan.nama,
        jabatan_jenis=pegawai.jabatan.jenis,
        unit=pegawai.unit,
        unit_nama=pegawai.unit.nama,
        penilai=penilai,
        penilai_nama=penilai.nama if penilai else "",
    )
    HasilPenilaian.objects.create(
        skp=skp,
        rating_hasil_kerja="sesuai",
        rating_perilaku="sesuai",
        predikat=predikat,
        rule_set="penilaian-kinerja",
        rule_version="1",
    )
    HasilPenilaian.objects.filter(skp=skp).update(dihitung=SCORED_AT, dipublikasikan=SCORED_AT)
    return skp


def body(response) -> bytes:
    assert response.status_code == 200, response.status_code
    return b"".join(response.streaming_content) if response.streaming else response.content


def read_csv(response) -> list[list[str]]:
    raw = body(response)
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM: Excel reads the file as UTF-8
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline=""), delimiter=";"))


def read_xlsx(response):
    sheet = openpyxl.load_workbook(io.BytesIO(body(response))).active
    return sheet, [[c.value for c in row] for row in sheet.iter_rows()]


@pytest.fixture
def results(org, periode):
    """Published results in Dinas Kesehatan, one under a hostile name, one in the Sekretariat."""
    org.pelaksana.nama = HOSTILE[0]
    org.pelaksana.save()
    return [
        scored(periode, org.pelaksana, predikat=Predikat.SANGAT_BAIK, penilai=org.kasi),
        scored(periode, org.kasi, penilai=org.kabid),
        scored(periode, org.sekda, predikat=Predikat.BUTUH_PERBAIKAN),
    ]


def test_the_results_xlsx_has_indonesian_headers_nip_as_text_and_times_in_wib(client, org, periode, bkd, results):
    client.force_login(bkd)
    sheet, rows = read_xlsx(client.get("/kinerja/hasil/", {"periode": periode.pk, "format": "xlsx"}))
    assert rows[0][:5] == ["NIP", "Nama", "Jabatan", "Unit kerja", "OPD"]
    assert "Dihitung pada (WIB)" in rows[0] and "Predikat" in rows[0]
    by_nip = {r[0]: r for r in rows[1:]}
    assert set(by_nip) == {org.pelaksana.nip, org.kasi.nip, org.sekda.nip}
    nip_cell = next(c for c in sheet["A"][1:] if c.value == org.pelaksana.nip)
    assert nip_cell.data_type == "s" and nip_cell.number_format == "@"  # all 18 digits, never 1.99E+17
    row = by_nip[org.pelaksana.nip]
    assert row[1] == "'" + HOSTILE[0]  # shown, never run
    assert row[4] == "Dinas Kesehatan" and row[5] == org.kasi.nama
    assert row[8] == "Sangat Baik (sangat baik)" or row[8].startswith("Sangat Baik")
    assert row[9] == dt.datetime(2026, 12, 21, 0, 30)  # WIB, not UTC
    assert not any(isinstance(v, str) and v.startswith("=") for r in rows for v in r)


def test_the_results_csv_follows_the_filters_of_the_page(client, org, periode, bkd, results):
    client.force_login(bkd)
    query = {"periode": periode.pk, "opd": org.dinkes.pk, "predikat": Predikat.SANGAT_BAIK}
    page = client.get("/kinerja/hasil/", query).content.decode()
    assert org.pelaksana.nip in page and org.kasi.nip not in page and org.sekda.nip not in page
    assert "format=csv" in page and "format=xlsx" in page
    rows = read_csv(client.get("/kinerja/hasil/", {**query, "format": "csv"}))
    assert rows[0][:4] == ["NIP", "Nama", "Jabatan", "Unit kerja"]
    # grouped, as on an SK: a spreadsheet opening the CSV keeps it as text (never 1.99E+17)
    assert [r[0] for r in rows[1:]] == [csv_nip(org.pelaksana.nip)]
    assert rows[1][0].replace(" ", "") == org.pelaksana.nip and rows[1][0].count(" ") == 3
    assert rows[1][1] == "'" + HOSTILE[0]
    assert "21-12-2026 00:30" in rows[1]
    every = read_csv(client.get("/kinerja/hasil/", {"periode": periode.pk, "opd": org.setda.pk, "format": "csv"}))
    assert [r[0].replace(" ", "") for r in every[1:]] == [org.sekda.nip]


def test_another_governments_admin_cannot_export_its_results(client, org, periode, results):
    other = InstansiFactory(kode="PEMKOT-BKL", nama="Pemerintah Kota Bengkulu", jenis=JenisInstansi.KOTA)
    admin = get_user_model().objects.create_user("admin.lain", password="x", is_staff=True)
    PeranAdmin.objects.create(user=admin, instansi=other)
    client.force_login(admin)
    for fmt in ("xlsx", "csv"):
        assert client.get("/kinerja/hasil/", {"periode": periode.pk, "format": fmt}).status_code == 404
        assert client.get("/kinerja/rekap/", {"periode": periode.pk, "format": fmt}).status_code == 404
    from workflow.models import AuditAction
    from workflow.services.audit import audit_record

    audit_record(action=AuditAction.APPRAISAL_PUBLISHED, obj=results[1], by=None, reason="x")
    rows = read_csv(client.get("/kinerja/audit/", {"format": "csv"}))  # only their own government's events
    nips = (org.pelaksana.nip, csv_nip(org.pelaksana.nip))
    assert not any(org.kasi.nama in cell or any(n in cell for n in nips) for row in rows for cell in row)
    give_accounts(org.pelaksana)
    client.force_login(org.pelaksana.user)
    assert client.get("/kinerja/hasil/", {"periode": periode.pk, "format": "csv"}).status_code == 403
    assert client.get("/kinerja/audit/", {"format": "csv"}).status_code == 403
    assert client.get("/kinerja/rekap/", {"periode": periode.pk, "format": "csv"}).status_code == 403


def test_the_progress_per_opd_downloads_with_indonesian_headers(client, org, periode, bkd, results):
    client.force_login(bkd)
    page = client.get("/kinerja/rekap/", {"periode": periode.pk}).content.decode()
    assert f"periode={periode.pk}&amp;format=xlsx" in page
    _, rows = read_xlsx(client.get("/kinerja/rekap/", {"periode": periode.pk, "format": "xlsx"}))
    assert rows[0] == [
        "Periode",
        "OPD",
        "Penilaian",
        "SKP disetujui",
        "SKP disetujui (%)",
        "Terbit",
        "Terbit (%)",
    ]
    assert [r[1:4] for r in rows[1:]] == [["Dinas Kesehatan", 2, 2], ["Sekretariat Daerah", 1, 1]]
    rows = read_csv(client.get("/kinerja/rekap/", {"periode": periode.pk, "format": "csv"}))
    assert rows[1][1:5] == ["Dinas Kesehatan", "2", "2", "100"]


def test_the_team_downloads_for_the_assessor_only(client, org, periode, results):
    give_accounts(org.kasi, org.pelaksana)
    client.force_login(org.kasi.user)
    assert "format=xlsx" in client.get("/kinerja/tim/").content.decode()
    sheet, rows = read_xlsx(client.get("/kinerja/tim/", {"format": "xlsx"}))
    assert rows[0] == ["Nama", "NIP", "Jabatan", "Unit kerja", "Tahap", "Dipegang oleh", "Predikat"]
    assert rows[1][:2] == ["'" + HOSTILE[0], org.pelaksana.nip]
    assert sheet["B2"].number_format == "@" and sheet["B2"].data_type == "s"
    rows = read_csv(client.get("/kinerja/tim/", {"format": "csv"}))
    assert rows[1][1].replace(" ", "") == org.pelaksana.nip and rows[1][0].startswith("'=")
    client.force_login(org.pelaksana.user)  # assesses no one
    assert "format=xlsx" not in client.get("/kinerja/tim/").content.decode()
    assert client.get("/kinerja/tim/", {"format": "xlsx"}).status_code == 403
    assert client.get("/kinerja/tim/", {"format": "csv"}).status_code == 403


@pytest.mark.parametrize("name", HOSTILE)
def test_a_hostile_name_is_escaped_in_both_formats(client, org, periode, bkd, name):
    org.kadis.nama = name
    org.kadis.save()
    scored(periode, org.kadis)
    client.force_login(bkd)
    _, rows = read_xlsx(client.get("/kinerja/hasil/", {"periode": periode.pk, "format": "xlsx"}))
    # written through lxml, a carriage return is kept (as a character reference) and reads back as one
    assert rows[1][1] == "'" + name
    rows = read_csv(client.get("/kinerja/hasil/", {"periode": periode.pk, "format": "csv"}))
    assert rows[1][1] == "'" + name


def _queries(client, url, query) -> int:
    body(client.get(url, query))  # warm: the session, the content types, the org snapshot cache
    with CaptureQueriesContext(connection) as ctx:
        body(client.get(url, query))
    return len(ctx.captured_queries)


def test_exports_take_the_same_queries_for_5_rows_and_50(client, org, periode, bkd):
    give_accounts(org.kasi)
    people = PegawaiFactory.create_batch(50, instansi=org.instansi, unit=org.seksi, jabatan=org.pelaksana.jabatan)
    for p in people[:5]:
        scored(periode, p, penilai=org.kasi)
    client.force_login(bkd)
    hasil = {"periode": periode.pk}
    few = {fmt: _queries(client, "/kinerja/hasil/", {**hasil, "format": fmt}) for fmt in ("xlsx", "csv")}
    client.force_login(org.kasi.user)
    few_team = _queries(client, "/kinerja/tim/", {"format": "csv"})
    for p in people[5:]:
        scored(periode, p, penilai=org.kasi)
    client.force_login(bkd)
    many = {fmt: _queries(client, "/kinerja/hasil/", {**hasil, "format": fmt}) for fmt in ("xlsx", "csv")}
    assert few == many
    rows = read_csv(client.get("/kinerja/hasil/", {**hasil, "format": "csv"}))
    assert len(rows) == 51
    client.force_login(org.kasi.user)
    assert _queries(client, "/kinerja/tim/", {"format": "csv"}) == few_team


def test_the_audit_export_names_actions_in_words_with_times_in_wib(client, org, periode, bkd, results):
    from workflow.models import AuditAction
    from workflow.services.audit import audit_record

    audit_record(action=AuditAction.APPRAISAL_PUBLISHED, obj=results[0], by=None, reason=HOSTILE[2])
    client.force_login(bkd)
    rows = read_csv(client.get("/kinerja/audit/", {"format": "csv"}))
    assert rows[0][:4] == ["No.", "Waktu (WIB)", "Pelaku", "Aksi"]
    published = next(r for r in rows[1:] if r[3] == "Hasil dipublikasikan")
    assert published[7] == "'" + HOSTILE[2]
    assert published[1].endswith(":" + published[1][-2:]) and len(published[1]) == len("21-12-2026 00:30")
    _, sheet_rows = read_xlsx(client.get("/kinerja/audit/", {"format": "xlsx"}))
    assert sheet_rows[0][3] == "Aksi" and any(r[3] == "Hasil dipublikasikan" for r in sheet_rows[1:])


# --- the utility on its own ---------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8") | st.sampled_from([*FORMULA_TRIGGERS, "'"]), max_size=40))
def test_the_guard_never_lets_a_formula_through_and_keeps_the_text(text):
    guarded = formula_guard(text)
    assert not guarded.startswith(FORMULA_TRIGGERS)
    assert formula_unguard(guarded) == text


CELL_TEXT = st.text(alphabet=string.ascii_letters + string.digits + " '=+-@;,\"éñ€", max_size=20)


@settings(max_examples=50, deadline=None)
@given(st.lists(CELL_TEXT, min_size=1, max_size=5))
def test_every_string_cell_comes_back_guarded_from_csv_and_xlsx(cells):
    table = Table(title="Uji", columns=[Column(f"K{i}") for i in range(len(cells))], rows=[cells])
    back = list(csv.reader(io.StringIO(csv_bytes(table).decode("utf-8-sig")), delimiter=";"))
    assert [formula_unguard(v) for v in back[1]] == cells
    assert not any(v.startswith(FORMULA_TRIGGERS) for v in back[1])
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(table))).active
    values = [c.value for c in next(sheet.iter_rows(min_row=2, max_row=2))]
    assert [formula_unguard(v) if v is not None else "" for v in values] == cells
    assert not any(isinstance(v, str) and v.startswith(FORMULA_TRIGGERS) for v in values)


def test_control_characters_are_dropped_before_the_guard_looks():
    table = Table(title="Uji", columns=[Column("Nama")], rows=[["Budi\x0bSantoso\x00"], ["\x00=1+1"]])
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(table))).active
    assert [sheet["A2"].value, sheet["A3"].value] == ["BudiSantoso", "'=1+1"]
    assert csv_bytes(table).decode("utf-8-sig").split("\r\n")[1:3] == ["BudiSantoso", "'=1+1"]


def test_csv_nip_is_the_grouped_official_form_and_nothing_else_changes():
    assert csv_nip("198001012005011001") == "19800101 200501 1 001"
    assert csv_nip("199312282025212001") == "19931228 202521 2 001"  # an NI PPPK
    for other in ("", "12345", "1980010120050110011", "19800101200501100x", "١٩٨٠٠١٠١٢٠٠٥٠١١٠٠١"):
        assert csv_nip(other) == other
    table = Table("t", [Column("NIP", text=True), Column("Nama")], [["198001012005011001", "198001012005011001"]])
    assert csv_bytes(table).decode("utf-8-sig").splitlines()[1] == "19800101 200501 1 001;198001012005011001"
