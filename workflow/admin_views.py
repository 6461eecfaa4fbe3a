"""The organisation import page inside the Django admin."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from .models import Instansi
from .selectors.org import admin_instansi_ids
from .services.org_import import OrgImportError, org_import, read_rows


class OrgImportForm(forms.Form):
    instansi = forms.ModelChoiceField(queryset=Instansi.objects.none(), label=gettext_lazy("Government"))
    file = forms.FileField(label=gettext_lazy("File (.csv or .xlsx)"))
    dry_run = forms.BooleanField(required=False, label=gettext_lazy("Dry run: check and report, write nothing"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["instansi"].queryset = Instansi.objects.filter(pk__in=admin_instansi_ids(user))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.KINERJA_IMPORT_MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(mb)d MB.") % {"mb": settings.KINERJA_IMPORT_MAX_BYTES // (1024 * 1024)}
            )
        if not upload.name.lower().endswith((".csv", ".xlsx")):
            raise forms.ValidationError(_("Unsupported file type: use .csv or .xlsx."))
        return upload


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
        return self.render(request, OrgImportForm(user=request.user))

    def post(self, request):
        form = OrgImportForm(request.POST, request.FILES, user=request.user)
        if not form.is_valid():
            return self.render(request, form)
        upload = form.cleaned_data["file"]
        try:
            rows = read_rows(upload.read(), upload.name)
            report = org_import(
                instansi=form.cleaned_data["instansi"],
                rows=rows,
                by=request.user,
                dry_run=form.cleaned_data["dry_run"],
            )
        except OrgImportError as exc:
            return self.render(request, form, import_errors=exc.errors)
        messages.success(request, report.summary())
        return self.render(request, OrgImportForm(user=request.user), report=report)
