"""Django admin for the organisation directory, scoped so a government admin (BKD) sees and edits
only their own instansi. Superusers see everything."""

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import get_fields_from_path
from django.contrib.admin.widgets import AdminDateWidget
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from project.admin_base import ScopedHistoryAdmin

from ..models import (
    CapaianOrganisasi,
    Delegasi,
    Instansi,
    Jabatan,
    JendelaReview,
    JenisUnit,
    NilaiPerilaku,
    Pegawai,
    PenugasanPlt,
    PeranAdmin,
    Periode,
    Unit,
)
from ..selectors.org import admin_instansi_ids
from ..services.mutasi import (
    appointment_date_problem,
    appraisals_follow_move,
    outcome_message,
    pegawai_appointed,
    transfer_date_problem,
)
from ..services.period import periode_windows_generate
from .org_import import OrgImportStatusView, OrgImportView

SCOPED_FK_MODELS = {Instansi: "pk", Unit: "instansi", Jabatan: "instansi", Pegawai: "instansi", Periode: "instansi"}


class InstansiScopedAdmin(ScopedHistoryAdmin):
    """Filters rows and foreign-key choices to the governments the user administers; every page of
    an object of another government answers 404 and every change is audited (``ScopedHistoryAdmin``)."""

    instansi_lookup = "instansi"

    def scope(self, request, queryset, lookup):
        if request.user.is_superuser:
            return queryset
        return queryset.filter(**{f"{lookup}__in": admin_instansi_ids(request.user)})

    def get_queryset(self, request):
        return self.scope(request, super().get_queryset(request), self.instansi_lookup)

    def get_list_filter(self, request):
        """Filters on a relation offer only the values the admin's own rows use (Django's default
        lists every row of the related table: the other governments' names)."""
        return [
            (item, admin.RelatedOnlyFieldListFilter)
            if isinstance(item, str) and get_fields_from_path(self.model, item)[-1].is_relation
            else item
            for item in super().get_list_filter(request)
        ]

    def audit_instansi_id(self, obj) -> int | None:
        if self.instansi_lookup == "pk":
            return obj.pk
        value = obj
        *path, last = self.instansi_lookup.split("__")
        for part in path:
            value = getattr(value, part, None)
        return getattr(value, f"{last}_id", None)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        related = db_field.related_model
        if related in SCOPED_FK_MODELS:
            lookup = SCOPED_FK_MODELS[related]
            kwargs["queryset"] = self.scope(request, related._default_manager.all(), lookup)
        elif related is get_user_model() and not request.user.is_superuser:
            # Accounts of the admin's own people, or accounts nobody holds yet (never an admin's).
            kwargs["queryset"] = related._default_manager.filter(
                Q(pegawai__instansi_id__in=admin_instansi_ids(request.user))
                | Q(pegawai__isnull=True, peran_admin__isnull=True, is_staff=False, is_superuser=False)
            ).distinct()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class InstansiForm(forms.ModelForm):
    """The government's policy switches: the unit kinds that may have a functional head post and
    the required behaviour expectations, as ticks rather than raw JSON."""

    unit_kepala_fungsional = forms.MultipleChoiceField(
        label=Instansi._meta.get_field("unit_kepala_fungsional").verbose_name,
        help_text=Instansi._meta.get_field("unit_kepala_fungsional").help_text,
        choices=JenisUnit.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    ekspektasi_wajib = forms.TypedMultipleChoiceField(
        label=_("Behaviour expectations required at approval"),
        choices=NilaiPerilaku.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "None ticked (the default): the assessor may write an expectation for any value, none is required."
        ),
    )

    class Meta:
        model = Instansi
        fields = [
            "kode",
            "nama",
            "jenis",
            "plt_boleh_menilai",
            "unit_kepala_fungsional",
            "rhk_atasan_wajib",
            "ekspektasi_wajib",
        ]


@admin.register(Instansi)
class InstansiAdmin(InstansiScopedAdmin):
    form = InstansiForm
    instansi_lookup = "pk"
    list_display = ["kode", "nama", "jenis", "plt_boleh_menilai", "rhk_atasan_wajib"]
    search_fields = ["kode", "nama"]


@admin.register(Unit)
class UnitAdmin(InstansiScopedAdmin):
    list_display = ["kode", "nama", "jenis", "parent", "jabatan_kepala", "aktif"]
    list_filter = ["jenis", "aktif", "instansi"]
    search_fields = ["kode", "nama", "singkatan"]
    list_select_related = ["parent", "jabatan_kepala"]
    autocomplete_fields = ["parent", "jabatan_kepala"]


@admin.register(Jabatan)
class JabatanAdmin(InstansiScopedAdmin):
    list_display = ["nama", "jenis", "jenjang", "instansi"]
    list_filter = ["jenis", "jenjang", "instansi"]
    search_fields = ["nama"]


