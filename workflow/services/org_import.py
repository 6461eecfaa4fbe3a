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
    nip                 18-digit NIP (pegawai rows; empty only for a state official such as the Governor)
    nama                full name with titles (pegawai rows)
    status_kepegawaian  PNS, PPPK or pejabat_negara (pegawai rows)
    jabatan             position title; on a unit row, the title of the unit's head post
    jenis_jabatan       position class code, e.g. jpt_pratama, pelaksana, fungsional
    jenjang             functional level code, e.g. ahli_muda (fungsional only)
    kepala_unit         "ya" when the employee holds the head post of kode_unit
    email               e-mail address (optional)
    aktif               "ya" (default) or "tidak"
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
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
    JenisUnit,
    JenjangFungsional,
    Pegawai,
    StatusKepegawaian,
    Unit,
)
from ..nip import parse_nip
from .audit import acting_as, audit_record

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
]
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

    def as_dict(self) -> dict:
        return {"dry_run": self.dry_run, "rows": self.rows, "created": self.created, "updated": self.updated,
                "unchanged": self.unchanged}

    @classmethod
    def from_dict(cls, data: dict) -> ImportReport:
        return cls(**data)

    def summary(self) -> str:
        prefix = _("Dry run, nothing written: ") if self.dry_run else ""
        return prefix + _(
            "%(rows)d rows; units: %(uc)d new, %(uu)d changed, %(un)d unchanged; "
            "positions: %(jc)d new, %(ju)d changed; employees: %(pc)d new, %(pu)d changed, "
            "%(pn)d unchanged; %(ac)d user accounts created."
        ) % {
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
                [_("The file has more than %(max)d rows; split it or ask the administrator to raise the limit.")
                 % {"max": limits.max_rows}]
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
                [_("Row %(line)d: %(message)s") % {
                    "line": number + 1, "message": _("cannot be read as CSV (%(error)s).") % {"error": exc}}]
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
            [_("The XLSX file unpacks to %(size)d MB, more than the %(max)d MB allowed; it was not read.")
             % {"size": unpacked // 2**20, "max": limits.max_xml_bytes // 2**20}]
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
        if status != StatusKepegawaian.PEJABAT_NEGARA:
            err(line, _("NIP is empty; only a state official (pejabat_negara) may have no NIP."))
    else:
        try:
            parse_nip(nip)
        except ValidationError as exc:
            err(line, " ".join(exc.messages))
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
    )
    return person


Progress = Callable[[str, int], None]
PROGRESS_EVERY = 1000  # rows between two progress reports


def _validate(instansi: Instansi, rows: Iterable[tuple[int, dict[str, str]]], progress: Progress | None = None):
    errors: list[str] = []
    units: dict[str, _UnitRow] = {}
    nip_lines: dict[str, int] = {}  # every NIP of the file and its row
    later: list[_PegawaiRow] = []
    people = 0
    db_units = {u.kode: u for u in Unit.objects.filter(instansi=instansi).select_related("jabatan_kepala")}

    def err(line: int, message: str) -> None:
        errors.append(_("Row %(line)d: %(message)s") % {"line": line, "message": message})

    count = 0
    for line, row in rows:
        count += 1
        if progress and count % PROGRESS_EVERY == 0:
            progress("validated", count)
        if any("\x00" in value for value in row.values()):
            # PostgreSQL cannot store a NUL character; it is never a real part of a name or code.
            err(line, _nul_message())
            continue
        tipe = row["tipe"].lower()
        if tipe == "unit":
            kode = row["kode_unit"]
            if not kode:
                err(line, _("kode_unit is empty."))
                continue
            if kode in units:
                err(
                    line,
                    _("unit code %(kode)s appears twice (also row %(other)d).")
                    % {"kode": kode, "other": units[kode].line},
                )
                continue
            jenis = _choice(row["jenis_unit"], JenisUnit)
            if jenis is None:
                err(
                    line,
                    _("unknown unit kind %(value)r; use one of: %(codes)s.")
                    % {"value": row["jenis_unit"], "codes": _codes(JenisUnit)},
                )
            if not row["nama_unit"]:
                err(line, _("nama_unit is empty."))
            jenis_jabatan = ""
            if row["jabatan"]:
                jenis_jabatan = _choice(row["jenis_jabatan"], JenisJabatan) or ""
                if jenis_jabatan not in JenisJabatan.struktural():
                    err(
                        line,
                        _("the head post %(jabatan)s needs a structural position class (%(codes)s).")
                        % {"jabatan": row["jabatan"], "codes": ", ".join(sorted(JenisJabatan.struktural()))},
                    )
            if row["kode_unit_induk"] == kode:
                err(line, _("unit %(kode)s cannot be its own parent.") % {"kode": kode})
            units[kode] = _UnitRow(
                line, kode, row["nama_unit"], row["kode_unit_induk"], jenis or "", row["jabatan"], jenis_jabatan
            )
        elif tipe == "pegawai":
            nip = row["nip"].replace(" ", "")
            if nip and nip in nip_lines:
                err(
                    line,
                    _("NIP %(nip)s appears twice in the file (also row %(other)d).")
                    % {"nip": nip, "other": nip_lines[nip]},
                )
                continue
            person = _person_of(line, row, err)
            people += 1
            if person.nip:
                nip_lines[person.nip] = line
            # Only heads and employees of a unit not seen yet are looked at again below; the
            # rest are read again from the file when they are written.
            if (person.kepala and person.aktif) or (
                person.kode_unit and person.kode_unit not in units and person.kode_unit not in db_units
            ):
                later.append(person)
        else:
            err(line, _("tipe must be 'unit' or 'pegawai', not %(value)r.") % {"value": row["tipe"]})

    # References between rows and to what the database already holds.
    for u in units.values():
        if u.induk and u.induk not in units and u.induk not in db_units:
            err(u.line, _("unknown parent unit %(kode)s.") % {"kode": u.induk})
    parent_of = {k: (u.parent.kode if u.parent_id else "") for k, u in db_units.items()}
    parent_of.update({k: u.induk for k, u in units.items()})
    reported: set[str] = set()
    for start in units:
        path, node = [start], parent_of.get(start, "")
        while node and node not in path:
            path.append(node)
            node = parent_of.get(node, "")
        if node and node == start and start not in reported:
            reported.update(path)
            err(
                units[start].line,
                _("the supervisor chain forms a cycle: %(chain)s.") % {"chain": " → ".join([*path, start])},
            )

    heads: dict[str, _PegawaiRow] = {}
    for person in later:
        if person.kode_unit and person.kode_unit not in units and person.kode_unit not in db_units:
            err(person.line, _("unknown unit %(kode)s.") % {"kode": person.kode_unit})
            continue
        if person.kepala and person.aktif:
            if person.kode_unit in heads:
                err(
                    person.line,
                    _("unit %(kode)s already has a head in row %(other)d.")
                    % {"kode": person.kode_unit, "other": heads[person.kode_unit].line},
                )
                continue
            heads[person.kode_unit] = person
            if person.jenis_jabatan and person.jenis_jabatan not in JenisJabatan.struktural():
                err(
                    person.line,
                    _("the head of a unit needs a structural position class, not %(value)s.")
                    % {"value": person.jenis_jabatan},
                )
            unit_row = units.get(person.kode_unit)
            post = (
                unit_row.jabatan
                if unit_row and unit_row.jabatan
                else (
                    db_units[person.kode_unit].jabatan_kepala.nama
                    if person.kode_unit in db_units and db_units[person.kode_unit].jabatan_kepala_id
                    else ""
                )
            )
            if post and person.jabatan and post != person.jabatan:
                err(
                    person.line,
                    _("the head of unit %(kode)s must hold its head post %(post)s, not %(jabatan)s.")
                    % {"kode": person.kode_unit, "post": post, "jabatan": person.jabatan},
                )
    # A head already in the database who is not in this file keeps the post: a second head is an error.
    for kode, person in heads.items():
        unit = db_units.get(kode)
        if unit is None or not unit.jabatan_kepala_id:
            continue
        holder = Pegawai.objects.filter(unit=unit, jabatan_id=unit.jabatan_kepala_id, aktif=True).first()
        if holder and holder.nip != person.nip and holder.nip not in nip_lines:
            err(
                person.line,
                _("the head post of unit %(kode)s is already held by %(name)s.") % {"kode": kode, "name": holder.nama},
            )
    if progress:
        progress("validated", count)
    return count, people, errors, units, heads, db_units


# --- writing ----------------------------------------------------------------------------------


def _save_if_changed(obj, values: dict, by, kind: str, report: ImportReport) -> bool:
    is_new = obj.pk is None
    changed = is_new or any(getattr(obj, k) != v for k, v in values.items())
    if not changed:
        report.unchanged[kind] += 1
        return False
    for k, v in values.items():
        setattr(obj, k, v)
    obj._history_user = by
    obj._change_reason = "import"
    obj.full_clean(validate_unique=False, validate_constraints=False)
    obj.save()
    (report.created if is_new else report.updated)[kind] += 1
    return True


def org_import_check(
    *, instansi: Instansi, rows: Iterable[tuple[int, dict[str, str]]], progress: Progress | None = None
) -> int:
    """Read and check every row as ``org_import`` does, writing nothing and without the simulated
    write of a dry run; returns the number of rows. Raises ``OrgImportError`` listing every problem."""
    count, _people, errors, *_checked = _validate(instansi, rows, progress)
    if errors:
        raise OrgImportError(errors)
    return count


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
    transaction, how many were "written"."""
    if iter(rows) is rows:  # a one-shot stream: keep its rows for the second reading
        rows = list(rows)
    count, people, errors, units, heads, db_units = _validate(instansi, rows, progress)
    if errors:
        raise OrgImportError(errors)
    report = ImportReport(dry_run=dry_run, rows=count)
    if progress:
        progress("writing", len(units) + people)
    try:
        with transaction.atomic(), acting_as(by):
            _write(instansi, units, rows, heads, db_units, by, report, progress)
            audit_record(action=AuditAction.ORG_IMPORTED, obj=instansi, by=by,
                         after={"rows": report.rows, "created": report.created, "updated": report.updated})
            if dry_run:
                raise _DryRunDone
    except _DryRunDone:
        pass
    except ValidationError as exc:  # a model rule the row checks did not foresee
        raise OrgImportError([" ".join(exc.messages)]) from None
    return report


class _DryRunDone(Exception):
    pass


WRITE_BATCH = 500  # employees looked up and saved per batch (bounds memory on a large file)


def _write(instansi, units, rows, heads, db_units, by, report, progress=None) -> None:
    """Write the checked file: units from memory, employees as they are read again from ``rows``."""
    written = 0

    def count_written() -> None:
        nonlocal written
        written += 1
        if progress and written % PROGRESS_EVERY == 0:
            progress("written", written)

    jabatan_cache = {j.nama: j for j in Jabatan.objects.filter(instansi=instansi)}

    def jabatan(nama: str, jenis: str, jenjang: str = "") -> Jabatan:
        obj = jabatan_cache.get(nama) or Jabatan(instansi=instansi, nama=nama)
        _save_if_changed(obj, {"jenis": jenis, "jenjang": jenjang}, by, "jabatan", report)
        jabatan_cache[nama] = obj
        return obj

    # Units: create or update names first, then wire parents (the file need not be in tree order).
    saved: dict[str, Unit] = dict(db_units)
    for kode, u in units.items():
        obj = saved.get(kode) or Unit(instansi=instansi, kode=kode)
        is_new = obj.pk is None
        if is_new:
            obj.nama, obj.jenis = u.nama, u.jenis
            obj._history_user = by
            obj.save()
            saved[kode] = obj
    for kode, u in units.items():
        obj = saved[kode]
        values = {"nama": u.nama, "jenis": u.jenis, "parent": saved[u.induk] if u.induk else None, "aktif": True}
        if u.jabatan:
            values["jabatan_kepala"] = jabatan(u.jabatan, u.jenis_jabatan)
        if kode not in db_units:
            for k, v in values.items():
                setattr(obj, k, v)
            obj._history_user = by
            obj.full_clean(validate_unique=False, validate_constraints=False)
            obj.save()
            report.created["unit"] += 1
        else:
            _save_if_changed(obj, values, by, "unit", report)
        count_written()

    # Heads named only on employee rows define the unit's head post.
    for kode, person in heads.items():
        unit = saved[kode]
        if not unit.jabatan_kepala_id:
            unit.jabatan_kepala = jabatan(person.jabatan, person.jenis_jabatan)
            unit._history_user = by
            unit.save()

    by_name = {p.nama: p for p in Pegawai.objects.filter(instansi=instansi, nip__isnull=True)}
    user_model = get_user_model()

    def write_batch(batch: list[_PegawaiRow]) -> None:
        nonlocal written
        nips = [person.nip for person in batch if person.nip]
        existing = {p.nip: p for p in Pegawai.objects.filter(nip__in=nips).select_related("user")}
        for person in batch:
            _write_person(instansi, person, saved, existing, by_name, jabatan, user_model, by, report)
        written += len(batch)
        if progress:
            progress("written", written)

    batch: list[_PegawaiRow] = []
    for line, row in rows:
        if row["tipe"].lower() == "pegawai":
            batch.append(_person_of(line, row, _checked_before))
            if len(batch) == WRITE_BATCH:
                write_batch(batch)
                batch = []
    write_batch(batch)


def _checked_before(line: int, message: str) -> None:
    raise AssertionError(f"row {line} passed the checks but now fails: {message}")


def _write_person(instansi, person, saved, existing, by_name, jabatan, user_model, by, report) -> None:
    unit = saved[person.kode_unit]
    post = unit.jabatan_kepala if person.kepala else jabatan(person.jabatan, person.jenis_jabatan, person.jenjang)
    obj = existing.get(person.nip) if person.nip else by_name.get(person.nama)
    if obj is not None and obj.instansi_id != instansi.pk:
        raise ValidationError(_("NIP %(nip)s belongs to an employee of another government.") % {"nip": person.nip})
    obj = obj or Pegawai(instansi=instansi, nip=person.nip)
    values = {
        "nama": person.nama,
        "status_kepegawaian": person.status,
        "unit": unit,
        "jabatan": post,
        "email": person.email,
        "aktif": person.aktif,
    }
    _save_if_changed(obj, values, by, "pegawai", report)
    if obj.user_id is None and person.nip:
        user, created = user_model.objects.get_or_create(
            username=person.nip, defaults={"email": person.email, "first_name": person.nama[:150]}
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
            report.created["akun"] += 1
        obj.user = user
        obj._history_user = by
        obj.save(update_fields=["user"])
