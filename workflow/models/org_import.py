"""A background import of the organisation file: the upload, its progress and its outcome."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from project.choice_labels import ChoiceLabels

from .org import Instansi


class ImporOrganisasi(ChoiceLabels, models.Model):
    """One upload of an organisation file, imported by a Celery task (in-process without a broker)
    so the admin watches its progress instead of waiting on a request. The file is kept in the
    database (web and workers share nothing else) only until the job ends. An operational record,
    like a task result: it keeps no history of its own; what the import changes is audited."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        VALIDATING = "validating", _("Checking rows")
        WRITING = "writing", _("Writing")
        DONE = "done", _("Done")
        FAILED = "failed", _("Refused")

    instansi = models.ForeignKey(Instansi, on_delete=models.CASCADE, related_name="+")
    diimpor_oleh = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    nama_berkas = models.CharField(_("file name"), max_length=255)
    berkas = models.BinaryField(editable=False, default=bytes)
    uji_coba = models.BooleanField(_("dry run"), default=False)
    bahasa = models.CharField(max_length=10, default="id")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    divalidasi = models.PositiveIntegerField(_("rows checked"), default=0)
    total = models.PositiveIntegerField(_("rows to write"), default=0)
    ditulis = models.PositiveIntegerField(_("rows written"), default=0)
    galat = models.JSONField(_("problems"), default=list, blank=True)
    jumlah_galat = models.PositiveIntegerField(default=0)
    hasil = models.JSONField(_("result"), default=dict, blank=True)
    mulai = models.DateTimeField(auto_now_add=True)
    selesai = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("organisation import")
        verbose_name_plural = _("organisation imports")
        ordering = ["-mulai", "-pk"]

    def __str__(self) -> str:
        return f"{self.nama_berkas} ({self.get_status_display()})"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def persen(self) -> int | None:
        """Share written, once writing has started (checking has no known total: the file streams)."""
        if self.status == self.Status.DONE:
            return 100
        if self.status == self.Status.WRITING and self.total:
            return min(100, round(100 * self.ditulis / self.total))
        return None
