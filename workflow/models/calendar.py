"""The holiday calendar of each government: the days that are not working days besides Saturday
and Sunday, for deadlines counted in working days (``domain.workdays``)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from project.choice_labels import ChoiceLabels

from .choices import JenisHariLibur
from .org import Instansi


class HariLibur(ChoiceLabels, models.Model):
    """One day off of one government: a national holiday or cuti bersama (loaded from the year's
    file in ``config/hari-libur/``) or a regional holiday its admin adds."""

    instansi = models.ForeignKey(
        Instansi, on_delete=models.PROTECT, related_name="hari_libur_set", verbose_name=_("government (instansi)")
    )
    tanggal = models.DateField(_("date"))
    nama = models.CharField(_("name"), max_length=200)
    jenis = models.CharField(_("kind"), max_length=20, choices=JenisHariLibur.choices)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")
        ordering = ["instansi", "tanggal"]
        constraints = [
            models.UniqueConstraint(
                fields=["instansi", "tanggal"],
                name="hari_libur_unique_date",
                violation_error_message=_("The government's calendar already has a holiday on this date."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tanggal:%d-%m-%Y} {self.nama}"
