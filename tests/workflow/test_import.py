"""Importing the organisation from CSV/XLSX: validate everything first, write all or nothing."""

import csv
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation
from openpyxl import Workbook

from tests.factories import InstansiFactory, nip_for
from workflow.models import Pegawai, Unit
from workflow.services.org_import import COLUMNS, OrgImportError, org_import, read_rows

pytestmark = pytest.mark.django_db

NIP_KASI, NIP_STAFF, NIP_STAFF2 = nip_for(501), nip_for(502), nip_for(503)


def unit(kode, nama, induk, jenis, jabatan="", jenis_jabatan=""):
    return {"tipe": "unit", "kode_unit": kode, "nama_unit": nama, "kode_unit_induk": induk, "jenis_unit": jenis,
            "jabatan": jabatan, "jenis_jabatan": jenis_jabatan}


def person(kode_unit, nip, nama, jabatan, jenis, kepala="tidak", jenjang="", status="PNS", aktif="ya"):
    return {"tipe": "pegawai", "kode_unit": kode_unit, "nip": nip, "nama": nama, "status_kepegawaian": status,
            "jabatan": jabatan, "jenis_jabatan": jenis, "jenjang": jenjang, "kepala_unit": kepala, "aktif": aktif}


def good_rows():
    return [
        unit("DINKES", "Dinas Kesehatan", "", "opd", "Kepala Dinas Kesehatan", "jpt_pratama"),
        unit("DINKES-S1", "Seksi Imunisasi", "DINKES", "seksi", "Kepala Seksi Imunisasi", "pengawas"),
        person("DINKES-S1", NIP_KASI, "Zulkifli Wijaya, S.K.M.", "Kepala Seksi Imunisasi", "pengawas", kepala="ya"),
        person("DINKES-S1", NIP_STAFF, "Hendra Safitri, S.Si.", "Pengelola Program Imunisasi", "pelaksana"),
        person("DINKES-S1", NIP_STAFF2, "Dewi Hakim, S.K.M.", "Epidemiolog Kesehatan Ahli Muda", "fungsional",
               jenjang="ahli_muda", status="PPPK"),
    ]


def as_csv(rows, delimiter=",") -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, delimiter=delimiter)
    writer.writeheader()
    for row in rows:
        writer.writerow({c: row.get(c, "") for c in COLUMNS})
    return out.getvalue().encode()


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
    ("two heads", lambda r: r[3].update(kepala_unit="ya", jabatan="Kepala Seksi Imunisasi", jenis_jabatan="pengawas"),
     "sudah memiliki kepala"),
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
    assert report.created["unit"] == 3 and report.created["pegawai"] == 5
