"""The BKD admin's export of the regional allowance (TPP) per month and OPD, for the payroll:
employee, NIP, window, predikat and TPP percentage, as XLSX or CSV.

``tpp_export_xlsx`` and ``tpp_export_csv`` are self-contained on purpose: a shared export utility
(``workflow/exports.py``) can replace them without touching the page."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from django.http import HttpResponse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from ..forms import TppExportForm
from ..selectors.tpp import TppRow, tpp_rows, window_of_month
from .admin_pages import AdminOnlyMixin

# The payroll reads these columns: fixed Indonesian headers and predikat names, whatever the
# language of the page.
TPP_HEADERS = ("No", "Nama Pegawai", "NIP", "OPD", "Unit Kerja", "Periode Penilaian", "Predikat", "TPP (%)")
PREDIKAT_ID = {
    "sangat_baik": "Sangat Baik",
    "baik": "Baik",
    "butuh_perbaikan": "Butuh Perbaikan",
    "kurang": "Kurang/Misconduct",
    "sangat_kurang": "Sangat Kurang",
}
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _safe(value: str) -> str:
    """A text cell a spreadsheet will not run as a formula."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _cells(number: int, row: TppRow) -> list:
    persen = row.persen.normalize() if isinstance(row.persen, Decimal) else row.persen
    return [
        number,
        _safe(row.nama),
        _safe(row.nip),
        _safe(row.opd),
        _safe(row.unit),
        _safe(row.jendela),
        PREDIKAT_ID.get(row.predikat, row.predikat),
        persen,
    ]


def tpp_export_xlsx(rows: list[TppRow], *, title: str) -> bytes:
    """The rows as one XLSX sheet: NIP as text, the percentage as a number."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    sheet.append(list(TPP_HEADERS))
    for number, row in enumerate(rows, start=1):
        cells = _cells(number, row)
        cells[7] = float(cells[7]) if cells[7] is not None else None
        sheet.append(cells)
        sheet.cell(row=number + 1, column=3).number_format = "@"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def tpp_export_csv(rows: list[TppRow]) -> bytes:
    """The rows as CSV (UTF-8 with a byte-order mark, so spreadsheets read the names right)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(TPP_HEADERS)
    for number, row in enumerate(rows, start=1):
        cells = _cells(number, row)
        cells[7] = "" if cells[7] is None else f"{cells[7]:f}"
        writer.writerow(cells)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


class TppExportView(AdminOnlyMixin, TemplateView):
    """For a BKD admin: the TPP rows of one month and OPD of their own government, as a file."""

    template_name = "workflow/tpp_export.html"

    def get(self, request, *args, **kwargs):
        form = TppExportForm(request.GET or None, user=request.user)
        if not form.is_bound or not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        data = form.cleaned_data
        periode, bulan, opd = data["periode"], data["bulan"], data["opd"]
        if window_of_month(periode=periode, bulan=bulan) is None:
            form.add_error("bulan", _("This month is covered by the annual review: it has no periodic predikat."))
            return self.render_to_response(self.get_context_data(form=form))
        rows = tpp_rows(periode=periode, bulan=bulan, opd=opd)
        code = slugify(opd.kode) if opd is not None else ""
        name = f"tpp-{periode.tahun}-{bulan:02d}" + (f"-{code}" if code else "")
        if data["format"] == "csv":
            response = HttpResponse(tpp_export_csv(rows), content_type="text/csv; charset=utf-8")
            name += ".csv"
        else:
            content = tpp_export_xlsx(rows, title=f"TPP {periode.tahun}-{bulan:02d}")
            response = HttpResponse(content, content_type=XLSX_TYPE)
            name += ".xlsx"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
