"""Who gets an SKP (shared/domain.md §3 item 9): an employee on unpaid leave (CLTN), on study leave
(tugas belajar) or suspended is out of service for a date range (``KeadaanPegawai``) and gets no
SKP for it; opening a period records each employee it left out, with the reason
(``PengecualianPembukaan``)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from project.choice_labels import ChoiceLabels

from ..dates import local_date
from .choices import JenisKeadaan
from .org import Pegawai
from .period import PembukaanPeriode


class KeadaanQuerySet(models.QuerySet):
    def covering(self, day: dt.date):
        """The statuses in force on ``day`` (an open end covers every day from the start)."""
        return self.filter(Q(tanggal_selesai__isnull=True) | Q(tanggal_selesai__gte=day), tanggal_mulai__lte=day)

    def overlapping(self, mulai: dt.date, selesai: dt.date | None):
        """The statuses sharing at least one day with ``mulai``..``selesai`` (``None``: open-ended)."""
        qs = self.filter(Q(tanggal_selesai__isnull=True) | Q(tanggal_selesai__gte=mulai))
        return qs if selesai is None else qs.filter(tanggal_mulai__lte=selesai)


class KeadaanPegawai(ChoiceLabels, models.Model):
    """An employee out of service from ``tanggal_mulai`` to ``tanggal_selesai`` (inclusive; empty:
    not known yet), by decree. The employee gets no SKP for these days: a period opened while it is
    in force leaves them out, and they get an SKP from the day after it ends."""

    pegawai = models.ForeignKey(
        Pegawai, verbose_name=_("employee"), on_delete=models.PROTECT, related_name="keadaan_set"
    )
    jenis = models.CharField(_("status"), max_length=30, choices=JenisKeadaan.choices)
    tanggal_mulai = models.DateField(_("from"))
    tanggal_selesai = models.DateField(
        _("until"), null=True, blank=True, help_text=_("The last day of the status; leave empty while not known.")
    )
    nomor_sk = models.CharField(_("decree number"), max_length=100, blank=True)
    keterangan = models.TextField(_("note"), blank=True)
    history = HistoricalRecords()

    objects = KeadaanQuerySet.as_manager()

    class Meta:
        verbose_name = _("employee status (leave, suspension)")
        verbose_name_plural = _("employee statuses (leave, suspension)")
        ordering = ["pegawai", "-tanggal_mulai"]
        constraints = [
            models.CheckConstraint(
                condition=Q(tanggal_selesai__isnull=True) | Q(tanggal_selesai__gte=models.F("tanggal_mulai")),
                name="keadaan_dates_ordered",
            ),
        ]
        indexes = [models.Index(fields=["tanggal_selesai"]), models.Index(fields=["pegawai", "tanggal_mulai"])]

    def __str__(self) -> str:
        return f"{self.get_jenis_display()} — {self.pegawai.nama} ({self.rentang})"

    @property
    def rentang(self) -> str:
        """The dates as the messages and pages print them: ``01-03-2026 – 31-08-2027`` or ``01-03-2026 – …``."""
        until = local_date(self.tanggal_selesai) if self.tanggal_selesai else "…"
        return f"{local_date(self.tanggal_mulai)} – {until}" if self.tanggal_mulai else ""

    def clean(self) -> None:
        """The dates are ordered and the employee has no other status on any of these days (the
        services also refuse a status over the approved months of an SKP)."""
        if self.tanggal_mulai and self.tanggal_selesai and self.tanggal_selesai < self.tanggal_mulai:
            raise ValidationError({"tanggal_selesai": _("The end date is before the start date.")})
        if self.pegawai_id and self.tanggal_mulai:
            clash = (
                KeadaanPegawai.objects.filter(pegawai_id=self.pegawai_id)
                .overlapping(self.tanggal_mulai, self.tanggal_selesai)
                .exclude(pk=self.pk)
                .first()
            )
            if clash is not None:
                raise ValidationError({"tanggal_mulai": overlap_message(clash)})


def overlap_message(clash: KeadaanPegawai) -> str:
    return _("This overlaps the employee's status %(kind)s (%(dates)s).") % {
        "kind": clash.get_jenis_display(),
        "dates": clash.rentang,
    }


class PengecualianPembukaan(ChoiceLabels, models.Model):
    """An employee an opening of a period left out, and why: the status in force on the opening's
    reference date (copied, so the record stands if the status is later changed)."""

    pembukaan = models.ForeignKey(
        PembukaanPeriode, verbose_name=_("period opening"), on_delete=models.CASCADE, related_name="pengecualian_set"
    )
    pegawai = models.ForeignKey(Pegawai, verbose_name=_("employee"), on_delete=models.PROTECT, related_name="+")
    keadaan = models.ForeignKey(
        KeadaanPegawai, verbose_name=_("status"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    jenis = models.CharField(_("reason"), max_length=30, choices=JenisKeadaan.choices)
    tanggal_mulai = models.DateField(_("from"))
    tanggal_selesai = models.DateField(_("until"), null=True, blank=True)
    pada_tanggal = models.DateField(_("on leave on"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("employee left out of a period opening")
        verbose_name_plural = _("employees left out of a period opening")
        ordering = ["pembukaan", "pegawai__nama"]
        constraints = [
            models.UniqueConstraint(fields=["pembukaan", "pegawai"], name="pengecualian_once_per_opening"),
        ]

    def __str__(self) -> str:
        return f"{self.pegawai.nama}: {self.get_jenis_display()}"
