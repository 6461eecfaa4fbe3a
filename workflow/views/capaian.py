"""The task page of the organisation-achievement flow: the leader above a unit sets its
predikat kinerja organisasi (``services.capaian.capaian_set``), and the process page."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.utils.translation import gettext as _
from django.views.generic import TemplateView
from viewflow.workflow.flow import views

from ..forms import CapaianForm
from ..models import CapaianOrganisasi
from ..selectors.capaian import unit_heads
from ..selectors.org import org_snapshot
from ..services.capaian import capaian_set
from .flow_pages import ProcessPageMixin


def _unit_context(penetapan) -> dict:
    unit = penetapan.unit
    snap = org_snapshot(unit.instansi_id)
    return {
        "penetapan": penetapan,
        "unit": unit,
        "parent": snap.units.get(unit.parent_id) if unit.parent_id else None,
        "heads": unit_heads(snap, unit),
        "capaian": CapaianOrganisasi.objects.filter(periode_id=penetapan.periode_id, unit_id=unit.pk)
        .select_related("ditetapkan_oleh__pegawai")
        .first(),
    }


class CapaianSetView(TemplateView):
    """Tetapkan capaian kinerja organisasi: the predikat and the indicators it rests on. Bad input
    shows the page again with the message and nothing saved."""

    template_name = "workflow/capaian_task.html"

    @property
    def activation(self):
        return self.request.activation

    @property
    def penetapan(self):
        return self.activation.process.penetapan_capaian

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(_unit_context(self.penetapan))
        ctx["task"] = self.activation.task
        if "form" not in ctx:
            current = ctx["capaian"]
            initial = {"predikat": current.predikat, "catatan": current.catatan} if current else {}
            ctx["form"] = CapaianForm(initial=initial)
        return ctx

    def post(self, request, *args, **kwargs):
        form = CapaianForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Please correct the marked fields."))
            return self.render_to_response(self.get_context_data(form=form))
        try:
            capaian_set(
                penetapan=self.penetapan,
                by=request.user,
                predikat=form.cleaned_data["predikat"],
                catatan=form.cleaned_data["catatan"],
                activation=self.activation,
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            return self.render_to_response(self.get_context_data(form=form))
        messages.success(request, _("The organisation's achievement was set."))
        return HttpResponseRedirect(self.activation.flow_task.flow_class.instance.reverse("inbox"))


class CapaianDetailView(ProcessPageMixin, views.DetailProcessView):
    """The process page of one unit's organisation-achievement task: the unit, who set what, when."""

    template_name = "workflow/capaian_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        penetapan = getattr(self.object, "penetapan_capaian", None)
        if penetapan is not None:
            ctx.update(_unit_context(penetapan))
        return ctx