class PegawaiAdminForm(forms.ModelForm):
    """The employee's form with the effective date of a move or an appointment (mutasi): a move to
    another unit or position, or a new employee, changes the appraisals from that date
    (``services.mutasi``, the service the transfer page and the import call too)."""

    tanggal_efektif = forms.DateField(
        label=_("Effective date (TMT)"),
        required=False,
        widget=AdminDateWidget(),
        help_text=_(
            "For a move to another unit or position, or a new employee: the first day in the post "
            "(default: today). A running SKP ends the day before and the next one starts on it."
        ),
    )

    class Meta:
        model = Pegawai
        fields = ["instansi", "nip", "nama", "status_kepegawaian", "unit", "jabatan", "user", "email", "aktif"]
        fields += ["penilai_override"]

    def moved(self) -> bool:
        return self.instance.pk is not None and bool({"unit", "jabatan"} & set(self.changed_data))

    def clean(self):
        data = super().clean()
        tanggal = data.get("tanggal_efektif") or timezone.localdate()
        label = str(self.fields["tanggal_efektif"].label)
        if self.moved():
            problem = transfer_date_problem(pegawai=self.instance, tanggal=tanggal, label=label)
        elif self.instance.pk is None:
            problem = appointment_date_problem(tanggal=tanggal, label=label)
        else:
            problem = None
        if problem:
            self.add_error("tanggal_efektif", problem)
        return data


@admin.register(Pegawai)
class PegawaiAdmin(InstansiScopedAdmin):
    list_display = ["nip", "nama", "status_kepegawaian", "jabatan", "unit", "aktif"]
    list_filter = ["status_kepegawaian", "aktif", "jabatan__jenis", "instansi"]
    search_fields = ["nip", "nama", "email"]
    list_select_related = ["jabatan", "unit"]
    autocomplete_fields = ["unit", "jabatan", "penilai_override", "user"]
    change_list_template = "admin/workflow/pegawai/change_list.html"
    readonly_fields = ["keadaan"]

    @admin.display(description=_("leaves and suspensions (who gets an SKP)"))
    def keadaan(self, obj):
        """The employee's statuses, each linked to its own page (where they are recorded)."""
        rows = obj.keadaan_set.order_by("-tanggal_mulai") if obj.pk else []
        links = format_html_join(
            mark_safe("<br>"),
            '<a href="{}">{} ({}){}</a>',
            (
                (
                    reverse("admin:workflow_keadaanpegawai_change", args=[k.pk]),
                    k.get_jenis_display(),
                    k.rentang,
                    f", SK {k.nomor_sk}" if k.nomor_sk else "",
                )
                for k in rows
            ),
        )
        return links or "—"

    form = PegawaiAdminForm

    def save_model(self, request, obj, form, change):
        moved = form.moved()
        super().save_model(request, obj, form, change)
        tanggal = form.cleaned_data.get("tanggal_efektif") or timezone.localdate()
        if moved:
            outcome = appraisals_follow_move(pegawai=obj, tanggal=tanggal, by=request.user)
        elif not change:
            outcome = pegawai_appointed(pegawai=obj, tanggal=tanggal, by=request.user)
        else:
            return
        if message := outcome_message(outcome):
            self.message_user(request, message)

    def get_urls(self):
        view = self.admin_site.admin_view(OrgImportView.as_view(model_admin=self))
        status = self.admin_site.admin_view(OrgImportStatusView.as_view(model_admin=self))
        return [
            path("impor/", view, name="workflow_pegawai_import"),
            path("impor/<int:job_pk>/", status, name="workflow_pegawai_import_status"),
            *super().get_urls(),
        ]


@admin.register(PenugasanPlt)
class PenugasanPltAdmin(InstansiScopedAdmin):
    instansi_lookup = "jabatan__instansi"
    list_display = ["jabatan", "pegawai", "jenis", "tanggal_mulai", "tanggal_selesai", "nomor_sk"]
    list_filter = ["jenis"]
    search_fields = ["nomor_sk", "pegawai__nama", "jabatan__nama"]
    autocomplete_fields = ["pegawai", "jabatan"]


class JendelaReviewInline(admin.TabularInline):
    model = JendelaReview
    extra = 0


@admin.register(Periode)
class PeriodeAdmin(InstansiScopedAdmin):
    list_display = ["tahun", "instansi", "granularitas", "status", "tanggal_mulai", "tanggal_selesai"]
    list_filter = ["status", "granularitas"]
    inlines = [JendelaReviewInline]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not obj.jendela_set.exists():
            periode_windows_generate(periode=obj)


@admin.register(PeranAdmin)
class PeranAdminAdmin(InstansiScopedAdmin):
    list_display = ["user", "instansi"]
    autocomplete_fields = ["user"]


@admin.register(CapaianOrganisasi)
class CapaianOrganisasiAdmin(InstansiScopedAdmin):
    """The unit's predikat kinerja organisasi, which selects its distribution pattern."""

    instansi_lookup = "unit__instansi"
    list_display = ["unit", "periode", "predikat", "ditetapkan_oleh", "ditetapkan"]
    list_filter = ["predikat", "periode__tahun"]
    autocomplete_fields = ["unit"]
    readonly_fields = ["ditetapkan_oleh", "ditetapkan"]

    def save_model(self, request, obj, form, change):
        # The admin's entry (a correction) names the admin as who set it, and when; the history and
        # the audit event (``admin.changed``) keep the earlier value.
        if not change or form.has_changed():
            obj.ditetapkan_oleh, obj.ditetapkan = request.user, timezone.now()
        super().save_model(request, obj, form, change)


@admin.register(Delegasi)
class DelegasiAdmin(InstansiScopedAdmin):
    instansi_lookup = "pemberi__instansi"
    list_display = ["pemberi", "penerima", "mulai", "selesai", "alasan"]
    autocomplete_fields = ["pemberi", "penerima"]
