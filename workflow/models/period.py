"""Appraisal periods and their review windows."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from project.choice_labels import ChoiceLabels

from .choices import Granularitas, JenisJendela, StatusPeriode
from .org import Instansi


class Periode(ChoiceLabels, models.Model):
    """One appraisal year of one government: its dates, review granularity and deadlines."""

    instansi = models.ForeignKey(Instansi, on_delete=models.PROTECT, related_name="periode_set")
    tahun = models.PositiveSmallIntegerField(_("year"))
    tanggal_mulai = models.DateField(_("start"))
    tanggal_selesai = models.DateField(_("end"))
    granularitas = models.CharField(
        _("periodic review granularity"),
        max_length=10,
        choices=Granularitas.choices,
        default=Granularitas.SEMESTER,
    )
    batas_rencana = models.DateField(_("plan (SKP) due"))
    status = models.CharField(_("status"), max_length=10, choices=StatusPeriode.choices, default=StatusPeriode.DRAFT)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("period")
        verbose_name_plural = _("periods")
        ordering = ["instansi", "-tahun"]
        constraints = [
            models.UniqueConstraint(fields=["instansi", "tahun"], name="periode_unique_year"),
            models.CheckConstraint(
                condition=Q(tanggal_selesai__gt=models.F("tanggal_mulai")), name="periode_dates_ordered"
            ),
        ]

    def __str__(self) -> str:
        return _("Period %(year)s — %(instansi)s") % {"year": self.tahun, "instansi": self.instansi}

    def clean(self) -> None:
        errors = {}
        if self.tanggal_mulai and self.tanggal_selesai:
            if self.tanggal_selesai <= self.tanggal_mulai:
                errors["tanggal_selesai"] = _("The end date must be after the start date.")
            elif self.batas_rencana and not self.tanggal_mulai <= self.batas_rencana <= self.tanggal_selesai:
                errors["batas_rencana"] = _("The plan deadline must fall inside the period.")
        if errors:
            raise ValidationError(errors)


class JendelaReview(ChoiceLabels, models.Model):
    """A review window: each periodic review of the period's granularity, then the annual one."""

    periode = models.ForeignKey(Periode, on_delete=models.CASCADE, related_name="jendela_set")
    urutan = models.PositiveSmallIntegerField(_("number"))
    jenis = models.CharField(_("kind"), max_length=10, choices=JenisJendela.choices)
    nama = models.CharField(_("name"), max_length=100)
    dibuka = models.DateField(_("opens"))
    ditutup = models.DateField(_("closes"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("review window")
        verbose_name_plural = _("review windows")
        ordering = ["periode", "urutan"]
        constraints = [
            models.UniqueConstraint(fields=["periode", "urutan"], name="jendela_unique_number"),
            models.CheckConstraint(condition=Q(ditutup__gte=models.F("dibuka")), name="jendela_dates_ordered"),
        ]

    def __str__(self) -> str:
        return self.nama

    def clean(self) -> None:
        if self.dibuka and self.ditutup and self.ditutup < self.dibuka:
            raise ValidationError({"ditutup": _("The window closes before it opens.")})


class PembukaanPeriode(ChoiceLabels, models.Model):
    """One run of opening a period (for a whole government or a unit subtree): progress for the
    admin's progress bar. Rerunning is safe: employees who already have an SKP are skipped."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")

    class Jenis(models.TextChoices):
        APPRAISALS = "pegawai", _("Appraisals")
        CAPAIAN = "capaian", _("Organisation-achievement tasks")

    periode = models.ForeignKey(Periode, on_delete=models.CASCADE, related_name="pembukaan_set")
    # What the run creates: one appraisal per employee, or one organisation-achievement task per unit
    # (``services.capaian``).
    jenis = models.CharField(_("creates"), max_length=10, choices=Jenis.choices, default=Jenis.APPRAISALS)
    unit = models.ForeignKey("workflow.Unit", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    dibuka_oleh = models.ForeignKey("auth.User", on_delete=models.SET_NULL, null=True, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(default=0)
    diproses = models.PositiveIntegerField(default=0)
    dibuat = models.PositiveIntegerField(default=0)
    chunks = models.PositiveIntegerField(default=0)
    chunks_selesai = models.PositiveIntegerField(default=0)
    # Numbers of the chunks counted in (each in the transaction of its writes): a chunk delivered
    # again after a worker died between its commit and its acknowledgement counts nothing twice.
    chunks_dihitung = models.JSONField(default=list, blank=True)
    mulai = models.DateTimeField(auto_now_add=True)
    selesai = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("period opening")
        verbose_name_plural = _("period openings")
        ordering = ["-mulai"]

    def __str__(self) -> str:
        return f"{self.periode} ({self.diproses}/{self.total})"

    @property
    def persen(self) -> int:
        return round(100 * self.diproses / self.total) if self.total else 100
