"""Issued documents (PDF) of an appraisal and the background jobs that pack them into ZIP files.

Every PDF the product hands out is a ``Dokumen``: stored under the protected media (served only
after a permission check, like evidence files), with the SHA-256 of its bytes and an unguessable
code printed on it (text and QR code) that the public verification page (``/verifikasi/<kode>/``)
looks up. A document is never changed: when what it shows changes (an appeal decided, a plan
re-approved) the next issue is a new document and the old one points to it (``digantikan_oleh``)."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from project.choice_labels import ChoiceLabels

from ..uploads import RandomName
from .appeal import Keberatan
from .appraisal import Evaluasi, Skp
from .org import Unit
from .period import Periode

# 12 random bytes: 16 URL-safe characters, 96 bits — far beyond guessing, short enough to type.
KODE_BYTES = 12
KODE_MAX_LENGTH = 32


def new_kode() -> str:
    return secrets.token_urlsafe(KODE_BYTES)


class JenisDokumen(models.TextChoices):
    """The documents of PermenPANRB 6/2022's annexes the product issues."""

    SKP = "skp", _("Employee Performance Plan (SKP)")
    EVALUASI_PERIODIK = "evaluasi_periodik", _("Periodic performance evaluation")
    EVALUASI_KINERJA = "evaluasi_kinerja", _("Employee Performance Evaluation Document")
    KEPUTUSAN_KEBERATAN = "keputusan_keberatan", _("Appeal decision")


class AlasanPenggantian(models.TextChoices):
    """Why a document is no longer the current one."""

    DIUBAH = "diubah", _("re-issued after the appraisal changed")
    KEBERATAN = "keberatan", _("the appeal decision changed the result")


class Dokumen(ChoiceLabels, models.Model):
    """One issued PDF: what it is, whose appraisal, its hash and stored file, what it showed (the
    facts the verification page repeats) and whether a newer issue replaced it."""

    kode = models.CharField(_("verification code"), max_length=KODE_MAX_LENGTH, unique=True, default=new_kode)
    jenis = models.CharField(_("document type"), max_length=30, choices=JenisDokumen.choices)
    skp = models.ForeignKey(Skp, on_delete=models.PROTECT, related_name="dokumen_set", verbose_name=_("appraisal"))
    evaluasi = models.ForeignKey(
        Evaluasi,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dokumen_set",
        verbose_name=_("review (periodic evaluation)"),
    )
    keberatan = models.ForeignKey(
        Keberatan,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dokumen_set",
        verbose_name=_("appeal"),
    )
    berkas = models.FileField(_("file"), upload_to=RandomName("dokumen"))
    nama_berkas = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(_("SHA-256 of the PDF"), max_length=64, db_index=True)
    ukuran = models.PositiveIntegerField(_("size in bytes"), default=0)
    # The SHA-256 of what the document shows (its data, not its issue date or code): the same
    # fingerprint means the stored document is still right; a different one, that it is outdated.
    sidik_isi = models.CharField(_("content fingerprint"), max_length=64)
    # What the verification page repeats, as printed on the paper (masked NIP: never the full one).
    ringkasan = models.JSONField(_("summary"), default=dict)
    diterbitkan = models.DateTimeField(_("issued at"))
    diterbitkan_oleh = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    digantikan_oleh = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="menggantikan",
        verbose_name=_("superseded by"),
    )
    digantikan = models.DateTimeField(_("superseded at"), null=True, blank=True)
    alasan_penggantian = models.CharField(
        _("why superseded"), max_length=20, choices=AlasanPenggantian.choices, blank=True
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("issued document")
        verbose_name_plural = _("issued documents")
        ordering = ["-diterbitkan", "-pk"]
        indexes = [models.Index(fields=["skp", "jenis", "evaluasi"])]

    def __str__(self) -> str:
        return f"{self.get_jenis_display()} — {self.skp} ({self.kode})"

    @property
    def current(self) -> bool:
        return self.digantikan_oleh_id is None


class PaketDokumen(ChoiceLabels, models.Model):
    """A ZIP of the documents of a period (for one OPD, or the whole government) built in the
    background for an admin. An operational record, like a period opening: progress for the
    progress page, the ZIP under the protected media once done."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    periode = models.ForeignKey(Periode, on_delete=models.CASCADE, related_name="+", verbose_name=_("period"))
    unit = models.ForeignKey(
        Unit, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("OPD")
    )
    jenis = models.CharField(_("documents"), max_length=30, blank=True)  # a JenisDokumen, or "" for all
    dibuat_oleh = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    bahasa = models.CharField(max_length=10, default="id")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(default=0)
    diproses = models.PositiveIntegerField(default=0)
    dokumen = models.PositiveIntegerField(_("documents in the ZIP"), default=0)
    chunks = models.PositiveIntegerField(default=0)
    chunks_selesai = models.PositiveIntegerField(default=0)
    # Numbers of the chunks counted in (as a period opening's): a chunk delivered again counts nothing twice.
    chunks_dihitung = models.JSONField(default=list, blank=True)
    berkas = models.FileField(upload_to=RandomName("paket"), blank=True)
    nama_berkas = models.CharField(max_length=255, blank=True)
    galat = models.TextField(blank=True)
    mulai = models.DateTimeField(auto_now_add=True)
    selesai = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("document package")
        verbose_name_plural = _("document packages")
        ordering = ["-mulai", "-pk"]

    def __str__(self) -> str:
        return f"{self.periode} {self.unit or ''} ({self.diproses}/{self.total})"

    @property
    def persen(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return round(100 * self.diproses / self.total) if self.total else 0

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)
