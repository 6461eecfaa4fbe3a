"""Documents: the PDF downloads of an appraisal, the admins' ZIP packages and the public
verification page.

A download checks the viewer may see the appraisal (the appeal decision: the appeal) through the
same selectors as the pages and answers 404 otherwise; the document is issued (or the stored one
reused) by ``services.dokumen.dokumen_issue`` and sent like any protected file. The verification
page needs no login and says only what the paper already says, with the PDF's SHA-256 and whether
the document is still current; lookups are rate-limited per client address."""

from __future__ import annotations

import re

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView

from ..domain.dokumen import clean_kode
from ..forms import DokumenPaketForm
from ..models import JenisDokumen, Skp
from ..pdf import PdfUnavailable
from ..selectors.appraisal import can_view_appeal, can_view_skp
from ..selectors.dokumen import DocumentUnavailable, document_available, documents_available, packages_of, verify
from ..selectors.org import admin_instansi_ids
from ..services.audit import current_request_meta
from ..services.dokumen import dokumen_issue, paket_queue
from .admin_pages import AdminOnlyMixin
from .files import protected_file_response


def document_links(user, skp: Skp, reviews=None) -> list[dict]:
    """The documents of ``skp`` the user may download, with their addresses (for the appraisal
    page; the caller has checked the user may see the appraisal). ``reviews``: see
    ``documents_available``."""
    links = []
    for item in documents_available(skp, reviews):
        if item.jenis == JenisDokumen.KEPUTUSAN_KEBERATAN and not can_view_appeal(user, skp.keberatan):
            continue
        args = [skp.pk, item.jenis] + ([item.evaluasi_id] if item.evaluasi_id else [])
        links.append({"label": item.label, "url": reverse("kinerja:dokumen", args=args), "jenis": item.jenis})
    return links


class DokumenView(View):
    """One document of an appraisal as a PDF, for whoever may see the appraisal (the appeal
    decision: whoever may see the appeal); 404 for anyone else and for a document the appraisal
    does not have (yet)."""

    def get(self, request, skp_pk: int, jenis: str, evaluasi_pk: int | None = None):
        skp = get_object_or_404(
            Skp.objects.select_related(
                "pegawai__instansi", "pegawai__jabatan", "periode", "penilai__unit", "process", "hasil", "keberatan"
            ),
            pk=skp_pk,
        )
        if jenis not in JenisDokumen.values:
            raise Http404
        if jenis == JenisDokumen.KEPUTUSAN_KEBERATAN:
            keberatan = getattr(skp, "keberatan", None)
            allowed = keberatan is not None and can_view_appeal(request.user, keberatan)
        else:
            allowed = can_view_skp(request.user, skp)
        if not allowed or document_available(skp, jenis, evaluasi_pk) is None:
            raise Http404
        try:
            doc = dokumen_issue(skp=skp, jenis=jenis, evaluasi_id=evaluasi_pk, by=request.user)
        except DocumentUnavailable:
            raise Http404 from None
        except PdfUnavailable:
            return render(
                request,
                "workflow/dokumen/tidak_tersedia.html",
                {"message": _("Documents cannot be produced on this server at the moment; tell the administrator.")},
                status=503,
            )
        return protected_file_response(request, doc.berkas, doc.nama_berkas)


# --- the public verification page ----------------------------------------------------------------

_KODE = re.compile(r"^[A-Za-z0-9_-]{8,32}$")


def _over_limit(request) -> bool:
    """At most ``KINERJA_VERIFY_PER_MINUTE`` lookups a minute per client address (the cache is per
    process unless a shared one is configured: the limit is then per worker). The address is
    ``workflow.middleware.client_address``'s, which the middleware hands on with the request."""
    limit = settings.KINERJA_VERIFY_PER_MINUTE
    if limit <= 0:
        return False
    key = f"kinerja:verifikasi:{current_request_meta().ip or '-'}"  # the address the audit log sees
    if cache.add(key, 1, timeout=60):
        return False
    try:
        return cache.incr(key) > limit
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=60)
        return False


@method_decorator(login_not_required, name="dispatch")
class VerifikasiView(TemplateView):
    """``/verifikasi/<kode>/`` (and ``/verifikasi/?kode=…`` from the form): what the document with
    this code is, and whether it is current. Unknown codes answer 404 with the same page."""

    template_name = "workflow/dokumen/verifikasi.html"

    def get(self, request, kode: str = ""):
        if _over_limit(request):
            return self.render_to_response({"limited": True}, status=429, headers={"Retry-After": "60"})
        typed = request.GET.get("kode")
        if not kode and typed is not None:
            cleaned = clean_kode(typed)
            if _KODE.match(cleaned):
                return HttpResponseRedirect(reverse("verifikasi", args=[cleaned]))
            return self.render_to_response({"typed": typed[:40], "unknown": True}, status=404)
        if not kode:
            return self.render_to_response({})
        found = verify(kode) if _KODE.match(kode) else None
        if found is None:
            return self.render_to_response({"unknown": True, "typed": kode[:40]}, status=404)
        return self.render_to_response({"v": found, "kode": kode})


# --- the admins' packages ------------------------------------------------------------------------


class PaketView(AdminOnlyMixin, FormView):
    """An admin asks for a ZIP of a period's documents (one OPD or the whole government); it is
    built in the background and the progress page follows it."""

    template_name = "workflow/dokumen/paket.html"

    def get_form(self, form_class=None):
        return DokumenPaketForm(self.request.POST or None, user=self.request.user)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["packages"] = list(packages_of(self.request.user)[:10])
        return ctx

    def form_valid(self, form):
        periode, unit = form.cleaned_data["periode"], form.cleaned_data["unit"]
        try:
            job = paket_queue(periode=periode, unit=unit, jenis=form.cleaned_data["jenis"], by=self.request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
            return self.form_invalid(form)
        return HttpResponseRedirect(reverse("kinerja:dokumen_paket_status", args=[job.pk]))


class PaketStatusView(AdminOnlyMixin, TemplateView):
    template_name = "workflow/dokumen/paket_status.html"

    def get(self, request, *args, pk: int, **kwargs):
        job = get_object_or_404(packages_of(request.user), pk=pk)
        if request.GET.get("format") == "json":
            return JsonResponse(
                {
                    "status": job.status,
                    "total": job.total,
                    "diproses": job.diproses,
                    "dokumen": job.dokumen,
                    "persen": job.persen,
                }
            )
        return self.render_to_response(self.get_context_data(job=job))


class PaketDownloadView(View):
    """The finished ZIP, for the admins of its government only (404 for anyone else)."""

    def get(self, request, pk: int):
        if not admin_instansi_ids(request.user):
            raise Http404
        job = get_object_or_404(packages_of(request.user), pk=pk)
        return protected_file_response(request, job.berkas, job.nama_berkas)
