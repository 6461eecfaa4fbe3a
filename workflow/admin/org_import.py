"""The organisation import pages inside the Django admin: the upload, and the progress of the
import it starts in the background."""

from functools import partial

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from ..forms import OrgImportForm
from ..models import ImporOrganisasi
from ..selectors.org import admin_instansi_ids
from ..services.org_import_job import job_report, org_import_queue
from ..tasks import org_import_job


class OrgImportView(View):
    model_admin = None
    template_name = "admin/workflow/pegawai/import.html"

    def dispatch(self, request, *args, **kwargs):
        if not (
            request.user.is_superuser
            or (admin_instansi_ids(request.user) and self.model_admin.has_add_permission(request))
        ):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def render(self, request, form, **extra):
        context = {
            **self.model_admin.admin_site.each_context(request),
            "opts": self.model_admin.model._meta,
            "title": _("Import organisation"),
            "form": form,
            **extra,
        }
        return TemplateResponse(request, self.template_name, context)

    def get(self, request):
        jobs = (
            ImporOrganisasi.objects.filter(instansi_id__in=admin_instansi_ids(request.user))
            .select_related("instansi")
            .defer("berkas")[:5]
        )
        return self.render(request, OrgImportForm(user=request.user), jobs=jobs)

    def post(self, request):
        form = OrgImportForm(request.POST, request.FILES, user=request.user)
        if not form.is_valid():
            return self.render(request, form)
        upload = form.cleaned_data["file"]
        job = org_import_queue(
            instansi=form.cleaned_data["instansi"],
            filename=upload.name,
            data=upload.read(),
            dry_run=form.cleaned_data["dry_run"],
            by=request.user,
        )
        # Without a broker the task runs here, before the redirect; with one, a worker picks it up.
        transaction.on_commit(partial(org_import_job.delay, job.pk))
        return HttpResponseRedirect(reverse("admin:workflow_pegawai_import_status", args=[job.pk]))


class OrgImportStatusView(OrgImportView):
    """Progress and outcome of one import job, for admins of its government only."""

    template_name = "admin/workflow/pegawai/import_status.html"

    def get(self, request, job_pk):
        job = get_object_or_404(
            ImporOrganisasi.objects.select_related("instansi").defer("berkas"),
            pk=job_pk,
            instansi_id__in=admin_instansi_ids(request.user),
        )
        context = {
            **self.model_admin.admin_site.each_context(request),
            "opts": self.model_admin.model._meta,
            "title": _("Import organisation"),
            "job": job,
            "report": job_report(job),
        }
        return TemplateResponse(request, self.template_name, context)

    def post(self, request, job_pk):
        return self.http_method_not_allowed(request)
