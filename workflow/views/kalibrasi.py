"""Calibration pages (kalibrasi): the units waiting for the user's calibration, and one unit's
page — every result, the pattern's bounds against the counts, what breaches, the ratings to
adjust (each with a reason) and publishing the whole unit at once."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import TemplateView, View

from ..models import Periode, Rating, Unit
from ..selectors.kalibrasi import breach_messages, calibration_of, calibrations_for, is_calibrator, may_change
from ..services.kalibrasi import RatingChange, kalibrasi_change, kalibrasi_publish


class KalibrasiListView(TemplateView):
    """The units whose results wait for the user's calibration."""

    template_name = "workflow/kalibrasi_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["rows"] = calibrations_for(self.request.user)
        return ctx


class KalibrasiView(TemplateView):
    """One unit's calibration; only its head (or acting head) and the government's admins."""

    template_name = "workflow/kalibrasi.html"

    def dispatch(self, request, *args, periode_pk, unit_pk, **kwargs):
        self.unit = get_object_or_404(Unit, pk=unit_pk)
        self.periode = get_object_or_404(Periode, pk=periode_pk, instansi_id=self.unit.instansi_id)
        if not is_calibrator(request.user, self.unit):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        view = calibration_of(periode=self.periode, unit=self.unit)
        ctx.update(
            view=view,
            versi=view.kalibrasi.versi if view.kalibrasi else 0,
            rows=[
                (skp, hasil, waiting, waiting and may_change(self.request.user, skp))
                for skp, hasil, waiting in view.rows
            ],
            breaches=breach_messages(view.bounds),
            ratings=Rating.choices,
        )
        return ctx

    def post(self, request, *args, **kwargs):
        try:
            versi = int(request.POST.get("versi", ""))
        except ValueError:
            messages.error(request, _("The page is out of date. Reload it and try again."))
            return HttpResponseRedirect(request.path)
        try:
            if "publikasikan" in request.POST:
                count = kalibrasi_publish(periode=self.periode, unit=self.unit, versi=versi, by=request.user)
                messages.success(request, _("%(count)d results of the unit published.") % {"count": count})
            else:
                changes = []
                for skp, _hasil, waiting in calibration_of(periode=self.periode, unit=self.unit).rows:
                    hk, pr = request.POST.get(f"hk_{skp.pk}"), request.POST.get(f"pr_{skp.pk}")
                    if waiting and hk is not None and pr is not None:
                        reason = request.POST.get(f"alasan_{skp.pk}", "").replace("\x00", "")[:1000]
                        changes.append(RatingChange(skp.pk, hk, pr, reason))
                count = kalibrasi_change(
                    periode=self.periode, unit=self.unit, versi=versi, changes=changes, by=request.user
                )
                messages.success(request, _("%(count)d ratings changed.") % {"count": count})
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        return HttpResponseRedirect(
            reverse("kinerja:kalibrasi", kwargs={"periode_pk": self.periode.pk, "unit_pk": self.unit.pk})
        )


class KalibrasiTaskView(View):
    """The calibration task in the unit head's inbox (``flows.KalibrasiFlow.calibrate``): it opens
    the unit's calibration page, where the publication completes the task."""

    def get(self, request, *args, **kwargs):
        kalibrasi = request.activation.process.tugas_kalibrasi.kalibrasi
        return HttpResponseRedirect(
            reverse("kinerja:kalibrasi", kwargs={"periode_pk": kalibrasi.periode_id, "unit_pk": kalibrasi.unit_id})
        )

    post = get
