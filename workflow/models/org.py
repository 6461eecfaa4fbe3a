"""Organisation directory: governments (instansi), the unit tree, positions, employees, acting
appointments and admin roles. Every model keeps its full history (django-simple-history).

``OrgChart`` (at the end) is the unit tree read as "who stands above whom" on a date: the
employee's validation walks it, and so do the selectors (``selectors.org.OrgSnapshot``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from project.choice_labels import ChoiceLabels

from ..nip import nomor_induk_check, validate_nomor_induk
from .choices import (
    JenisInstansi,
    JenisJabatan,
    JenisPenugasan,
    JenisUnit,
    JenjangFungsional,
    NilaiPerilaku,
    StatusKepegawaian,
)


def default_functional_head_kinds() -> list[str]:
    """Unit kinds whose head post may be functional unless a government says otherwise: a school
    (the Kepala Sekolah is a teacher with an additional duty) and a UPTD (e.g. a Puskesmas led by
    a functional official)."""
    return [JenisUnit.SEKOLAH.value, JenisUnit.UPTD.value]


class Instansi(ChoiceLabels, models.Model):
    """A government (Pemprov Bengkulu, Pemkot Bengkulu, ...). Several share one installation;
    every admin, period and employee belongs to exactly one."""

    kode = models.CharField(_("code"), max_length=20, unique=True)
    nama = models.CharField(_("name"), max_length=200)
    jenis = models.CharField(_("kind"), max_length=20, choices=JenisInstansi.choices)
    plt_boleh_menilai = models.BooleanField(
        _("acting officials may assess"),
        default=True,
        help_text=_("Whether a Plt/Plh may approve SKP and set predikat (policy switch)."),
    )
    unit_kepala_fungsional = models.JSONField(
        _("unit kinds with a functional head post"),
        default=default_functional_head_kinds,
        blank=True,
        help_text=_(
            "Kinds of unit whose head post may be a functional position, such as a school whose head "
            "(Kepala Sekolah) is a teacher with an additional duty. Every other unit needs a structural head post."
        ),
    )
    rhk_atasan_wajib = models.BooleanField(
        _("core RHK must support the assessor's RHK"),
        default=True,
        help_text=_(
            "Whether every core (utama) RHK must name the assessor's RHK it supports. The assessor's "
            "plan must then be approved before their staff can submit theirs."
        ),
    )
    ekspektasi_wajib = models.JSONField(
        _("behaviour expectations required at approval"),
        default=list,
        blank=True,
        help_text=_("The BerAKHLAK values for which the assessor must write an expectation to approve a plan."),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("government (instansi)")
        verbose_name_plural = _("governments (instansi)")
        ordering = ["nama"]

    def __str__(self) -> str:
        return self.nama

    def allows_functional_head(self, jenis_unit: str) -> bool:
        """Whether a unit of kind ``jenis_unit`` may have a functional head post here."""
        return jenis_unit in (self.unit_kepala_fungsional or [])

    def functional_head_kinds_label(self) -> str:
        """The kinds allowed a functional head post, by their labels, for messages."""
        labels = dict(JenisUnit.choices)
        kinds = [str(labels.get(k, k)) for k in self.unit_kepala_fungsional or []]
        return ", ".join(kinds) or "—"

    def clean(self) -> None:
        values = self.ekspektasi_wajib
        if not isinstance(values, list) or any(v not in NilaiPerilaku.values for v in values):
            raise ValidationError({"ekspektasi_wajib": _("Choose among the seven BerAKHLAK values.")})
        kinds = self.unit_kepala_fungsional
        if not isinstance(kinds, list) or any(k not in JenisUnit.values for k in kinds):
            raise ValidationError(
                {
                    "unit_kepala_fungsional": _("Choose unit kinds from the list: %(codes)s.")
                    % {"codes": ", ".join(JenisUnit.values)}
                }
            )
        if self.pk:
            stranded = (
                Unit.objects.filter(instansi=self, jabatan_kepala__jenis=JenisJabatan.FUNGSIONAL)
                .exclude(jenis__in=kinds)
                .order_by("kode")
                .first()
            )
            if stranded is not None:
                raise ValidationError(
                    {
                        "unit_kepala_fungsional": _(
                            "Unit %(unit)s (%(kind)s) has the functional head post %(post)s: give it a structural "
                            "head post first, or keep its kind in the list."
                        )
                        % {
                            "unit": stranded.nama,
                            "kind": stranded.get_jenis_display(),
                            "post": stranded.jabatan_kepala.nama,
                        }
                    }
                )


class Jabatan(ChoiceLabels, models.Model):
    """A position title. Structural posts (kepala daerah down to pengawas) are the head post of
    exactly one unit; pelaksana and fungsional titles are shared by many employees, except a
    functional head post (Kepala SMA Negeri 1 ...: a teacher with an additional duty), which is
    its unit's own, for the unit kinds the government allows (``Instansi.unit_kepala_fungsional``)."""

    instansi = models.ForeignKey(Instansi, on_delete=models.PROTECT, related_name="jabatan_set")
    nama = models.CharField(_("name"), max_length=255)
    jenis = models.CharField(_("position class"), max_length=20, choices=JenisJabatan.choices)
    jenjang = models.CharField(_("functional level"), max_length=20, choices=JenjangFungsional.choices, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("position (jabatan)")
        verbose_name_plural = _("positions (jabatan)")
        ordering = ["instansi", "nama"]
        constraints = [
            models.UniqueConstraint(fields=["instansi", "nama"], name="jabatan_unique_name"),
        ]

    def __str__(self) -> str:
        return self.nama

    @property
    def is_struktural(self) -> bool:
        return self.jenis in JenisJabatan.struktural()

    def clean(self) -> None:
        if self.jenis == JenisJabatan.FUNGSIONAL and not self.jenjang:
            raise ValidationError({"jenjang": _("A functional position needs a level (jenjang).")})
        if self.jenis != JenisJabatan.FUNGSIONAL and self.jenjang:
            raise ValidationError({"jenjang": _("Only functional positions have a level (jenjang).")})


class Unit(ChoiceLabels, models.Model):
    """A node of the organisation tree: the government itself, an OPD, a bidang/bagian, a
    subbidang/seksi... Its head post decides who assesses the people in it."""

    instansi = models.ForeignKey(Instansi, on_delete=models.PROTECT, related_name="units")
    kode = models.CharField(_("code"), max_length=50)
    nama = models.CharField(_("name"), max_length=255)
    singkatan = models.CharField(_("abbreviation"), max_length=50, blank=True)
    jenis = models.CharField(_("kind"), max_length=20, choices=JenisUnit.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    jabatan_kepala = models.OneToOneField(
        Jabatan,
        verbose_name=_("head post"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="unit_dipimpin",
    )
    aktif = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["instansi", "kode"]
        constraints = [
            models.UniqueConstraint(fields=["instansi", "kode"], name="unit_unique_code"),
        ]

    def __str__(self) -> str:
        return self.nama

    def ancestors(self) -> list[Unit]:
        """Parents from the nearest up to the root (stops at a cycle instead of looping)."""
        chain, seen, node = [], {self.pk}, self.parent
        while node is not None and node.pk not in seen:
            chain.append(node)
            seen.add(node.pk)
            node = node.parent
        return chain

    def head_post_problem(self) -> str | None:
        """Why ``jabatan_kepala`` cannot lead this unit, or None: a structural post always can; a
        functional one only in the unit kinds the government allows, and only as a post of its own."""
        post = self.jabatan_kepala
        if post.is_struktural:
            return None
        if post.jenis != JenisJabatan.FUNGSIONAL or not self.instansi.allows_functional_head(self.jenis):
            return _(
                "The head post of a %(kind)s must be a structural position; a functional head post is allowed "
                "only for: %(kinds)s."
            ) % {"kind": self.get_jenis_display(), "kinds": self.instansi.functional_head_kinds_label()}
        shared = Pegawai.objects.filter(jabatan=post).exclude(unit_id=self.pk).select_related("unit").first()
        if shared is not None:
            return _(
                "%(post)s is also the position of %(name)s in %(unit)s: a functional head post needs a title "
                'of its own, such as "Kepala %(this)s".'
            ) % {"post": post.nama, "name": shared.nama, "unit": shared.unit.nama, "this": self.nama}
        return None

    def clean(self) -> None:
        errors = {}
        if self.parent_id:
            if self.parent.instansi_id != self.instansi_id:
                errors["parent"] = _("The parent unit belongs to another government.")
            elif self.pk and self.parent_id == self.pk:
                errors["parent"] = _("A unit cannot be its own parent.")
            else:
                node, seen = self.parent, set()
                while node is not None:
                    if node.pk == self.pk and self.pk is not None:
                        errors["parent"] = _("The supervisor chain forms a cycle: %(unit)s would sit below itself.") % {
                            "unit": self.nama
                        }
                        break
                    if node.pk in seen:
                        break
                    seen.add(node.pk)
                    node = node.parent
        if self.jabatan_kepala_id:
            if self.jabatan_kepala.instansi_id != self.instansi_id:
                errors["jabatan_kepala"] = _("The head post belongs to another government.")
            else:
                problem = self.head_post_problem()
                if problem:
                    errors["jabatan_kepala"] = problem
        elif self.jenis in JenisUnit.needs_head_post() and self.pk and self.pegawai_set.filter(aktif=True).exists():
            errors["jabatan_kepala"] = _(
                "%(unit)s is a school with teachers: it needs a head post (Kepala Sekolah), who assesses them."
            ) % {"unit": self.nama}
        if errors:
            raise ValidationError(errors)


class Pegawai(ChoiceLabels, models.Model):
    """An employee (ASN: PNS or PPPK), or a state official such as the Governor who assesses but
    is not assessed."""

    instansi = models.ForeignKey(Instansi, on_delete=models.PROTECT, related_name="pegawai_set")
    # A PNS's NIP or a PPPK's NI PPPK; which one the status needs is checked in ``clean``.
    nip = models.CharField(
        _("NIP / NI PPPK"), max_length=18, unique=True, null=True, blank=True, validators=[validate_nomor_induk]
    )
    nama = models.CharField(_("full name with titles"), max_length=255)
    status_kepegawaian = models.CharField(_("employment status"), max_length=20, choices=StatusKepegawaian.choices)
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="pegawai_set")
    jabatan = models.ForeignKey(
        Jabatan, verbose_name=_("position"), on_delete=models.PROTECT, related_name="pegawai_set"
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="pegawai",
    )
    email = models.EmailField(_("email"), blank=True)
    aktif = models.BooleanField(_("active"), default=True)
    penilai_override = models.ForeignKey(
        "self",
        verbose_name=_("assessor (explicit override)"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Leave empty to derive the assessor from the unit tree."),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("employee (pegawai)")
        verbose_name_plural = _("employees (pegawai)")
        ordering = ["instansi", "nama"]
        indexes = [models.Index(fields=["unit", "jabatan"])]

    def __str__(self) -> str:
        return f"{self.nama} ({self.nip})" if self.nip else self.nama

    @property
    def is_kepala_unit(self) -> bool:
        """Holds the head post of their own unit (definitively, not as Plt/Plh)."""
        return self.unit.jabatan_kepala_id is not None and self.unit.jabatan_kepala_id == self.jabatan_id

    def clean_fields(self, exclude=None) -> None:
        # The number is checked against the status in ``clean``: the field's own validator, which
        # accepts either format, would report the same problem a second time.
        super().clean_fields(exclude={*(exclude or ()), "nip"})

    def clean(self) -> None:
        errors = {}
        if not self.nip:
            self.nip = None
        if self.nip is None:
            if self.status_kepegawaian == StatusKepegawaian.PNS:
                errors["nip"] = _("A PNS needs a NIP.")
            elif self.status_kepegawaian == StatusKepegawaian.PPPK:
                errors["nip"] = _("A PPPK needs an NI PPPK.")
        else:
            try:
                self.nip = nomor_induk_check(self.nip, self.status_kepegawaian).value
            except ValidationError as exc:
                errors["nip"] = exc.messages
        if self.unit_id and self.unit.instansi_id != self.instansi_id:
            errors["unit"] = _("The unit belongs to another government.")
        if self.jabatan_id and self.jabatan.instansi_id != self.instansi_id:
            errors["jabatan"] = _("The position belongs to another government.")
        if (
            self.aktif
            and self.unit_id
            and self.unit.jenis in JenisUnit.needs_head_post()
            and not self.unit.jabatan_kepala_id
        ):
            errors["unit"] = _(
                "%(unit)s is a school without a head post (Kepala Sekolah): set the unit's head post before "
                "attaching teachers, or nobody would assess them."
            ) % {"unit": self.unit.nama}
        if self.penilai_override_id:
            if self.pk and self.penilai_override_id == self.pk:
                errors["penilai_override"] = _("An employee cannot be their own assessor.")
            elif self.penilai_override.instansi_id != self.instansi_id:
                errors["penilai_override"] = _("The assessor belongs to another government.")
            elif self.pk and OrgChart.load(self.instansi_id).assessor_chain_has_cycle(self):
                errors["penilai_override"] = _(
                    "The supervisor chain forms a cycle: %(name)s would end up assessing themselves."
                ) % {"name": self.nama}
        if self.aktif and self.unit_id and self.jabatan_id and self.is_kepala_unit:
            holder = (
                Pegawai.objects.filter(unit_id=self.unit_id, jabatan_id=self.jabatan_id, aktif=True)
                .exclude(pk=self.pk)
                .first()
            )
            if holder is not None:
                errors["jabatan"] = _("The head post %(post)s is already held by %(name)s.") % {
                    "post": self.jabatan.nama,
                    "name": holder.nama,
                }
        if errors:
            raise ValidationError(errors)


class PenugasanPlt(ChoiceLabels, models.Model):
    """An acting appointment (Plt/Plh) of a person to a head post for a date range, by decree."""

    pegawai = models.ForeignKey(
        Pegawai, verbose_name=_("acting official"), on_delete=models.PROTECT, related_name="penugasan_plt"
    )
    jabatan = models.ForeignKey(Jabatan, verbose_name=_("post"), on_delete=models.PROTECT, related_name="penugasan_plt")
    jenis = models.CharField(_("kind"), max_length=3, choices=JenisPenugasan.choices)
    tanggal_mulai = models.DateField(_("from"))
    tanggal_selesai = models.DateField(_("until"))
    nomor_sk = models.CharField(_("decree number"), max_length=100)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("acting appointment (Plt/Plh)")
        verbose_name_plural = _("acting appointments (Plt/Plh)")
        ordering = ["-tanggal_mulai"]
        constraints = [
            models.CheckConstraint(
                condition=Q(tanggal_selesai__gte=models.F("tanggal_mulai")), name="plt_dates_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_jenis_display()} {self.jabatan} — {self.pegawai.nama}"

    def clean(self) -> None:
        errors = {}
        if self.tanggal_mulai and self.tanggal_selesai and self.tanggal_selesai < self.tanggal_mulai:
            errors["tanggal_selesai"] = _("The end date is before the start date.")
        if self.jabatan_id:
            if not Unit.objects.filter(jabatan_kepala_id=self.jabatan_id).exists():
                errors["jabatan"] = _("An acting appointment must be to the head post of a unit.")
            if self.pegawai_id and self.pegawai.instansi_id != self.jabatan.instansi_id:
                errors["pegawai"] = _("The acting official belongs to another government.")
        if not errors and self.jabatan_id and self.tanggal_mulai and self.tanggal_selesai:
            clash = (
                PenugasanPlt.objects.filter(
                    jabatan_id=self.jabatan_id,
                    tanggal_mulai__lte=self.tanggal_selesai,
                    tanggal_selesai__gte=self.tanggal_mulai,
                )
                .exclude(pk=self.pk)
                .select_related("pegawai")
                .first()
            )
            if clash is not None:
                errors["tanggal_mulai"] = _(
                    "This overlaps the %(kind)s appointment of %(name)s (%(start)s – %(end)s, "
                    "decree %(sk)s) for the same post."
                ) % {
                    "kind": clash.get_jenis_display(),
                    "name": clash.pegawai.nama,
                    "start": clash.tanggal_mulai.strftime("%d-%m-%Y"),
                    "end": clash.tanggal_selesai.strftime("%d-%m-%Y"),
                    "sk": clash.nomor_sk,
                }
        if errors:
            raise ValidationError(errors)


class PeranAdmin(ChoiceLabels, models.Model):
    """Makes a user an admin (BKD/BKPSDM) of one government. Admins see only their own instansi."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="peran_admin")
    instansi = models.ForeignKey(Instansi, on_delete=models.CASCADE, related_name="admin_roles")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("government admin role")
        verbose_name_plural = _("government admin roles")
        constraints = [
            models.UniqueConstraint(fields=["user", "instansi"], name="admin_role_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.instansi}"


@dataclass
class OrgChart:
    """Who stands above whom in one government on one date (shared/domain.md §4): the units, the
    holders of their head posts and the acting officials (Plt/Plh) standing in for them, loaded in a
    few queries. The holder of the head post of the employee's unit assesses its members; a unit
    head is assessed by the head of the parent unit; a post held by nobody passes the duty upwards;
    an explicit per-employee override wins. ``selectors.org.OrgSnapshot`` adds delegations."""

    instansi: Instansi
    on: dt.date
    units: dict[int, Unit] = field(default_factory=dict)
    holders: dict[int, Pegawai] = field(default_factory=dict)  # head jabatan id -> holder
    acting: dict[int, Pegawai] = field(default_factory=dict)  # head jabatan id -> Plt/Plh
    _people: dict[int, Pegawai] = field(default_factory=dict)

    @classmethod
    def load(cls, instansi: Instansi | int, on: dt.date | None = None):
        if not isinstance(instansi, Instansi):
            instansi = Instansi.objects.get(pk=instansi)
        chart = cls(instansi=instansi, on=on or timezone.localdate())
        chart.units = {u.pk: u for u in Unit.objects.filter(instansi=instansi, aktif=True)}
        head_posts = {u.jabatan_kepala_id: u.pk for u in chart.units.values() if u.jabatan_kepala_id}
        holders = Pegawai.objects.filter(instansi=instansi, aktif=True, jabatan_id__in=head_posts)
        for p in holders.select_related("user", "jabatan", "unit"):
            if head_posts[p.jabatan_id] == p.unit_id:
                chart.holders[p.jabatan_id] = p
                chart._people[p.pk] = p
        if instansi.plt_boleh_menilai:
            appointments = PenugasanPlt.objects.filter(
                jabatan_id__in=head_posts,
                tanggal_mulai__lte=chart.on,
                tanggal_selesai__gte=chart.on,
                pegawai__aktif=True,
            ).select_related("pegawai__user", "pegawai__jabatan", "pegawai__unit")
            for a in appointments:
                chart.acting[a.jabatan_id] = a.pegawai
                chart._people[a.pegawai_id] = a.pegawai
        return chart

    def holder_of(self, unit: Unit) -> Pegawai | None:
        """Who acts as head of ``unit`` on the chart's date: an acting official (whose
        appointment means the holder is absent), else the holder, else nobody."""
        if not unit.jabatan_kepala_id:
            return None
        return self.acting.get(unit.jabatan_kepala_id) or self.holders.get(unit.jabatan_kepala_id)

    def units_headed_by(self, pegawai_id: int) -> list[int]:
        """The units ``pegawai_id`` heads on the chart's date (as holder_of says), from an index
        built once per chart: a team page does not walk every unit of the government."""
        index = self.__dict__.get("_headed_by")
        if index is None:
            index = {}
            for unit in self.units.values():
                head = self.holder_of(unit)
                if head is not None:
                    index.setdefault(head.pk, []).append(unit.pk)
            self.__dict__["_headed_by"] = index
        return index.get(pegawai_id, [])

    def children_of(self, unit_ids) -> list[int]:
        """The units right under any of ``unit_ids`` (index built once per chart)."""
        index = self.__dict__.get("_children")
        if index is None:
            index = {}
            for unit in self.units.values():
                index.setdefault(unit.parent_id, []).append(unit.pk)
            self.__dict__["_children"] = index
        return [child for pk in unit_ids for child in index.get(pk, [])]

    def _person(self, pk: int) -> Pegawai | None:
        if pk not in self._people:
            self._people[pk] = Pegawai.objects.filter(pk=pk, aktif=True).first()
        return self._people[pk]

    def officials_above(self, pegawai: Pegawai) -> Iterator[Pegawai]:
        """The officials above ``pegawai``, nearest first: the explicit override, then whoever acts
        as head of each unit up the tree (starting from the parent unit for a unit's own head),
        never ``pegawai`` themself — a post ``pegawai`` holds or stands in for passes upwards."""
        if pegawai.penilai_override_id:
            override = self._person(pegawai.penilai_override_id)
            if override is not None and override.pk != pegawai.pk:
                yield override
        unit = self.units.get(pegawai.unit_id)
        if unit is not None and unit.jabatan_kepala_id and unit.jabatan_kepala_id == pegawai.jabatan_id:
            unit = self.units.get(unit.parent_id) if unit.parent_id else None
        seen: set[int] = set()
        while unit is not None and unit.pk not in seen:
            seen.add(unit.pk)
            head = self.holder_of(unit)
            if head is not None and head.pk != pegawai.pk:
                yield head
            unit = self.units.get(unit.parent_id) if unit.parent_id else None

    def assessor_of(self, pegawai: Pegawai) -> Pegawai | None:
        return next(self.officials_above(pegawai), None)

    def assessor_superior_of(self, pegawai: Pegawai) -> Pegawai | None:
        """The Atasan Pejabat Penilai: the assessor's own assessor — passing over ``pegawai``
        themself (say, standing in for the post above their assessor). At the top of the tree (the
        Governor assesses JPT and has no assessor) the assessor is also the superior."""
        assessor = self.assessor_of(pegawai)
        if assessor is None:
            return None
        return next((p for p in self.officials_above(assessor) if p.pk != pegawai.pk), None) or assessor

    def assessor_chain_has_cycle(self, pegawai: Pegawai) -> bool:
        """True when following assessors upwards from ``pegawai`` (as given: with its unsaved
        override) comes back to ``pegawai``: an override chain such as A → B → A. Use a freshly
        loaded chart: ``pegawai`` replaces its saved row in it."""
        self._people[pegawai.pk] = pegawai
        seen = {pegawai.pk}
        current = self.assessor_of(pegawai)
        while current is not None:
            if current.pk in seen:
                return True
            seen.add(current.pk)
            current = self.assessor_of(current)
        return False
