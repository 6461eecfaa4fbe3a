"""Filing an appeal (keberatan) against a published result. The appeal's own steps are task pages
(``steps.py``)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.generic import View

from ..forms import TEXT_MAX, AppealFileForm, form_errors
from ..models import AppealProcess, Skp
from ..selectors.calendar import appeal_in_working_days
from ..services.appeal import appeal_deadline, appeal_file, appeal_handler
from ..services.tasks import flow_of


class AppealFileView(View):
    """The employee files a keberatan against their published result."""

    template_name = "workflow/appeal_file.html"

    def get_skp(self, request, skp_pk):
        skp = get_object_or_404(Skp.objects.select_related("pegawai", "periode"), pk=skp_pk)
        if skp.pegawai.user_id != request.user.pk:
            raise PermissionDenied
        return skp

    def render(self, request, skp, **extra):
        hasil = getattr(skp, "hasil", None)
        ctx = {"skp": skp, "hasil": hasil, **extra}
        if hasil is not None and hasil.dipublikasikan:
            ctx["deadline"] = appeal_deadline(skp)
            ctx["working_days"] = appeal_in_working_days(skp)
            ctx["handler"], ctx["routing_note"] = appeal_handler(skp)
        return render(request, self.template_name, ctx)

    def get(self, request, skp_pk):
        return self.render(request, self.get_skp(request, skp_pk))

    def post(self, request, skp_pk):
        skp = self.get_skp(request, skp_pk)
        form = AppealFileForm(request.POST, request.FILES)
        try:
            if not form.is_valid():
                raise ValidationError(form_errors(form))
            keberatan = appeal_file(
                skp=skp, by=request.user, alasan=form.cleaned_data["alasan"], lampiran=form.cleaned_data["lampiran"]
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            return self.render(request, skp, alasan=form.data.get("alasan", "")[:TEXT_MAX])
        messages.success(request, _("Your appeal was filed; the official who decides it has been notified."))
        appeal_flow = flow_of(AppealProcess)
        return HttpResponseRedirect(appeal_flow.instance.reverse("process_detail", args=[keberatan.process_id]))
