"""Appeals (keberatan), task deadlines, delegation and in-app notifications."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords
from viewflow.workflow.models import Process, Task

from project.choice_labels import ChoiceLabels

from ..dates import local_date
from ..uploads import NAME_MAX_LENGTH, RandomName, validate_evidence
from .appraisal import Skp
from .choices import Predikat, Rating, StatusKeberatan
from .org import Pegawai


class Keberatan(ChoiceLabels, models.Model):
    """An employee's appeal against a published result (PP 30/2019 art. 59): decided by the
    Atasan Pejabat Penilai, finally. One per appraisal."""

    skp = models.OneToOneField(Skp, on_delete=models.PROTECT, related_name="keberatan", verbose_name=_("appraisal"))
    alasan = models.TextField(_("reasons"))
    lampiran = models.FileField(
        _("attachment"), upload_to=RandomName("keberatan"), blank=True, validators=[validate_evidence]
    )
    lampiran_nama = models.CharField(
        _("attachment file name"),
        max_length=NAME_MAX_LENGTH,
        blank=True,
        help_text=_("The file's original name, shown and used for downloads."),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=StatusKeberatan.choices, default=StatusKeberatan.DIAJUKAN
    )
    diajukan = models.DateTimeField(_("filed at"), auto_now_add=True)
    penanggap = models.ForeignKey(
        Pegawai,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assessor asked to respond"),
    )
    tanggapan_penilai = models.TextField(_("assessor's response"), blank=True)
    pemutus = models.ForeignKey(
        Pegawai, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("deciding official")
    )
    catatan_pemutus = models.CharField(_("routing note"), max_length=255, blank=True)
    predikat_semula = models.CharField(_("predikat before"), max_length=20, choices=Predikat.choices)
    rating_hasil_kerja_baru = models.CharField(
        _("new work-result rating"), max_length=10, choices=Rating.choices, blank=True
    )
    rating_perilaku_baru = models.CharField(
        _("new behaviour rating"), max_length=10, choices=Rating.choices, blank=True
    )
    predikat_baru = models.CharField(_("predikat after"), max_length=20, choices=Predikat.choices, blank=True)
    alasan_keputusan = models.TextField(_("reasons for the decision"), blank=True)
    diputuskan = models.DateTimeField(_("decided at"), null=True, blank=True)
    process = models.OneToOneField(Process, on_delete=models.SET_NULL, null=True, blank=True, related_name="keberatan")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("appeal (keberatan)")
        verbose_name_plural = _("appeals (keberatan)")
        ordering = ["-diajukan"]

    def __str__(self) -> str:
        return _("Appeal — %(skp)s") % {"skp": self.skp}


class AppealProcess(Process):
    """The viewflow process of one appeal (proxy; the appeal links to it)."""

    # The flow as viewflow stores it in every Process and Task row of this kind (renaming it strands
    # running processes): services resolve the flow through it (``services.tasks.flow_of``).
    FLOW = "workflow/flows.AppealFlow"

    class Meta:
        proxy = True
        verbose_name = _("appeal process")
        verbose_name_plural = _("appeal processes")


class TenggatTugas(ChoiceLabels, models.Model):
    """The due date of one human task, with when it was reminded and escalated."""

    task = models.OneToOneField(Task, on_delete=models.CASCADE, related_name="tenggat")
    jatuh_tempo = models.DateTimeField(_("due"), db_index=True)
    # Empty: KINERJA_REMINDER_DAYS calendar days before the due date. Set where the step counts
    # working days (an appeal under ``jenis_hari_keberatan: kerja``), so a reminder is not lost
    # over a long weekend.
    ingatkan_pada = models.DateTimeField(_("remind at"), null=True, blank=True)
    diingatkan = models.DateTimeField(_("reminded at"), null=True, blank=True)
    dieskalasi = models.DateTimeField(_("escalated at"), null=True, blank=True)
    dieskalasi_ke = models.CharField(_("escalated to"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("task deadline")
        verbose_name_plural = _("task deadlines")

    def __str__(self) -> str:
        return f"{self.task_id}: {local_date(self.jatuh_tempo)}"


class Delegasi(ChoiceLabels, models.Model):
    """An assessor's delegation of their appraisal tasks to a named official for a date range."""

    pemberi = models.ForeignKey(
        Pegawai, on_delete=models.PROTECT, related_name="delegasi_diberikan", verbose_name=_("delegating official")
    )
    penerima = models.ForeignKey(
        Pegawai, on_delete=models.PROTECT, related_name="delegasi_diterima", verbose_name=_("delegate")
    )
    mulai = models.DateField(_("from"))
    selesai = models.DateField(_("until"))
    alasan = models.CharField(_("reason"), max_length=255)
    dibuat = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("delegation")
        verbose_name_plural = _("delegations")
        ordering = ["-mulai"]
        constraints = [
            models.CheckConstraint(condition=Q(selesai__gte=models.F("mulai")), name="delegasi_dates_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.pemberi.nama} → {self.penerima.nama} ({self.mulai:%d-%m-%Y}–{self.selesai:%d-%m-%Y})"

    def clean(self) -> None:
        errors = {}
        if self.pemberi_id and self.penerima_id:
            if self.pemberi_id == self.penerima_id:
                errors["penerima"] = _("You cannot delegate to yourself.")
            elif not self.penerima.aktif or not self.penerima.user_id:
                errors["penerima"] = _("The delegate is not an active employee with an account.")
            elif self.penerima.instansi_id != self.pemberi.instansi_id:
                errors["penerima"] = _("The delegate belongs to another government.")
        if self.mulai and self.selesai and self.selesai < self.mulai:
            errors["selesai"] = _("The end date is before the start date.")
        if errors:
            raise ValidationError(errors)


class Notifikasi(ChoiceLabels, models.Model):
    """An in-app notification (the header shows the unread count); e-mail goes out alongside."""

    penerima = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifikasi")
    judul = models.CharField(_("title"), max_length=255)
    isi = models.TextField(_("message"), blank=True)
    tautan = models.CharField(_("link"), max_length=255, blank=True)
    dibuat = models.DateTimeField(_("created"), auto_now_add=True)
    dibaca = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-dibuat"]
        indexes = [models.Index(fields=["penerima", "dibaca"])]

    def __str__(self) -> str:
        return self.judul
