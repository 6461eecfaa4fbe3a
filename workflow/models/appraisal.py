"""The appraisal of one employee for one period: the SKP plan, its reviews and the result."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords
from viewflow.workflow.models import Process

from project.choice_labels import ChoiceLabels

from ..uploads import NAME_MAX_LENGTH, RandomName, validate_evidence
from .choices import (
    AspekIki,
    JenisRhk,
    JenjangFungsional,
    NilaiPerilaku,
    Pendekatan,
    Predikat,
    PredikatOrganisasi,
    Rating,
    StatusSkp,
)
from .org import Pegawai, Unit
from .period import JendelaReview, Periode


class Skp(ChoiceLabels, models.Model):
    """Sasaran Kinerja Pegawai: one employee's appraisal for one period. Snapshots of position,
    unit and assessor are taken when it is created, so history survives reorganisations."""

    periode = models.ForeignKey(Periode, on_delete=models.PROTECT, related_name="skp_set", verbose_name=_("period"))
    pegawai = models.ForeignKey(Pegawai, on_delete=models.PROTECT, related_name="skp_set", verbose_name=_("employee"))
    urutan = models.PositiveSmallIntegerField(
        _("sequence"), default=1, help_text=_("A new SKP after a mid-year change of position gets the next number.")
    )
    # The months this SKP covers inside its period (shared/domain.md §3 item 9): the whole period,
    # unless the employee was appointed, came back or was transferred in the middle of it.
    tanggal_mulai = models.DateField(_("covers from"))
    tanggal_selesai = models.DateField(_("covers until"))
    pendekatan = models.CharField(
        _("approach"), max_length=12, choices=Pendekatan.choices, default=Pendekatan.KUANTITATIF
    )
    status = models.CharField(_("status"), max_length=20, choices=StatusSkp.choices, default=StatusSkp.DRAFT)
    jabatan_nama = models.CharField(_("position (snapshot)"), max_length=255)
    jabatan_jenis = models.CharField(_("position class (snapshot)"), max_length=20)
    # the level of a functional position: it selects the credit-point coefficient (angka kredit)
    jabatan_jenjang = models.CharField(
        _("functional level (snapshot)"), max_length=20, choices=JenjangFungsional.choices, blank=True, default=""
    )
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit (snapshot)"))
    unit_nama = models.CharField(_("unit name (snapshot)"), max_length=255)
    penilai = models.ForeignKey(
        Pegawai,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="skp_dinilai",
        verbose_name=_("assessor (snapshot)"),
    )
    penilai_nama = models.CharField(_("assessor name (snapshot)"), max_length=255, blank=True)
    penilai_jabatan = models.CharField(_("assessor position (snapshot)"), max_length=255, blank=True)
    # The assessor's unit when the snapshot was taken: the documents name it and take the
    # organisation's achievement from it, whatever post the assessor holds today.
    penilai_unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assessor unit (snapshot)"),
    )
    penilai_unit_nama = models.CharField(_("assessor unit name (snapshot)"), max_length=255, blank=True)
    atasan_penilai = models.ForeignKey(
        Pegawai,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assessor's superior (snapshot)"),
    )
    atasan_penilai_nama = models.CharField(_("assessor's superior name (snapshot)"), max_length=255, blank=True)
    atasan_penilai_jabatan = models.CharField(_("assessor's superior position (snapshot)"), max_length=255, blank=True)
    catatan_pengembalian = models.TextField(_("return note"), blank=True)
    rating_hasil_kerja_saran = models.CharField(
        _("suggested work-result rating"), max_length=10, choices=Rating.choices, blank=True
    )
    rating_hasil_kerja = models.CharField(_("work-result rating"), max_length=10, choices=Rating.choices, blank=True)
    alasan_hasil_kerja = models.TextField(_("reason for departing from the suggested work-result rating"), blank=True)
    rating_perilaku_saran = models.CharField(
        _("suggested behaviour rating"), max_length=10, choices=Rating.choices, blank=True
    )
    rating_perilaku = models.CharField(_("behaviour rating"), max_length=10, choices=Rating.choices, blank=True)
    alasan_perilaku = models.TextField(_("reason for departing from the suggested behaviour rating"), blank=True)
    process = models.OneToOneField(
        Process, on_delete=models.SET_NULL, null=True, blank=True, related_name="skp", verbose_name=_("process")
    )
    dibuat = models.DateTimeField(_("created"), auto_now_add=True)
    diubah = models.DateTimeField(_("updated"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("SKP (appraisal)")
        verbose_name_plural = _("SKP (appraisals)")
        ordering = ["periode", "pegawai__nama"]
        constraints = [
            models.UniqueConstraint(fields=["periode", "pegawai", "urutan"], name="skp_one_per_employee_period"),
            models.CheckConstraint(
                condition=models.Q(tanggal_selesai__gte=models.F("tanggal_mulai")), name="skp_dates_ordered"
            ),
        ]
        indexes = [models.Index(fields=["periode", "status"]), models.Index(fields=["penilai", "periode"])]
        permissions = [("manage_appraisal", _("Can manage appraisals of their government (assign queued tasks)"))]

    def __str__(self) -> str:
        return _("SKP %(year)s — %(name)s") % {"year": self.periode.tahun, "name": self.pegawai.nama}


class Rhk(ChoiceLabels, models.Model):
    """Rencana Hasil Kerja: one planned result, linked to the assessor's RHK it supports."""

    skp = models.ForeignKey(Skp, on_delete=models.CASCADE, related_name="rhk_set")
    urutan = models.PositiveSmallIntegerField(_("order"), default=1)
    jenis = models.CharField(_("kind"), max_length=10, choices=JenisRhk.choices, default=JenisRhk.UTAMA)
    teks = models.TextField(_("planned result"))
    rhk_atasan = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assessor's RHK supported"),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("planned result (RHK)")
        verbose_name_plural = _("planned results (RHK)")
        ordering = ["skp_id", "urutan", "pk"]

    def __str__(self) -> str:
        return self.teks[:80]


