"""Calibration (kalibrasi) of a unit's results before publication: under the rule pack's
``kebijakan.publikasi: setelah_kalibrasi`` scored results wait (``AppraisalFlow.wait_calibration``)
until the head of the unit at the distribution level (``kebijakan.tingkat_distribusi``) or a BKD
admin has checked them against the distribution pattern, adjusted ratings with a reason, and
published the whole unit at once."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords
from viewflow.workflow.models import Process

from .org import Unit
from .period import Periode


class TingkatDistribusi(models.TextChoices):
    """Where the distribution pattern applies (``kebijakan.tingkat_distribusi``)."""

    TIM_PENILAI = "tim_penilai", _("Assessor's team")
    UNIT_KERJA = "unit_kerja", _("Work unit")
    OPD = "opd", _("Regional agency (OPD)")


class Publikasi(models.TextChoices):
    """When scored results are published (``kebijakan.publikasi``)."""

    LANGSUNG = "langsung", _("One by one, as scored")
    SETELAH_KALIBRASI = "setelah_kalibrasi", _("After the unit's calibration")


class Kalibrasi(models.Model):
    """One unit's calibration in one period: a version counter that every change raises (two
    people calibrating at once never overwrite each other's change unseen), and when and by whom
    the unit was published. Created on first use; a publication releases the results waiting
    then, and results scored later wait for the next one."""

    periode = models.ForeignKey(
        Periode, on_delete=models.PROTECT, related_name="kalibrasi_set", verbose_name=_("period")
    )
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="kalibrasi_set", verbose_name=_("unit"))
    versi = models.PositiveIntegerField(_("version"), default=0)
    dipublikasikan = models.DateTimeField(_("last published at"), null=True, blank=True)
    dipublikasikan_oleh = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("last published by"),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("calibration")
        verbose_name_plural = _("calibrations")
        ordering = ["periode", "unit__kode"]
        constraints = [models.UniqueConstraint(fields=["periode", "unit"], name="kalibrasi_one_per_unit")]

    def __str__(self) -> str:
        return _("Calibration %(year)s — %(unit)s") % {"year": self.periode.tahun, "unit": self.unit.nama}


class KalibrasiProcess(Process):
    """The viewflow process of one calibration task of a unit (proxy; the ``TugasKalibrasi``
    links to it)."""

    # The flow as viewflow stores it in every Process and Task row of this kind (renaming it strands
    # running processes): services resolve the flow through it (``services.tasks.flow_of``).
    FLOW = "workflow/flows.KalibrasiFlow"

    class Meta:
        proxy = True
        verbose_name = _("calibration process")
        verbose_name_plural = _("calibration processes")


class TugasKalibrasi(models.Model):
    """A calibration task of one unit in one period (``flows.KalibrasiFlow``), in the inbox of the
    unit's head: opened when the first scored result of the unit starts waiting for calibration,
    completed by the unit's publication. A result scored after a publication opens the next one,
    so a unit may have several over a period, at most one open at a time (decided under the lock
    of the unit's ``Kalibrasi`` row)."""

    kalibrasi = models.ForeignKey(
        Kalibrasi, on_delete=models.PROTECT, related_name="tugas_set", verbose_name=_("calibration")
    )
    process = models.OneToOneField(
        Process,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tugas_kalibrasi",
        verbose_name=_("process"),
    )
    dibuat = models.DateTimeField(_("created"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("calibration task")
        verbose_name_plural = _("calibration tasks")
        ordering = ["-dibuat"]

    def __str__(self) -> str:
        return str(self.kalibrasi)
