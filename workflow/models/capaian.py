"""Setting the organisation's achievement (capaian kinerja organisasi): one task per unit per
period for the leader above the unit (``flows.CapaianFlow``). The result itself is
``CapaianOrganisasi`` (``models.appraisal``), which the distribution pattern reads."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords
from viewflow.workflow.models import Process

from .org import Unit
from .period import Periode


class CapaianProcess(Process):
    """The viewflow process of one unit's organisation-achievement task (proxy; the
    ``PenetapanCapaian`` links to it)."""

    # The flow as viewflow stores it in every Process and Task row of this kind (renaming it strands
    # running processes): services resolve the flow through it (``services.tasks.flow_of``).
    FLOW = "workflow/flows.CapaianFlow"

    class Meta:
        proxy = True
        verbose_name = _("organisation-achievement process")
        verbose_name_plural = _("organisation-achievement processes")


class PenetapanCapaian(models.Model):
    """The task of setting one unit's organisation predikat for one period: which unit, which
    period, and the process that carries the task. One per unit per period (a rerun of the start
    skips units that have one)."""

    periode = models.ForeignKey(
        Periode, on_delete=models.PROTECT, related_name="penetapan_capaian_set", verbose_name=_("period")
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="penetapan_capaian_set", verbose_name=_("unit")
    )
    process = models.OneToOneField(
        Process,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="penetapan_capaian",
        verbose_name=_("process"),
    )
    dibuat = models.DateTimeField(_("created"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("organisation-achievement task")
        verbose_name_plural = _("organisation-achievement tasks")
        ordering = ["periode", "unit__kode"]
        constraints = [models.UniqueConstraint(fields=["periode", "unit"], name="penetapan_capaian_one_per_unit")]

    def __str__(self) -> str:
        return _("Organisation achievement %(year)s — %(unit)s") % {"year": self.periode.tahun, "unit": self.unit.nama}