class Iki(ChoiceLabels, models.Model):
    """Indikator Kinerja Individu: how an RHK is measured, with its target."""

    rhk = models.ForeignKey(Rhk, on_delete=models.CASCADE, related_name="iki_set")
    urutan = models.PositiveSmallIntegerField(_("order"), default=1)
    aspek = models.CharField(_("aspect"), max_length=10, choices=AspekIki.choices, default=AspekIki.KUANTITAS)
    indikator = models.TextField(_("indicator"))
    target_angka = models.DecimalField(_("numeric target"), max_digits=14, decimal_places=2, null=True, blank=True)
    satuan = models.CharField(_("unit of measure"), max_length=50, blank=True)
    target_kualitatif = models.TextField(_("qualitative target"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("indicator (IKI)")
        verbose_name_plural = _("indicators (IKI)")
        ordering = ["rhk_id", "urutan", "pk"]

    def __str__(self) -> str:
        return self.indikator[:80]

    @property
    def target_teks(self) -> str:
        if self.target_angka is not None:
            return f"{self.target_angka.normalize():f} {self.satuan}".strip()
        return self.target_kualitatif


class EkspektasiPerilaku(ChoiceLabels, models.Model):
    """The assessor's specific expectation for one BerAKHLAK value, written at plan approval."""

    skp = models.ForeignKey(Skp, on_delete=models.CASCADE, related_name="ekspektasi_set")
    nilai = models.CharField(_("core value"), max_length=30, choices=NilaiPerilaku.choices)
    ekspektasi = models.TextField(_("expectation"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("behaviour expectation")
        verbose_name_plural = _("behaviour expectations")
        constraints = [models.UniqueConstraint(fields=["skp", "nilai"], name="ekspektasi_one_per_value")]

    def __str__(self) -> str:
        return f"{self.get_nilai_display()}: {self.ekspektasi[:60]}"


class Evaluasi(ChoiceLabels, models.Model):
    """One review of an SKP in one window: periodic (interim ratings) or annual (final ratings)."""

    skp = models.ForeignKey(Skp, on_delete=models.CASCADE, related_name="evaluasi_set")
    jendela = models.ForeignKey(JendelaReview, on_delete=models.PROTECT, related_name="+", verbose_name=_("window"))
    catatan_pegawai = models.TextField(_("employee's notes"), blank=True)
    penilai = models.ForeignKey(Pegawai, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    penilai_nama = models.CharField(_("assessor name (snapshot)"), max_length=255, blank=True)
    unit_nama = models.CharField(_("unit name (snapshot)"), max_length=255, blank=True)
    jabatan_nama = models.CharField(_("position (snapshot)"), max_length=255, blank=True)
    diajukan = models.DateTimeField(_("self-review submitted"), null=True, blank=True)
    dinilai = models.DateTimeField(_("reviewed"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["skp_id", "jendela__urutan", "pk"]
        constraints = [models.UniqueConstraint(fields=["skp", "jendela"], name="evaluasi_one_per_window")]

    def __str__(self) -> str:
        return f"{self.jendela.nama} — {self.skp.pegawai.nama}"


class RealisasiRhk(ChoiceLabels, models.Model):
    """What was achieved on one RHK in one review, the evidence, and the assessor's response."""

    evaluasi = models.ForeignKey(Evaluasi, on_delete=models.CASCADE, related_name="realisasi_set")
    rhk = models.ForeignKey(Rhk, on_delete=models.CASCADE, related_name="realisasi_set")
    realisasi = models.TextField(_("achievement"), blank=True)
    bukti_file = models.FileField(
        _("evidence file"), upload_to=RandomName("bukti"), blank=True, validators=[validate_evidence]
    )
    bukti_nama = models.CharField(
        _("evidence file name"),
        max_length=NAME_MAX_LENGTH,
        blank=True,
        help_text=_("The file's original name, shown and used for downloads."),
    )
    bukti_tautan = models.URLField(_("evidence link"), blank=True)
    umpan_balik = models.TextField(_("feedback"), blank=True)
    rating = models.CharField(_("rating"), max_length=10, choices=Rating.choices, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("achievement (realisasi)")
        verbose_name_plural = _("achievements (realisasi)")
        ordering = ["evaluasi_id", "rhk__urutan", "rhk_id"]
        constraints = [models.UniqueConstraint(fields=["evaluasi", "rhk"], name="realisasi_one_per_rhk")]

    def __str__(self) -> str:
        return f"{self.rhk} — {self.realisasi[:60]}"


class RealisasiIki(ChoiceLabels, models.Model):
    """What was achieved on one indicator in one review: a number where the target is numeric
    (with the achievement against the target, computed when saved), a text otherwise. The
    narrative, the evidence and the assessor's rating stay on the RHK (``RealisasiRhk``)."""

    evaluasi = models.ForeignKey(Evaluasi, on_delete=models.CASCADE, related_name="realisasi_iki_set")
    iki = models.ForeignKey(Iki, on_delete=models.CASCADE, related_name="realisasi_set")
    nilai_angka = models.DecimalField(_("numeric achievement"), max_digits=14, decimal_places=2, null=True, blank=True)
    nilai_teks = models.TextField(_("achievement (text)"), blank=True)
    capaian = models.DecimalField(
        _("achievement against the target (%)"), max_digits=20, decimal_places=2, null=True, blank=True
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("achievement per indicator")
        verbose_name_plural = _("achievements per indicator")
        ordering = ["evaluasi_id", "iki__rhk__urutan", "iki__urutan", "iki_id"]
        constraints = [models.UniqueConstraint(fields=["evaluasi", "iki"], name="realisasi_iki_one_per_iki")]

    def __str__(self) -> str:
        return f"{self.iki}: {self.nilai_teks_atau_angka}"

    @property
    def nilai_teks_atau_angka(self) -> str:
        if self.nilai_angka is not None:
            return f"{self.nilai_angka.normalize():f} {self.iki.satuan}".strip()
        return self.nilai_teks


class UmpanBalikPerilaku(ChoiceLabels, models.Model):
    """The assessor's feedback and rating on one BerAKHLAK value in one review."""

    evaluasi = models.ForeignKey(Evaluasi, on_delete=models.CASCADE, related_name="perilaku_set")
    nilai = models.CharField(_("core value"), max_length=30, choices=NilaiPerilaku.choices)
    umpan_balik = models.TextField(_("feedback"), blank=True)
    rating = models.CharField(_("rating"), max_length=10, choices=Rating.choices, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("behaviour feedback")
        verbose_name_plural = _("behaviour feedback")
        constraints = [models.UniqueConstraint(fields=["evaluasi", "nilai"], name="perilaku_one_per_value")]

    def __str__(self) -> str:
        return f"{self.get_nilai_display()}: {self.get_rating_display()}"


class HasilPenilaian(ChoiceLabels, models.Model):
    """The annual result: predikat, the rule version that produced it and the trace that explains it."""

    skp = models.OneToOneField(Skp, on_delete=models.CASCADE, related_name="hasil")
    rating_hasil_kerja = models.CharField(_("work-result rating"), max_length=10, choices=Rating.choices)
    rating_perilaku = models.CharField(_("behaviour rating"), max_length=10, choices=Rating.choices)
    predikat = models.CharField(_("predikat"), max_length=20, choices=Predikat.choices)
    rule_set = models.CharField(_("rule set"), max_length=100)
    rule_version = models.CharField(_("rule version"), max_length=50)
    trace = models.JSONField(_("rule trace"), default=list)
    fakta = models.JSONField(_("facts evaluated"), default=dict)
    peringatan_distribusi = models.TextField(_("distribution warning"), blank=True)
    dihitung = models.DateTimeField(_("scored at"), auto_now_add=True)
    dipublikasikan = models.DateTimeField(_("published at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("appraisal result")
        verbose_name_plural = _("appraisal results")

    def __str__(self) -> str:
        return f"{self.skp}: {self.get_predikat_display()}"


class HasilPeriodik(ChoiceLabels, models.Model):
    """The result of one periodic review (monthly, quarterly or semester window): the two ratings
    (suggested by the rules from the interim ratings, or the assessor's with a reason), the
    predikat of the window and the TPP percentage it gives, with the rule version and the trace
    that explain them. The regional allowance (TPP) is paid monthly from it."""

    evaluasi = models.OneToOneField(Evaluasi, on_delete=models.CASCADE, related_name="hasil_periodik")
    rating_hasil_kerja_saran = models.CharField(
        _("suggested work-result rating"), max_length=10, choices=Rating.choices, blank=True
    )
    rating_hasil_kerja = models.CharField(_("work-result rating"), max_length=10, choices=Rating.choices)
    alasan_hasil_kerja = models.TextField(_("reason for departing from the suggested work-result rating"), blank=True)
    rating_perilaku_saran = models.CharField(
        _("suggested behaviour rating"), max_length=10, choices=Rating.choices, blank=True
    )
    rating_perilaku = models.CharField(_("behaviour rating"), max_length=10, choices=Rating.choices)
    alasan_perilaku = models.TextField(_("reason for departing from the suggested behaviour rating"), blank=True)
    predikat = models.CharField(_("predikat"), max_length=20, choices=Predikat.choices)
    tpp_persen = models.DecimalField(_("TPP percentage"), max_digits=7, decimal_places=2, null=True, blank=True)
    rule_set = models.CharField(_("rule set"), max_length=100)
    rule_version = models.CharField(_("rule version"), max_length=50)
    trace = models.JSONField(_("rule trace"), default=list)
    fakta = models.JSONField(_("facts evaluated"), default=dict)
    dihitung = models.DateTimeField(_("scored at"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("periodic result")
        verbose_name_plural = _("periodic results")

    def __str__(self) -> str:
        return f"{self.evaluasi}: {self.get_predikat_display()}"


class AppraisalProcess(Process):
    """The viewflow process of one appraisal (proxy; the SKP links to it)."""

    # The flow as viewflow stores it in every Process and Task row of this kind (renaming it strands
    # running processes): services resolve the flow through it (``services.tasks.flow_of``).
    FLOW = "workflow/flows.AppraisalFlow"

    class Meta:
        proxy = True
        verbose_name = _("appraisal process")
        verbose_name_plural = _("appraisal processes")


class CapaianOrganisasi(ChoiceLabels, models.Model):
    """The predikat kinerja organisasi of a unit for a period, set by the leader above it; it
    selects the distribution pattern its employees' predikat are checked against."""

    periode = models.ForeignKey(Periode, on_delete=models.CASCADE, related_name="capaian_set")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="capaian_set")
    predikat = models.CharField(_("organisation predikat"), max_length=20, choices=PredikatOrganisasi.choices)
    # Who set it and when: the leader above the unit through the task (``services.capaian``), or an
    # admin's correction in the Django admin. The history keeps every earlier value.
    catatan = models.TextField(
        _("notes and evidence"), blank=True, help_text=_("The achievement indicators the predikat rests on.")
    )
    ditetapkan_oleh = models.ForeignKey(
        "auth.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("set by")
    )
    ditetapkan = models.DateTimeField(_("set at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("organisation achievement")
        verbose_name_plural = _("organisation achievements")
        constraints = [models.UniqueConstraint(fields=["periode", "unit"], name="capaian_one_per_unit")]

    def __str__(self) -> str:
        return f"{self.unit} {self.periode.tahun}: {self.get_predikat_display()}"

    def clean(self) -> None:
        if self.unit_id and self.periode_id and self.unit.instansi_id != self.periode.instansi_id:
            raise ValidationError({"unit": _("The unit belongs to another government.")})
