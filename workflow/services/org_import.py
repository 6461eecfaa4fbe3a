"""Import of the organisation (units and employees) from one CSV or XLSX layout.

Every row is validated before anything is written; if any row is invalid nothing is written and
every error is reported with its row number. Units are upserted by code, employees by NIP, and a
row whose values did not change is not saved again (so a rerun writes no history).

The column layout (header row first; column order is free; see README "Importing an organisation"):

    tipe                "unit" or "pegawai"
    kode_unit           unit code (unit rows: the unit itself; pegawai rows: where the employee sits)
    nama_unit           unit name (unit rows)
    kode_unit_induk     parent unit code, empty for the root (unit rows)
    jenis_unit          unit kind code, e.g. opd, bidang, seksi (unit rows)
    nip                 18 digits: a PNS's NIP, a PPPK's NI PPPK (pegawai rows; empty only for a state
                        official such as the Governor)
    nama                full name with titles (pegawai rows)
    status_kepegawaian  PNS, PPPK or pejabat_negara (pegawai rows)
    jabatan             position title; on a unit row, the title of the unit's head post
    jenis_jabatan       position class code, e.g. jpt_pratama, pelaksana, fungsional; a head post is
                        structural, or functional in the unit kinds the government allows (a school)
    jenjang             functional level code, e.g. ahli_muda (fungsional only; on a unit row, of a
                        functional head post)
    kepala_unit         "ya" when the employee holds the head post of kode_unit
    email               e-mail address (optional)
    aktif               "ya" (default) or "tidak"
    username            a state official's (pejabat_negara) user name, required for them and only for
                        them: an ASN's account is named by their NIP / NI PPPK
    keadaan             the employee's leave or suspension, if any: cltn, tugas_belajar or
                        diberhentikan_sementara (pegawai rows; empty: nothing recorded or changed)
    keadaan_mulai       its first day, YYYY-MM-DD or DD-MM-YYYY (required with keadaan)
    keadaan_selesai     its last day (empty: not known yet); the employee comes back the day after
    keadaan_nomor_sk    the decree (optional)
    tmt                 effective date of a move or an appointment (YYYY-MM-DD or DD-MM-YYYY; default:
                        the day of the import): see ``_appraisals_follow`` (mutasi)
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl.cell.text import Text
from openpyxl.reader.excel import SHARED_STRINGS, ExcelReader
from openpyxl.xml.constants import SHEET_MAIN_NS
from openpyxl.xml.functions import iterparse

from ..models import (
    AuditAction,
    Instansi,
    Jabatan,
    JenisJabatan,
    JenisKeadaan,
    JenisUnit,
    JenjangFungsional,
    KeadaanPegawai,
    Pegawai,
    Periode,
    StatusKepegawaian,
    StatusPeriode,
    Unit,
)
from ..nip import nomor_induk_check
from ..selectors.keadaan import KeadaanCheck, keadaan_problems
from .audit import acting_as, audit_record
from .keadaan import keadaan_upsert
from .mutasi import appointment_date_problem, appraisals_follow_move, pegawai_appointed, transfer_date_problem

COLUMNS = [
    "tipe",
    "kode_unit",
    "nama_unit",
    "kode_unit_induk",
    "jenis_unit",
    "nip",
    "nama",
    "status_kepegawaian",
    "jabatan",
    "jenis_jabatan",
    "jenjang",
    "kepala_unit",
    "email",
    "aktif",
    "username",
    "keadaan",
    "keadaan_mulai",
    "keadaan_selesai",
    "keadaan_nomor_sk",
    "tmt",  # mutasi: see _tmt_of and _appraisals_follow
]
KEADAAN_COLUMNS = ("keadaan", "keadaan_mulai", "keadaan_selesai", "keadaan_nomor_sk")
REQUIRED_COLUMNS = {"tipe", "kode_unit"}
YES = {"ya", "y", "yes", "true", "1"}
NO = {"tidak", "t", "no", "n", "false", "0", ""}


class OrgImportError(Exception):
    """Raised when a file cannot be read or a row is invalid; ``errors`` lists every problem."""

    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass
class ImportReport:
    dry_run: bool = False
    rows: int = 0
    created: dict[str, int] = field(default_factory=lambda: {"unit": 0, "jabatan": 0, "pegawai": 0, "akun": 0})
    updated: dict[str, int] = field(default_factory=lambda: {"unit": 0, "jabatan": 0, "pegawai": 0})
    unchanged: dict[str, int] = field(default_factory=lambda: {"unit": 0, "jabatan": 0, "pegawai": 0})
    keadaan: int = 0  # leaves and suspensions recorded or changed

    def as_dict(self) -> dict:
        return {
            "dry_run": self.dry_run,
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "keadaan": self.keadaan,
        }

    @classmethod
    def from_dict(cls, data: dict) -> ImportReport:
        return cls(**data)

    def summary(self) -> str:
        prefix = _("Dry run, nothing written: ") if self.dry_run else ""
        return (
            prefix
            + _(
                "%(rows)d rows; units: %(uc)d new, %(uu)d changed, %(un)d unchanged; "
                "positions: %(jc)d new, %(ju)d changed; employees: %(pc)d new, %(pu)d changed, "
                "%(pn)d unchanged; %(ac)d user accounts created."
            )
            % {
                "rows": self.rows,
                "uc": self.created["unit"],
                "uu": self.updated["unit"],
                "un": self.unchanged["unit"],
                "jc": self.created["jabatan"],
                "ju": self.updated["jabatan"],
                "pc": self.created["pegawai"],
                "pu": self.updated["pegawai"],
                "pn": self.unchanged["pegawai"],
                "ac": self.created["akun"],
            }
            + self.keadaan_summary()
        )

    def keadaan_summary(self) -> str:
        if not self.keadaan:
            return ""
        return " " + _("%(count)d employee statuses (leave, suspension) recorded or changed.") % {"count": self.keadaan}


# --- reading ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportLimits:
    """What an organisation file may hold before it is refused as absurd (settings
    ``KINERJA_IMPORT_MAX_ROWS``, ``KINERJA_IMPORT_MAX_COLUMNS``, ``KINERJA_IMPORT_MAX_XML_BYTES``)."""

    max_rows: int
    max_columns: int
    max_xml_bytes: int

    @classmethod
    def from_settings(cls) -> ImportLimits:
        return cls(
            max_rows=settings.KINERJA_IMPORT_MAX_ROWS,
            max_columns=settings.KINERJA_IMPORT_MAX_COLUMNS,
            max_xml_bytes=settings.KINERJA_IMPORT_MAX_XML_BYTES,
        )


Rows = Iterator[tuple[int, dict[str, str]]]


def read_rows(data: bytes, filename: str, *, limits: ImportLimits | None = None) -> OrgRows:
    """The ``(row number, row)`` pairs of a CSV (comma or semicolon, UTF-8) or XLSX file (first
    sheet). The header is checked now; the rows stream as they are consumed, each iteration reading
    the file again, and only the columns up to the header's last known column are ever read. A file
    beyond ``limits`` is refused (``OrgImportError``, raised now or while the rows are read)."""
    return OrgRows(data, filename, limits or ImportLimits.from_settings())


class OrgRows:
    """The rows of one organisation file, re-read from the start by every iteration (the import
    checks them all, then reads them again to write: nothing holds every row in memory)."""

    def __init__(self, data: bytes, filename: str, limits: ImportLimits):
        self.data, self.limits = data, limits
        self.suffix = Path(filename).suffix.lower()
        if self.suffix not in (".csv", ".xlsx"):
            raise OrgImportError(
                [_("Unsupported file type %(suffix)s: use .csv or .xlsx.") % {"suffix": self.suffix or "?"}]
            )
        self._opened = self._open()  # kept for the first iteration
        try:
            self.header = self._check_header(self._opened[0])
        except OrgImportError:
            self.close()
            raise
        # Cells right of the last known column are never read: a stray cell at XFD must not make
        # every row 16,384 cells wide.
        self.width = max(i for i, col in enumerate(self.header) if col) + 1

    def _open(self):
        """(header values, a function giving the later rows cut to a width, closer)."""
        if self.suffix == ".csv":
            records = _csv_records(self.data)
            first = next(records, None)
            return (first[1] if first else ()), (lambda width: records), records.close
        book, sheet, header = _xlsx_open(self.data, self.limits)
        return header, (lambda width: _xlsx_records(book, sheet, width)), book.close

    def _check_header(self, values) -> list[str]:
        header = [("" if h is None else str(h)).strip().lower() for h in values[: self.limits.max_columns]]
        if any("\x00" in h for h in header):
            raise OrgImportError([_("Row %(line)d: %(message)s") % {"line": 1, "message": _nul_message()}])
        if not any(header):
            raise OrgImportError([_("The file is empty.")])
        missing = sorted(REQUIRED_COLUMNS - set(header))
        if missing:
            raise OrgImportError([_("Missing column(s): %(cols)s.") % {"cols": ", ".join(missing)}])
        unknown = sorted(set(header) - set(COLUMNS) - {""})
        if unknown:
            raise OrgImportError([_("Unknown column(s): %(cols)s.") % {"cols": ", ".join(unknown)}])
        return header

    def close(self) -> None:
        if self._opened is not None:
            self._opened[2]()
            self._opened = None

    def __iter__(self) -> Rows:
        opened, self._opened = self._opened or self._open(), None
        return _data_rows(opened[1](self.width), self.header[: self.width], self.limits)


def _data_rows(records, header: list[str], limits: ImportLimits) -> Rows:
    columns = [(i, col) for i, col in enumerate(header) if col]
    for number, values in records:
        if number > limits.max_rows:
            raise OrgImportError(
                [
                    _("The file has more than %(max)d rows; split it or ask the administrator to raise the limit.")
                    % {"max": limits.max_rows}
                ]
            )
        count = len(values)
        row = dict.fromkeys(COLUMNS, "")
        blank = True
        for i, col in columns:
            if i < count and values[i] is not None:
                value = str(values[i]).strip()
                if value:
                    row[col] = value
                    blank = False
        if any(isinstance(v, str) and "\x00" in v for v in values):
            # Even in a cell that is not read: ``_validate`` refuses the row by this extra value.
            row[_NUL_MARK], blank = "\x00", False
        if not blank:
            yield number, row


_NUL_MARK = "\x00"


def _nul_message() -> str:
    return _("contains a NUL character (\\0), which is not allowed in any column.")


def _csv_records(data: bytes):
    """``(record number, values)`` of a UTF-8 CSV, decoded as it is read."""
    sample = data[:4096].decode("utf-8", errors="ignore")
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.reader(io.TextIOWrapper(io.BytesIO(data), encoding="utf-8-sig", newline=""), delimiter=delimiter)
    number = 0
    while True:
        try:
            values = next(reader)
        except StopIteration:
            return
        except UnicodeDecodeError:
            raise OrgImportError([_("The CSV file is not UTF-8 text.")]) from None
        except csv.Error as exc:
            raise OrgImportError(
                [
                    _("Row %(line)d: %(message)s")
                    % {"line": number + 1, "message": _("cannot be read as CSV (%(error)s).") % {"error": exc}}
                ]
            ) from None
        number += 1
        yield number, values


def _xlsx_open(data: bytes, limits: ImportLimits):
    """Open the workbook in openpyxl's read-only (streaming) mode and read the header row (at most
    ``max_columns`` cells). The archive's uncompressed size is checked before any XML is parsed,
    so a zip bomb is refused unread."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            # Python's zipfile never inflates a member beyond its declared size (the CRC check fails
            # instead), so the declared sizes bound what parsing can unpack.
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError):
        raise _unreadable_xlsx() from None
    if unpacked > limits.max_xml_bytes:
        raise OrgImportError(
            [
                _("The XLSX file unpacks to %(size)d MB, more than the %(max)d MB allowed; it was not read.")
                % {"size": unpacked // 2**20, "max": limits.max_xml_bytes // 2**20}
            ]
        )
    try:
        reader = _LeanExcelReader(io.BytesIO(data), read_only=True, data_only=True)
        reader.read()
        book = reader.wb
        sheet = book.worksheets[0]
        header = next(sheet.iter_rows(min_row=1, max_row=1, max_col=limits.max_columns, values_only=True), ())
    except Exception:  # openpyxl raises many kinds for a damaged file
        raise _unreadable_xlsx() from None
    return book, sheet, header


class _LeanExcelReader(ExcelReader):
    """openpyxl's workbook reader (what ``load_workbook`` uses) with a leaner shared-string table:
    openpyxl clears each parsed ``<si>`` element but leaves it in the tree until the whole table is
    read, which costs ~170 bytes per string at once (~160 MB for a 20 MiB workbook)."""

    def read_strings(self):
        part = self.package.find(SHARED_STRINGS)
        if part is not None:
            with self.archive.open(part.PartName[1:]) as source:
                self.shared_strings = _read_string_table(source)


def _read_string_table(source) -> list[str]:
    """The shared strings, as openpyxl's ``read_string_table`` reads them, dropping each parsed
    element from the tree as soon as its text is taken."""
    strings: list[str] = []
    string_tag = f"{{{SHEET_MAIN_NS}}}si"
    root = None
    for event, node in iterparse(source, events=("start", "end")):
        if root is None:
            root = node
        elif event == "end" and node.tag == string_tag:
            strings.append(Text.from_tree(node).content.replace("x005F_", ""))
            root.clear()
    return strings


def _xlsx_records(book, sheet, width: int):
    """``(row number, values)`` of the rows after the header, each cut to ``width`` cells."""
    rows = sheet.iter_rows(min_row=2, max_col=width, values_only=True)
    number = 1
    try:
        while True:
            try:
                values = next(rows)
            except StopIteration:
                return
            except Exception:  # a damaged sheet fails while it is parsed
                raise _unreadable_xlsx() from None
            number += 1
            yield number, values
    finally:
        book.close()


def _unreadable_xlsx() -> OrgImportError:
    return OrgImportError([_("The XLSX file cannot be read (damaged or not an Excel workbook).")])


def read_file(path: str | Path) -> Rows:
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise OrgImportError([_("Cannot read %(path)s: %(error)s") % {"path": path, "error": exc.strerror}]) from None
    return read_rows(data, path.name)


# --- validation -------------------------------------------------------------------------------


@dataclass(slots=True)
class _UnitRow:
    line: int
    kode: str
    nama: str
    induk: str
    jenis: str
    jabatan: str
    jenis_jabatan: str
    jenjang: str = ""  # of a functional head post


@dataclass(slots=True)
class _PegawaiRow:
    line: int
    nip: str | None
    nama: str
    status: str
    kode_unit: str
    jabatan: str
    jenis_jabatan: str
    jenjang: str
    kepala: bool
    email: str
    aktif: bool
    username: str = ""  # a state official's account name (an ASN's account is named by the NIP)
    keadaan: str = ""
    keadaan_mulai: dt.date | None = None
    keadaan_selesai: dt.date | None = None
    keadaan_sk: str = ""
    tmt: dt.date | None = None  # mutasi: the effective date of a move or an appointment


def _choice(value: str, choices) -> str | None:
    """Accept a code or a label, case-insensitively."""
    wanted = value.strip().lower()
    for code, label in choices.choices:
        if wanted in (str(code).lower(), str(label).lower()):
            return code
    return None


def _codes(choices) -> str:
    return ", ".join(str(c) for c in choices.values)


def _person_of(line: int, row: dict[str, str], err: Callable[[int, str], None]) -> _PegawaiRow:
    """An employee row read and checked (every problem but a duplicate NIP goes to ``err``)."""
    nip = row["nip"].replace(" ", "") or None
    status = _choice(row["status_kepegawaian"], StatusKepegawaian)
    if status is None:
        err(
            line,
            _("unknown employment status %(value)r; use one of: %(codes)s.")
            % {"value": row["status_kepegawaian"], "codes": _codes(StatusKepegawaian)},
        )
    if nip is None:
        if status == StatusKepegawaian.PPPK:
            err(line, _("nip is empty; a PPPK needs their NI PPPK in this column."))
        elif status != StatusKepegawaian.PEJABAT_NEGARA:
            err(line, _("NIP is empty; only a state official (pejabat_negara) may have no NIP."))
    else:
        try:
            nomor_induk_check(nip, status)
        except ValidationError as exc:
            err(line, " ".join(exc.messages))
    username = row["username"]
    if status == StatusKepegawaian.PEJABAT_NEGARA:
        _check_username(line, username, err)
    elif username and status:
        err(
            line,
            _(
                "username %(username)s: only a state official (pejabat_negara) is given a username; "
                "a PNS or PPPK signs in with their NIP / NI PPPK."
            )
            % {"username": username},
        )
    if not row["nama"]:
        err(line, _("nama is empty."))
    if not row["kode_unit"]:
        err(line, _("kode_unit is empty."))
    jenis_jabatan = _choice(row["jenis_jabatan"], JenisJabatan)
    if not row["jabatan"]:
        err(line, _("jabatan is empty."))
    if jenis_jabatan is None:
        err(
            line,
            _("unknown position class %(value)r; use one of: %(codes)s.")
            % {"value": row["jenis_jabatan"], "codes": _codes(JenisJabatan)},
        )
    jenjang = ""
    if row["jenjang"]:
        jenjang = _choice(row["jenjang"], JenjangFungsional) or ""
        if not jenjang:
            err(
                line,
                _("unknown functional level %(value)r; use one of: %(codes)s.")
                % {"value": row["jenjang"], "codes": _codes(JenjangFungsional)},
            )
    if jenis_jabatan == JenisJabatan.FUNGSIONAL and not row["jenjang"]:
        err(line, _("a functional position needs a level (jenjang)."))
    if jenis_jabatan and jenis_jabatan != JenisJabatan.FUNGSIONAL and row["jenjang"]:
        err(line, _("only functional positions have a level (jenjang)."))
    kepala = row["kepala_unit"].lower()
    aktif = row["aktif"].lower()
    if kepala not in YES | NO:
        err(line, _("kepala_unit must be 'ya' or 'tidak'."))
    if aktif not in YES | NO:
        err(line, _("aktif must be 'ya' or 'tidak'."))
    if row["email"]:
        try:
            validate_email(row["email"])
        except ValidationError:
            err(line, _("%(email)s is not a valid e-mail address.") % {"email": row["email"]})
    person = _PegawaiRow(
        line,
        nip,
        row["nama"],
        status or "",
        row["kode_unit"],
        row["jabatan"],
        jenis_jabatan or "",
        jenjang,
        kepala in YES,
        row["email"],
        aktif in YES or aktif == "",
        username if status == StatusKepegawaian.PEJABAT_NEGARA else "",
    )
    _keadaan_of(line, row, person, err)
    person.tmt = _tmt_of(line, row.get("tmt", ""), err)
    return person


_USERNAME_MAX = 150  # Django's User.username


def _check_username(line: int, username: str, err: Callable[[int, str], None]) -> None:
    """A state official's username: present, a valid Django username, and not a number (an
    ASN's account is named by their 18 digits)."""
    if not username:
        err(
            line,
            _("username is empty; a state official (pejabat_negara) signs in with the username this column gives."),
        )
        return
    problem = None
    if len(username) > _USERNAME_MAX:
        problem = _("it is longer than %(max)d characters") % {"max": _USERNAME_MAX}
    elif username.isdigit():
        problem = _("it has only digits, like a NIP")
    else:
        try:
            UnicodeUsernameValidator()(username)
        except ValidationError:
            problem = _("use only letters, digits and @ . + - _")
    if problem:
        err(line, _("username %(username)r is not valid: %(problem)s.") % {"username": username, "problem": problem})


def _date(value: str) -> dt.date | None:
    """A date as a person (``2026-03-01``, ``01-03-2026``, ``01/03/2026``) or a spreadsheet's date
    cell (``2026-03-01 00:00:00``) writes it; None when it is not one."""
    value = value.strip()
    if len(value) == 19 and value.endswith(" 00:00:00"):
        value = value[:10]
    for pattern in ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    return None


def _keadaan_of(line: int, row: dict[str, str], person: _PegawaiRow, err: Callable[[int, str], None]) -> None:
    """The employee's leave or suspension (columns ``keadaan*``), read and checked on its own. A
    row given as a dict (the demo) may leave these columns out."""
    row = {col: (row.get(col) or "").strip() for col in KEADAAN_COLUMNS}
    if not row["keadaan"]:
        given = [col for col in KEADAAN_COLUMNS[1:] if row[col]]
        if given:
            err(line, _("%(cols)s given but keadaan is empty.") % {"cols": ", ".join(given)})
        return
    jenis = _choice(row["keadaan"], JenisKeadaan)
    if jenis is None:
        err(
            line,
            _("unknown keadaan %(value)r; use one of: %(codes)s.")
            % {"value": row["keadaan"], "codes": _codes(JenisKeadaan)},
        )
    mulai = _date(row["keadaan_mulai"]) if row["keadaan_mulai"] else None
    if not row["keadaan_mulai"]:
        err(line, _("keadaan_mulai is empty; a keadaan needs its first day."))
    elif mulai is None:
        err(line, _bad_date("keadaan_mulai", row["keadaan_mulai"]))
    selesai = _date(row["keadaan_selesai"]) if row["keadaan_selesai"] else None
    if row["keadaan_selesai"] and selesai is None:
        err(line, _bad_date("keadaan_selesai", row["keadaan_selesai"]))
    if mulai and selesai and selesai < mulai:
        err(
            line,
            _("keadaan_selesai %(end)s is before keadaan_mulai %(start)s.")
            % {"end": row["keadaan_selesai"], "start": row["keadaan_mulai"]},
        )
    longest = KeadaanPegawai._meta.get_field("nomor_sk").max_length
    if len(row["keadaan_nomor_sk"]) > longest:
        err(line, _("keadaan_nomor_sk is longer than %(max)d characters.") % {"max": longest})
    person.keadaan, person.keadaan_mulai, person.keadaan_selesai = jenis or "", mulai, selesai
    person.keadaan_sk = row["keadaan_nomor_sk"]


def _bad_date(column: str, value: str) -> str:
    return _("%(col)s %(value)r is not a date; write it as YYYY-MM-DD or DD-MM-YYYY.") % {
        "col": column,
        "value": value[:40],
    }


def _unit_of(
    line: int, row: dict[str, str], err: Callable[[int, str], None], *, instansi: Instansi | None = None
) -> _UnitRow:
    """A unit row read and checked (every problem but an empty or duplicate code goes to ``err``).
    Its head post is structural, or functional where ``instansi`` allows it for the unit's kind."""
    kode = row["kode_unit"]
    jenis = _choice(row["jenis_unit"], JenisUnit)
    if jenis is None:
        err(
            line,
            _("unknown unit kind %(value)r; use one of: %(codes)s.")
            % {"value": row["jenis_unit"], "codes": _codes(JenisUnit)},
        )
    if not row["nama_unit"]:
        err(line, _("nama_unit is empty."))
    jenis_jabatan = jenjang = ""
    if row["jabatan"]:
        jenis_jabatan = _choice(row["jenis_jabatan"], JenisJabatan) or ""
        jenjang = _head_post_level(line, row, jenis or "", jenis_jabatan, instansi, err)
    if row["kode_unit_induk"] == kode:
        err(line, _("unit %(kode)s cannot be its own parent.") % {"kode": kode})
    return _UnitRow(
        line, kode, row["nama_unit"], row["kode_unit_induk"], jenis or "", row["jabatan"], jenis_jabatan, jenjang
    )


def _head_post_level(line, row, jenis_unit: str, jenis_jabatan: str, instansi, err) -> str:
    """Check the class of the head post a unit row names; the level (jenjang) of a functional one."""
    if jenis_jabatan in JenisJabatan.struktural():
        if row["jenjang"]:
            err(line, _("only functional positions have a level (jenjang)."))
        return ""
    if (
        jenis_jabatan == JenisJabatan.FUNGSIONAL
        and instansi is not None
        and instansi.allows_functional_head(jenis_unit)
    ):
        jenjang = _choice(row["jenjang"], JenjangFungsional) if row["jenjang"] else None
        if jenjang is None:
            err(
                line,
                _("the head post %(jabatan)s is functional: give its level (jenjang), one of: %(codes)s.")
                % {"jabatan": row["jabatan"], "codes": _codes(JenjangFungsional)},
            )
        return jenjang or ""
    err(line, _functional_head_refused(row["jabatan"], jenis_unit, instansi))
    return ""


def _functional_head_refused(jabatan: str, jenis_unit: str, instansi) -> str:
    kinds = instansi.functional_head_kinds_label() if instansi is not None else "—"
    return _(
        "the head post %(jabatan)s needs a structural position class (%(codes)s); a functional head post "
        "is allowed only for units of kind: %(kinds)s (this unit: %(kind)s)."
    ) % {
        "jabatan": jabatan,
        "codes": ", ".join(sorted(JenisJabatan.struktural())),
        "kinds": kinds,
        "kind": jenis_unit or "?",
    }


Progress = Callable[[str, int], None]
PROGRESS_EVERY = 1000  # rows between two progress reports


@dataclass
class _CheckedFile:
    """What checking a file found: its counts, every problem, and what the writing needs. Unit rows
    are kept (a file has few); of the employee rows only the heads and those whose unit is not known
    yet are kept, to be checked again once every row has been read."""

    instansi: Instansi
    db_units: dict[str, Unit]  # the units the government already has, by code
    rows: int = 0
    people: int = 0
    errors: list[str] = field(default_factory=list)
    units: dict[str, _UnitRow] = field(default_factory=dict)
    heads: dict[str, _PegawaiRow] = field(default_factory=dict)  # the head named on an employee row, by unit
    nip_lines: dict[str, int] = field(default_factory=dict)  # every NIP of the file and its row
    officials: dict[str, _PegawaiRow] = field(default_factory=dict)  # state officials by username
    later: list[_PegawaiRow] = field(default_factory=list)
    staffed: dict[str, int] = field(default_factory=dict)  # unit code -> first row of an active employee
    titles: dict[str, int] = field(default_factory=dict)  # position of a non-head employee -> first row
    keadaan: list[_PegawaiRow] = field(default_factory=list)  # the rows recording a leave or suspension

    def err(self, line: int, message: str) -> None:
        self.errors.append(_("Row %(line)d: %(message)s") % {"line": line, "message": message})

    def known_unit(self, kode: str) -> bool:
        return kode in self.units or kode in self.db_units

    def read(self, line: int, row: dict[str, str]) -> None:
        """Check one row on its own and note what the checks across rows need."""
        if any("\x00" in value for value in row.values()):
            # PostgreSQL cannot store a NUL character; it is never a real part of a name or code.
            self.err(line, _nul_message())
            return
        tipe = row["tipe"].lower()
        if tipe == "unit":
            self.read_unit(line, row)
        elif tipe == "pegawai":
            self.read_person(line, row)
        else:
            self.err(line, _("tipe must be 'unit' or 'pegawai', not %(value)r.") % {"value": row["tipe"]})

    def read_unit(self, line: int, row: dict[str, str]) -> None:
        kode = row["kode_unit"]
        if not kode:
            self.err(line, _("kode_unit is empty."))
        elif kode in self.units:
            self.err(
                line,
                _("unit code %(kode)s appears twice (also row %(other)d).")
                % {"kode": kode, "other": self.units[kode].line},
            )
        else:
            self.units[kode] = _unit_of(line, row, self.err, instansi=self.instansi)

    def read_person(self, line: int, row: dict[str, str]) -> None:
        nip = row["nip"].replace(" ", "")
        if nip and nip in self.nip_lines:
            self.err(
                line,
                _("NIP %(nip)s appears twice in the file (also row %(other)d).")
                % {"nip": nip, "other": self.nip_lines[nip]},
            )
            return
        person = _person_of(line, row, self.err)
        self.people += 1
        if person.nip:
            self.nip_lines[person.nip] = line
        if person.aktif:
            self.staffed.setdefault(person.kode_unit, line)
        if not person.kepala:
            self.titles.setdefault(person.jabatan, line)
        if person.username:
            self.read_username(person)
        if person.keadaan and person.keadaan_mulai:
            self.keadaan.append(person)
        # Only heads and employees of a unit not seen yet are looked at again below; the
        # rest are read again from the file when they are written.
        if (person.kepala and person.aktif) or (person.kode_unit and not self.known_unit(person.kode_unit)):
            self.later.append(person)

    def read_username(self, person: _PegawaiRow) -> None:
        other = self.officials.get(person.username)
        if other is not None:
            self.err(
                person.line,
                _("username %(username)s appears twice in the file (also row %(other)d).")
                % {"username": person.username, "other": other.line},
            )
        else:
            self.officials[person.username] = person

    def check_usernames(self) -> None:
        """A state official's username is theirs: no account of anyone else has it, and an official
        who already has an account keeps its name (two queries, only when the file has officials)."""
        if not self.officials:
            return
        taken = set(get_user_model().objects.filter(username__in=self.officials).values_list("username", flat=True))
        holders = (
            {p.user.username: p for p in Pegawai.objects.filter(user__username__in=taken).select_related("user")}
            if taken
            else {}
        )
        for username in sorted(taken):
            person, holder = self.officials[username], holders.get(username)
            if holder is None or holder.instansi_id != self.instansi.pk or holder.nip != person.nip:
                self.err(
                    person.line,
                    _("username %(username)s is already the account of someone else; choose another.")
                    % {"username": username},
                )
        by_name = {p.nama: p for p in self.officials.values() if p.nip is None and p.username not in taken}
        accounts = Pegawai.objects.filter(
            instansi=self.instansi, nip__isnull=True, nama__in=by_name, user__isnull=False
        ).select_related("user")
        for holder in accounts:
            person = by_name[holder.nama]
            self.err(
                person.line,
                _("%(name)s already signs in as %(old)s; write that username, not %(username)s.")
                % {"name": holder.nama, "old": holder.user.username, "username": person.username},
            )

    def check_parents(self) -> None:
        """Every parent exists, and the tree (as the file changes it) has no cycle."""
        for u in self.units.values():
            if u.induk and not self.known_unit(u.induk):
                self.err(u.line, _("unknown parent unit %(kode)s.") % {"kode": u.induk})
        kode_of = {u.pk: kode for kode, u in self.db_units.items()}
        parent_of = {k: kode_of.get(u.parent_id, "") for k, u in self.db_units.items()}
        parent_of.update({k: u.induk for k, u in self.units.items()})
        reported: set[str] = set()
        for start in self.units:
            path, node = [start], parent_of.get(start, "")
            while node and node not in path:
                path.append(node)
                node = parent_of.get(node, "")
            if node and node == start and start not in reported:
                reported.update(path)
                self.err(
                    self.units[start].line,
                    _("the supervisor chain forms a cycle: %(chain)s.") % {"chain": " → ".join([*path, start])},
                )

    def check_heads(self) -> None:
        """The employees kept for later: their unit exists, and a unit has one head, who holds its head post."""
        for person in self.later:
            if person.kode_unit and not self.known_unit(person.kode_unit):
                self.err(person.line, _("unknown unit %(kode)s.") % {"kode": person.kode_unit})
            elif person.kepala and person.aktif:
                self.check_head(person)
        self.later = []

    def check_head(self, person: _PegawaiRow) -> None:
        kode = person.kode_unit
        if kode in self.heads:
            self.err(
                person.line,
                _("unit %(kode)s already has a head in row %(other)d.")
                % {"kode": kode, "other": self.heads[kode].line},
            )
            return
        self.heads[kode] = person
        unit_row, unit = self.units.get(kode), self.db_units.get(kode)
        jenis_unit = unit_row.jenis if unit_row else unit.jenis if unit is not None else ""
        if person.jenis_jabatan and person.jenis_jabatan not in JenisJabatan.struktural():
            if person.jenis_jabatan != JenisJabatan.FUNGSIONAL:
                self.err(
                    person.line,
                    _("the head of a unit needs a structural position class, not %(value)s.")
                    % {"value": person.jenis_jabatan},
                )
            elif not self.instansi.allows_functional_head(jenis_unit):
                self.err(person.line, _functional_head_refused(person.jabatan, jenis_unit, self.instansi))
            elif unit_row and unit_row.jenjang and person.jenjang and unit_row.jenjang != person.jenjang:
                self.err(
                    person.line,
                    _("the head post of unit %(kode)s has level %(post)s in row %(other)d, not %(jenjang)s.")
                    % {"kode": kode, "post": unit_row.jenjang, "other": unit_row.line, "jenjang": person.jenjang},
                )
        if unit_row and unit_row.jabatan:
            post = unit_row.jabatan
        else:
            post = unit.jabatan_kepala.nama if unit is not None and unit.jabatan_kepala_id else ""
        if post and person.jabatan and post != person.jabatan:
            self.err(
                person.line,
                _("the head of unit %(kode)s must hold its head post %(post)s, not %(jabatan)s.")
                % {"kode": kode, "post": post, "jabatan": person.jabatan},
            )

    def check_head_posts(self) -> None:
        """A school has a head post (its teachers' assessor); a head post leads one unit; a
        functional head post is a title of its own, not the position of other employees."""
        named: dict[str, int] = {}
        for kode, u in self.units.items():
            if u.jabatan:
                if u.jabatan in named:
                    self.err(
                        u.line,
                        _("the head post %(post)s is already the head post of the unit in row %(other)d.")
                        % {"post": u.jabatan, "other": named[u.jabatan]},
                    )
                named.setdefault(u.jabatan, u.line)
            head = self.heads.get(kode)
            functional = u.jenis_jabatan == JenisJabatan.FUNGSIONAL or (
                not u.jabatan and head is not None and head.jenis_jabatan == JenisJabatan.FUNGSIONAL
            )
            post = u.jabatan or (head.jabatan if head is not None else "")
            if functional and post in self.titles:
                self.err(
                    u.line,
                    _(
                        "the functional head post %(post)s is also the position of the employee in row %(other)d: "
                        'a functional head post needs a title of its own, such as "Kepala %(unit)s".'
                    )
                    % {"post": post, "other": self.titles[post], "unit": u.nama},
                )
            if u.jenis in JenisUnit.needs_head_post() and not post:
                unit = self.db_units.get(kode)
                if unit is None or not unit.jabatan_kepala_id:
                    self.err(u.line, _school_without_head(kode))
        for kode, line in self.staffed.items():
            unit = self.db_units.get(kode)
            if (
                kode not in self.units
                and kode not in self.heads
                and unit is not None
                and unit.jenis in JenisUnit.needs_head_post()
                and not unit.jabatan_kepala_id
            ):
                self.err(line, _school_without_head(kode))

    def check_keadaan(self) -> None:
        """Each leave or suspension against the employee's other statuses and the approved months
        of their SKP (``selectors.keadaan``), in a few queries for the whole file."""
        if not self.keadaan:
            return
        ids = dict(
            Pegawai.objects.filter(instansi=self.instansi, nip__in=[p.nip for p in self.keadaan if p.nip]).values_list(
                "nip", "pk"
            )
        )
        checks = [
            KeadaanCheck(ids.get(p.nip), p.keadaan, p.keadaan_mulai, p.keadaan_selesai, upsert=True)
            for p in self.keadaan
        ]
        column = {"tanggal_mulai": "keadaan_mulai", "tanggal_selesai": "keadaan_selesai"}
        for person, problems in zip(self.keadaan, keadaan_problems(checks), strict=True):
            for name, message in problems:
                self.err(person.line, f"{column[name]}: {message}")
        self.keadaan = []

    def check_posts_held(self) -> None:
        """A head already in the database who is not in this file keeps the post: a second head is an error."""
        posts = {
            self.db_units[kode].pk: self.db_units[kode].jabatan_kepala_id
            for kode in self.heads
            if kode in self.db_units and self.db_units[kode].jabatan_kepala_id
        }
        if not posts:
            return
        holders: dict[int, Pegawai] = {}
        # One query for every unit: the active holders of the units' head posts (and, with them,
        # active employees in another unit's head post, left out below), first by the model's ordering.
        for holder in Pegawai.objects.filter(unit_id__in=posts, jabatan_id__in=posts.values(), aktif=True):
            if posts[holder.unit_id] == holder.jabatan_id:
                holders.setdefault(holder.unit_id, holder)
        for kode, person in self.heads.items():
            holder = holders.get(self.db_units[kode].pk) if kode in self.db_units else None
            if holder and holder.nip != person.nip and holder.nip not in self.nip_lines:
                self.err(
                    person.line,
                    _("the head post of unit %(kode)s is already held by %(name)s.")
                    % {"kode": kode, "name": holder.nama},
                )


def _school_without_head(kode: str) -> str:
    return _(
        "school %(kode)s has no head post (Kepala Sekolah), who assesses its teachers: name it in the jabatan "
        "column of the unit row (jenis_jabatan fungsional with its jenjang), or mark the head's row kepala_unit ya."
    ) % {"kode": kode}


def _check(instansi: Instansi, rows: Iterable[tuple[int, dict[str, str]]], progress: Progress | None) -> _CheckedFile:
    """Read every row and check it, on its own and against the other rows and the database."""
    checked = _CheckedFile(
        instansi, {u.kode: u for u in Unit.objects.filter(instansi=instansi).select_related("jabatan_kepala")}
    )
    for line, row in rows:
        checked.rows += 1
        if progress and checked.rows % PROGRESS_EVERY == 0:
            progress("validated", checked.rows)
        checked.read(line, row)
    checked.check_parents()
    checked.check_heads()
    checked.check_head_posts()
    checked.check_posts_held()
    checked.check_usernames()
    checked.check_keadaan()
    if progress:
        progress("validated", checked.rows)
    return checked


def org_import_check(
    *, instansi: Instansi, rows: Iterable[tuple[int, dict[str, str]]], progress: Progress | None = None
) -> int:
    """Read and check every row as ``org_import`` does, writing nothing and without the simulated
    write of a dry run; returns the number of rows. Raises ``OrgImportError`` listing every problem."""
    checked = _check(instansi, rows, progress)
    if checked.errors:
        raise OrgImportError(checked.errors)
    return checked.rows


def org_import(
    *,
    instansi: Instansi,
    rows: Iterable[tuple[int, dict[str, str]]],
    by=None,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Validate every row, then upsert units (by code), positions (by title) and employees (by
    NIP) of ``instansi`` in one transaction. Raises ``OrgImportError`` listing every invalid row;
    then nothing is written. ``by`` is recorded as the author of every history row. ``rows`` may be
    a stream (``read_rows``); ``progress(stage, count)`` hears how many rows were "validated", how
    many valid rows are "writing" (once, before the transaction) and, from inside the writing
    transaction, how many were "written". A dry run writes everything in the same way and rolls it back."""
    if iter(rows) is rows:  # a one-shot stream: keep its rows for the second reading
        rows = list(rows)
    checked = _check(instansi, rows, progress)
    if checked.errors:
        raise OrgImportError(checked.errors)
    report = ImportReport(dry_run=dry_run, rows=checked.rows)
    if progress:
        progress("writing", len(checked.units) + checked.people)
    try:
        with transaction.atomic(), acting_as(by):
            writer = _Writer(instansi=instansi, by=by, report=report, progress=progress)
            writer.write_units(checked)
            writer.write_people(rows, checked)
            _appraisals_follow(writer)
            audit_record(
                action=AuditAction.ORG_IMPORTED,
                obj=instansi,
                by=by,
                after={"rows": report.rows, "created": report.created, "updated": report.updated},
            )
            if dry_run:
                transaction.set_rollback(True)
    except ValidationError as exc:  # a model rule the row checks did not foresee
        raise OrgImportError([" ".join(exc.messages)]) from None
    return report


# --- writing ----------------------------------------------------------------------------------


WRITE_BATCH = 500  # employees looked up and saved per batch (bounds memory on a large file)


def _clean(obj) -> None:
    """``full_clean`` without looking each related object up again: they are the objects the import
    has just loaded or saved (checking that each exists would cost a query per row)."""
    relations = [f.name for f in obj._meta.concrete_fields if f.is_relation]
    obj.full_clean(exclude=relations, validate_unique=False, validate_constraints=False)


def _differs(obj, name: str, value) -> bool:
    field_ = obj._meta.get_field(name)
    if field_.is_relation:  # compare keys: reading the related object could cost a query
        return getattr(obj, field_.attname) != (value.pk if value is not None else None)
    return getattr(obj, name) != value


class _Writer:
    """Writes a checked file: units from memory, in tree order, each saved once; employees as their
    rows are read again, a batch at a time (one query finds a batch's employees, one its accounts)."""

    def __init__(self, *, instansi: Instansi, by, report: ImportReport, progress: Progress | None):
        self.instansi, self.by, self.report, self.progress = instansi, by, report, progress
        self.jabatan_cache = {j.nama: j for j in Jabatan.objects.filter(instansi=instansi)}
        self.saved: dict[str, Unit] = {}  # every unit of the government by code, once the units are written
        self.by_name: dict[str, Pegawai] = {}  # employees without a NIP (state officials), by name
        self.by_username: dict[str, Pegawai] = {}  # those of them with an account, by its name
        self.written = 0
        self.moves: list[tuple[Pegawai, _PegawaiRow]] = []  # mutasi: employees moved, and their rows
        self.appointed: list[tuple[Pegawai, _PegawaiRow]] = []  # mutasi: new employees, and their rows

    def save_if_changed(self, obj, values: dict, kind: str | None, *, also: dict | None = None) -> bool:
        """Save ``obj`` once if it is new or one of ``values`` differs, counting it as created,
        updated or unchanged under ``kind``; ``also`` holds values set on the same save that do not
        count as a change of the row (a unit's head post named on an employee row)."""
        is_new = obj.pk is None
        changed = is_new or any(_differs(obj, k, v) for k, v in values.items())
        more = {k: v for k, v in (also or {}).items() if _differs(obj, k, v)}
        if kind is not None:
            counter = self.report.created if is_new else self.report.updated if changed else self.report.unchanged
            counter[kind] += 1
        if not changed and not more:
            return False
        for k, v in {**values, **more}.items():
            setattr(obj, k, v)
        obj._history_user = self.by
        if changed:
            obj._change_reason = "import"
            _clean(obj)
        obj.save()
        return True

    def jabatan(self, nama: str, jenis: str, jenjang: str = "") -> Jabatan:
        obj = self.jabatan_cache.get(nama) or Jabatan(instansi=self.instansi, nama=nama)
        self.save_if_changed(obj, {"jenis": jenis, "jenjang": jenjang}, "jabatan")
        self.jabatan_cache[nama] = obj
        return obj

    def count_written(self, rows: int = 1, *, report: bool = False) -> None:
        """Count rows written; progress hears every ``PROGRESS_EVERY`` rows and when ``report`` is set."""
        self.written += rows
        if self.progress and (report or (rows == 1 and self.written % PROGRESS_EVERY == 0)):
            self.progress("written", self.written)

    def write_units(self, checked: _CheckedFile) -> None:
        """Parents before their children (the file need not be in tree order); a unit whose head
        post is named only on its head's employee row gets it on the same save."""
        self.saved = dict(checked.db_units)
        by_pk = {u.pk: u for u in self.saved.values()}
        for u in self.saved.values():  # the tree in memory: walking it up costs no query
            if u.parent_id in by_pk:
                Unit.parent.field.set_cached_value(u, by_pk[u.parent_id])
        for kode in _tree_order(checked.units):
            u = checked.units[kode]
            obj = self.saved.get(kode) or Unit(instansi=self.instansi, kode=kode)
            values = {
                "nama": u.nama,
                "jenis": u.jenis,
                "parent": self.saved[u.induk] if u.induk else None,
                "aktif": True,
            }
            if u.jabatan:
                values["jabatan_kepala"] = self.jabatan(u.jabatan, u.jenis_jabatan, u.jenjang)
            self.save_if_changed(obj, values, "unit", also=self.head_post(obj, checked.heads.get(kode), values))
            self.saved[kode] = obj
            self.count_written()
        for kode, person in checked.heads.items():
            if kode not in checked.units:  # a unit the file names only on its head's row
                unit = self.saved[kode]
                self.save_if_changed(unit, {}, None, also=self.head_post(unit, person, {}))

    def head_post(self, unit: Unit, head: _PegawaiRow | None, values: dict) -> dict:
        if head is None or values.get("jabatan_kepala") or unit.jabatan_kepala_id:
            return {}
        return {"jabatan_kepala": self.jabatan(head.jabatan, head.jenis_jabatan, head.jenjang)}

    def write_people(self, rows: Iterable[tuple[int, dict[str, str]]], checked: _CheckedFile) -> None:
        officials = list(Pegawai.objects.filter(instansi=self.instansi, nip__isnull=True).select_related("user"))
        self.by_name = {p.nama: p for p in officials}
        self.by_username = {p.user.username: p for p in officials if p.user_id}
        batch: list[_PegawaiRow] = []
        for line, row in rows:
            if row["tipe"].lower() == "pegawai":
                batch.append(_person_of(line, row, _checked_before))
                if len(batch) == WRITE_BATCH:
                    self.write_batch(batch)
                    batch = []
        self.write_batch(batch)

    def write_batch(self, batch: list[_PegawaiRow]) -> None:
        nips = [person.nip for person in batch if person.nip]
        existing = {p.nip: p for p in Pegawai.objects.filter(nip__in=nips)}
        unlinked = [nip for nip in nips if nip not in existing or existing[nip].user_id is None]
        accounts = {u.username: u for u in get_user_model().objects.filter(username__in=unlinked)}
        for person in batch:
            self.write_person(person, existing, accounts)
        self.count_written(len(batch), report=True)

    def write_person(self, person: _PegawaiRow, existing: dict[str, Pegawai], accounts: dict) -> None:
        unit = self.saved[person.kode_unit]
        post = (
            unit.jabatan_kepala if person.kepala else self.jabatan(person.jabatan, person.jenis_jabatan, person.jenjang)
        )
        if (
            person.kepala
            and post.jenis == JenisJabatan.FUNGSIONAL
            and person.jenjang
            and post.jenjang != person.jenjang
        ):
            # A functional head post carries its holder's level: a promoted Kepala Sekolah updates it.
            post = self.jabatan(post.nama, post.jenis, person.jenjang)
        if person.nip:
            obj = existing.get(person.nip)
        else:
            obj = self.by_username.get(person.username) or self.by_name.get(person.nama)
        if obj is not None and obj.instansi_id != self.instansi.pk:
            raise ValidationError(_("NIP %(nip)s belongs to an employee of another government.") % {"nip": person.nip})
        obj = obj or Pegawai(instansi=self.instansi, nip=person.nip)
        values = {
            "nama": person.nama,
            "status_kepegawaian": person.status,
            "unit": unit,
            "jabatan": post,
            "email": person.email,
            "aktif": person.aktif,
        }
        named = person.nip or person.username
        account = {"user": self.account(person, accounts)} if obj.user_id is None and named else None
        self.note_move(obj, person, unit, post)
        self.save_if_changed(obj, values, "pegawai", also=account)
        if person.keadaan and keadaan_upsert(
            pegawai=obj,
            jenis=person.keadaan,
            tanggal_mulai=person.keadaan_mulai,
            tanggal_selesai=person.keadaan_selesai,
            nomor_sk=person.keadaan_sk,
            by=self.by,
        ):
            self.report.keadaan += 1

    def note_move(self, obj: Pegawai, person: _PegawaiRow, unit: Unit, post: Jabatan) -> None:
        """Mutasi: remember an employee who moves (another unit or position) or is new, before the
        row is saved (``_appraisals_follow``)."""
        if obj.pk is None:
            self.appointed.append((obj, person))
        elif obj.unit_id != unit.pk or obj.jabatan_id != post.pk:
            self.moves.append((obj, person))

    def account(self, person: _PegawaiRow, accounts: dict):
        """The user account named by the employee's NIP (a state official's: by the username the
        file gives), created (without a usable password) if missing."""
        username = person.username or person.nip
        user = accounts.get(username)
        if user is None:
            user = get_user_model()(username=username, email=person.email, first_name=person.nama[:150])
            user.set_unusable_password()
            user.save()
            self.report.created["akun"] += 1
        return user


# --- mutasi: the appraisals follow the moves and appointments of the file ----------------------


def _tmt_of(line: int, value: str, err: Callable[[int, str], None]) -> dt.date | None:
    """The ``tmt`` column: a date (YYYY-MM-DD, DD-MM-YYYY or DD/MM/YYYY; an XLSX date cell reads as
    YYYY-MM-DD 00:00:00), or None when empty."""
    value = value.strip()
    if not value:
        return None
    for pattern in ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y", "%Y-%m-%d %H:%M:%S"):
        try:
            return dt.datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    err(line, _("tmt %(value)r is not a date; write it as YYYY-MM-DD or DD-MM-YYYY.") % {"value": value[:40]})
    return None


def _appraisals_follow(writer: _Writer) -> None:
    """After every row is written: each move closes the employee's running SKP and opens the next
    from ``tmt``, each new employee gets an SKP from ``tmt`` (``services.mutasi``, as the transfer page
    and the Django admin do). A ``tmt`` the running SKP cannot take (outside its period, in the
    future...) fails the whole import with the row number: nothing is written."""
    if not (writer.moves or writer.appointed):
        return
    if not Periode.objects.filter(instansi=writer.instansi, status=StatusPeriode.OPEN).exists():
        return  # no appraisal runs: the moves change nothing else
    today = timezone.localdate()
    errors = []
    for obj, person in writer.moves:
        problem = transfer_date_problem(pegawai=obj, tanggal=person.tmt or today, label="tmt")
        if problem:
            errors.append(_("Row %(line)d: %(message)s") % {"line": person.line, "message": problem})
    for _obj, person in writer.appointed:
        problem = appointment_date_problem(tanggal=person.tmt or today, label="tmt")
        if problem:
            errors.append(_("Row %(line)d: %(message)s") % {"line": person.line, "message": problem})
    if errors:
        raise OrgImportError(errors)
    for obj, person in writer.moves:
        appraisals_follow_move(pegawai=obj, tanggal=person.tmt or today, by=writer.by)
    for obj, person in writer.appointed:
        pegawai_appointed(pegawai=obj, tanggal=person.tmt or today, by=writer.by)


def _tree_order(units: dict[str, _UnitRow]) -> list[str]:
    """The codes of ``units`` with every parent before its children (the checks refused cycles)."""
    order: list[str] = []
    placed: set[str] = set()
    for kode in units:
        chain = []
        while kode in units and kode not in placed:
            placed.add(kode)
            chain.append(kode)
            kode = units[kode].induk
        order.extend(reversed(chain))
    return order


def _checked_before(line: int, message: str) -> None:
    raise AssertionError(f"row {line} passed the checks but now fails: {message}")
