"""Issued documents and the admins' ZIP packages in the Django admin: read-only (a document is
issued by ``services.dokumen``, never typed in), scoped to the admin's own government like the
other admin classes, history pages included (``InstansiScopedAdmin``). The files themselves are
downloaded from the appraisal and package pages, which check who may see them."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from ..models import Dokumen, PaketDokumen
from ..selectors.org import admin_instansi_ids
from .org import InstansiScopedAdmin


class ReadOnlyScopedAdmin(InstansiScopedAdmin):
    """Visible to the admins of a government (their own rows only); nobody adds, changes,
    deletes or reverts one here."""

    actions = None

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser or bool(admin_instansi_ids(request.user))

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields if f.name not in self.exclude_fields]

    exclude_fields: tuple[str, ...] = ()

    def get_exclude(self, request, obj=None):
        return list(self.exclude_fields)


@admin.register(Dokumen)
class DokumenAdmin(ReadOnlyScopedAdmin):
    instansi_lookup = "skp__pegawai__instansi"
    # The stored file's path is not shown: the protected media are served by the download pages.
    exclude_fields = ("berkas",)
    list_display = ["kode", "jenis", "pegawai", "periode", "diterbitkan", "current"]
    list_filter = ["jenis", "alasan_penggantian"]
    search_fields = ["kode", "sha256", "skp__pegawai__nama", "skp__pegawai__nip"]
    list_select_related = ["skp__pegawai", "skp__periode"]
    date_hierarchy = "diterbitkan"

    @admin.display(description=_("employee"), ordering="skp__pegawai__nama")
    def pegawai(self, obj):
        return obj.skp.pegawai

    @admin.display(description=_("period"), ordering="skp__periode__tahun")
    def periode(self, obj):
        return obj.skp.periode

    @admin.display(description=_("current"), boolean=True)
    def current(self, obj):
        return obj.digantikan_oleh_id is None


@admin.register(PaketDokumen)
class PaketDokumenAdmin(ReadOnlyScopedAdmin):
    instansi_lookup = "periode__instansi"
    exclude_fields = ("berkas", "chunks_dihitung")
    list_display = ["pk", "periode", "unit", "jenis", "status", "dokumen", "mulai", "selesai"]
    list_filter = ["status"]
    list_select_related = ["periode", "unit"]
    date_hierarchy = "mulai"

    def history_view(self, request, object_id, extra_context=None):
        # A package keeps no history rows (an operational record): Django's own log page, scoped.
        self.require_visible(request, object_id)
        return admin.ModelAdmin.history_view(self, request, object_id, extra_context)
