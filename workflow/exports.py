"""Spreadsheet exports: one table spec, written as CSV or XLSX, safe to open in Excel.

The API, for every export of the product (progress per OPD, the team, the results of a period, the
audit log, later the TPP payroll)::

    table = Table(
        title=_("Results"),                          # the sheet's name, and the file name's stem
        columns=[Column(_("Name")), Column(_("NIP"), text=True), Column(_("Scored at"))],
        rows=(
            [s.pegawai.nama, s.pegawai.nip, s.hasil.dihitung] for s in queryset.iterator(chunk_size=2000)
        ),
    )
    return download(table, fmt=request.GET.get("format"), filename="hasil-2026")

- ``rows`` is any iterable of sequences, read once: give a generator over
  ``queryset.iterator()`` with ``select_related`` and the export streams (CSV) or is written to a
  temporary file (XLSX) in bounded memory, with the same number of queries for 5 rows or 16,000.
- Cells are ``str``, ``int``, ``float``, ``Decimal``, ``date``, ``datetime`` (aware: shown in WIB,
  Asia/Jakarta, whatever the server's time zone), ``bool`` or ``None`` (an empty cell). Lazy
  translations are strings.
- Every string cell loses the control characters XLSX cannot hold and goes through
  ``formula_guard`` here, in one place: a text that Excel or
  LibreOffice would read as a formula (it starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
  return, OWASP "CSV injection") is prefixed with a single quote.
- ``Column(text=True)`` (NIP, NI PPPK, account numbers) is always a string cell with the text
  number format ``@`` in XLSX: no lost leading zeros, no ``1.99E+17``.

CSV is UTF-8 with a byte order mark (Excel otherwise reads it as the ANSI code page and garbles
Indonesian names) and separated by ``;``: on Windows with Indonesian regional settings the decimal
separator is the comma and the list separator the semicolon, so Excel splits a ``;`` file into
columns on a double-click while a ``,`` file lands in one column; LibreOffice and Python's ``csv``
read either when told. Fields are quoted when needed (``csv.QUOTE_MINIMAL``).

A CSV cell has no type, and a spreadsheet opening one by double-click turns any run of digits into
a number: an 18-digit NIP becomes 1.99E+17 and loses its last digits. So in a CSV a ``text``
column's 18-digit number (NIP, NI PPPK) is written in its official grouped form, as printed on
every SK — ``19800101 200501 1 001`` (birth date, appointment month, sex, sequence) — which no
spreadsheet reads as a number, and a program gets back by removing the spaces (``csv_nip``). Not
``="…"``: that is a formula, exactly what the guard above refuses to let through (and the ``'`` it
would add shows up in the cell); not a leading tab or an invisible character: the guard treats a
tab as a trigger, and an invisible character would make a copied NIP silently fail to match. The
XLSX keeps the plain 18 digits in a text cell.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.http import FileResponse, Http404, StreamingHttpResponse
from django.utils.text import slugify
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

WIB = ZoneInfo("Asia/Jakarta")
CSV_DELIMITER = ";"
DATETIME_FORMAT = "%d-%m-%Y %H:%M"
DATE_FORMAT = "%d-%m-%Y"
XLSX_DATETIME_FORMAT = "dd-mm-yyyy hh:mm"
XLSX_DATE_FORMAT = "dd-mm-yyyy"
FORMATS = ("xlsx", "csv")
# What makes a spreadsheet read a cell as a formula (OWASP, CSV injection); the quote itself is
# escaped too so that the guard can be undone exactly (``formula_unguard``).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_ESCAPED_STARTS = (*FORMULA_TRIGGERS, "'")
_CSV_ROWS_PER_CHUNK = 500


@dataclass(frozen=True)
class Column:
    """One column: its header (translated) and whether it is text however numeric it looks."""

    label: str
    text: bool = False
    width: int | None = None


@dataclass
class Table:
    """What an export holds: a title (sheet name), the columns and the rows (read once)."""

    title: str
    columns: Sequence[Column]
    rows: Iterable[Sequence] = field(default_factory=list)

    @property
    def headers(self) -> list[str]:
        return [str(c.label) for c in self.columns]


def formula_guard(text: str) -> str:
    """``text`` as a spreadsheet shows it and never runs it: prefixed with ``'`` when it starts with
    a formula trigger (or with ``'``, so that ``formula_unguard`` gives the original back)."""
    return f"'{text}" if text.startswith(_ESCAPED_STARTS) else text


def formula_unguard(text: str) -> str:
    """The inverse of ``formula_guard`` (for tests and imports of our own files)."""
    return text[1:] if text.startswith("'") and text[1:].startswith(_ESCAPED_STARTS) else text


def in_wib(value: dt.datetime) -> dt.datetime:
    """An aware moment as a naive time in WIB (Asia/Jakarta); a naive one is taken as WIB already."""
    return value.astimezone(WIB).replace(tzinfo=None) if value.tzinfo is not None else value


def _cell(value, column: Column):
    """A cell value for XLSX: guarded strings, WIB datetimes, numbers as numbers."""
    if value is None:
        return None
    if column.text:
        return formula_guard(_printable(str(value)))
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float, Decimal)):
        return value
    if isinstance(value, dt.datetime):
        return in_wib(value)
    if isinstance(value, dt.date):
        return value
    return formula_guard(_printable(str(value)))


