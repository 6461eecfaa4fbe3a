"""Downloads of uploaded files: an RHK's evidence and an appeal's attachment.

The only way to uploaded files (MEDIA_ROOT is never served by URL). Each view checks the viewer may
see the appraisal (or the appeal) through the same selectors as the pages, answers 404 otherwise
(the file's existence is not revealed), and hands the file to django-sendfile2: streamed by the
application, or by nginx (X-Accel-Redirect) / Apache (X-Sendfile) as ``KINERJA_SENDFILE`` chooses.
The download carries the file's original name."""

from __future__ import annotations

from pathlib import PurePath

from django.conf import settings
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.cache import patch_cache_control
from django.views import View
from django_sendfile import sendfile

from ..models import Keberatan, RealisasiRhk
from ..selectors.appraisal import can_view_appeal, can_view_skp


def protected_file_response(request, stored, original_name: str):
    """``stored`` (a FieldFile) as a download named ``original_name``; 404 when there is none."""
    if not stored:
        raise Http404
    response = sendfile(
        request, stored.path, attachment=True, attachment_filename=original_name or PurePath(stored.name).name
    )
    if settings.SENDFILE_BACKEND != "django_sendfile.backends.simple":
        # The proxy sends the body and its length; the file's length announced over an empty body
        # would make a client (or a misconfigured proxy) wait for bytes that never come.
        del response["Content-Length"]
    patch_cache_control(response, private=True)
    return response


class EvidenceFileView(View):
    """The evidence file of one RHK in one review, for whoever may see the appraisal."""

    def get(self, request, pk: int):
        realisasi = get_object_or_404(
            RealisasiRhk.objects.select_related("evaluasi__skp__pegawai", "evaluasi__skp__process"), pk=pk
        )
        if not can_view_skp(request.user, realisasi.evaluasi.skp):
            raise Http404
        return protected_file_response(request, realisasi.bukti_file, realisasi.bukti_nama)


class AppealAttachmentView(View):
    """The attachment of an appeal, for whoever may see the appeal."""

    def get(self, request, pk: int):
        keberatan = get_object_or_404(
            Keberatan.objects.select_related("skp__pegawai", "skp__process", "pemutus", "process"), pk=pk
        )
        if not can_view_appeal(request.user, keberatan):
            raise Http404
        return protected_file_response(request, keberatan.lampiran, keberatan.lampiran_nama)
