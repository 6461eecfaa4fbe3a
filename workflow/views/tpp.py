"""The BKD admin's export of the regional allowance (TPP) per month and OPD, for the payroll:
employee, NIP, window, predikat and TPP percentage, as XLSX or CSV through the shared export
utility (``workflow.exports``; the table is ``views.exports.tpp_table``)."""

from __future__ import annotations

from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from ..exports import download
from ..forms import TppExportForm
from ..selectors.tpp import tpp_rows, window_of_month
from .admin_pages import AdminOnlyMixin
from .exports import tpp_table


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
        table = tpp_table(rows=rows, title=f"TPP {periode.tahun}-{bulan:02d}")
        return download(table, fmt=data["format"], filename=name)