def _printable(text: str) -> str:
    """Without the control characters an XLSX cannot hold (NUL, vertical tab...), dropped before
    the formula guard looks at the first character; tab, line feed and carriage return stay."""
    return ILLEGAL_CHARACTERS_RE.sub("", text)


def csv_nip(text: str) -> str:
    """An 18-digit NIP or NI PPPK in the grouped form a spreadsheet keeps as text
    (``19800101 200501 1 001``); any other text as it is."""
    if len(text) == 18 and text.isascii() and text.isdigit():
        return f"{text[:8]} {text[8:14]} {text[14]} {text[15:]}"
    return text


def _text(value, column: Column) -> str:
    """A cell value for CSV: everything as text, dates in WIB as dd-mm-yyyy [hh:mm], an 18-digit
    number of a ``text`` column grouped (``csv_nip``)."""
    value = _cell(value, column)
    if value is None:
        return ""
    if column.text:
        return csv_nip(value)
    if isinstance(value, dt.datetime):
        return value.strftime(DATETIME_FORMAT)
    if isinstance(value, dt.date):
        return value.strftime(DATE_FORMAT)
    return str(value)


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_chunks(table: Table) -> Iterator[bytes]:
    """The table as CSV (UTF-8 with BOM, ``;``), in chunks of a few hundred rows."""
    writer = csv.writer(_Echo(), delimiter=CSV_DELIMITER, lineterminator="\r\n")
    columns = list(table.columns)
    yield ("\ufeff" + writer.writerow(formula_guard(h) for h in table.headers)).encode()
    buffer: list[str] = []
    for row in table.rows:
        buffer.append(writer.writerow([_text(v, c) for v, c in zip(row, columns, strict=True)]))
        if len(buffer) >= _CSV_ROWS_PER_CHUNK:
            yield "".join(buffer).encode()
            buffer = []
    if buffer:
        yield "".join(buffer).encode()


def csv_bytes(table: Table) -> bytes:
    return b"".join(csv_chunks(table))


def write_xlsx(table: Table, stream) -> None:
    """Write the table as an XLSX workbook into a binary file-like ``stream``. openpyxl's write-only
    mode keeps one row in memory at a time; string cells are typed as strings (never formulas)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_sheet_title(table.title))
    columns = list(table.columns)
    for index, column in enumerate(columns, start=1):
        width = column.width or max(10, min(50, len(str(column.label)) + 4))
        sheet.column_dimensions[get_column_letter(index)].width = width
    bold = Font(bold=True)
    header = []
    for label in table.headers:
        cell = WriteOnlyCell(sheet, value=formula_guard(label))
        cell.data_type = "s"
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    # One styled cell per typed column (text, datetime, date), reused row after row: a write-only
    # sheet writes each row out as it is appended, and building and styling a fresh cell for
    # every NIP and date was a sixth of the time of a 16,000-row export.
    styled: dict[tuple[int, str], WriteOnlyCell] = {}

    def styled_cell(index: int, kind: str) -> WriteOnlyCell:
        cell = styled.get((index, kind))
        if cell is None:
            cell = styled[(index, kind)] = WriteOnlyCell(sheet)
            cell.number_format = {"text": "@", "datetime": XLSX_DATETIME_FORMAT, "date": XLSX_DATE_FORMAT}[kind]
        return cell

    for row in table.rows:
        cells = []
        for index, (value, column) in enumerate(zip(row, columns, strict=True)):
            # the guard has made sure no string starts with "=", which openpyxl would write as a
            # formula: plain values go in as they are, only typed cells need a styled cell
            value = _cell(value, column)
            if value is not None and (column.text or isinstance(value, dt.date)):
                kind = "text" if column.text else "datetime" if isinstance(value, dt.datetime) else "date"
                cell = styled_cell(index, kind)
                cell.value = value
                if kind == "text":
                    cell.data_type = "s"
                value = cell
            cells.append(value)
        sheet.append(cells)
    workbook.save(stream)


def xlsx_bytes(table: Table) -> bytes:
    stream = io.BytesIO()
    write_xlsx(table, stream)
    return stream.getvalue()


def _sheet_title(title: str) -> str:
    cleaned = "".join(" " if ch in "[]:*?/\\" else ch for ch in str(title)).strip()
    return (cleaned or "Data")[:31]


def export_format(value: str | None) -> str | None:
    """``xlsx`` or ``csv`` from a ``format`` query parameter, else None (show the page)."""
    return value if value in FORMATS else None


def download(table: Table, *, fmt: str, filename: str):
    """The HTTP response that downloads ``table`` as ``fmt`` (``xlsx`` or ``csv``; anything else is
    a 404). CSV streams; XLSX is written to a temporary file first (a zip needs its end)."""
    if fmt not in FORMATS:
        raise Http404
    name = f"{slugify(filename) or 'export'}.{fmt}"
    if fmt == "csv":
        response = StreamingHttpResponse(csv_chunks(table), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    # FileResponse closes the file when the response is sent: no context manager here
    spool = tempfile.SpooledTemporaryFile(max_size=4 * 1024 * 1024)  # noqa: SIM115
    write_xlsx(table, spool)
    spool.seek(0)
    return FileResponse(
        spool,
        as_attachment=True,
        filename=name,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
