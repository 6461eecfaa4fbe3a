"""The holiday calendar in the Django admin, scoped to the admin's own government like the
organisation directory: regional holidays are added here, and national ones corrected. Loading a
year's national list is the product page "Hari libur" (``views.admin_pages.HolidaysView``)."""

from django.contrib import admin

from ..models import HariLibur
from .org import InstansiScopedAdmin


@admin.register(HariLibur)
class HariLiburAdmin(InstansiScopedAdmin):
    list_display = ["tanggal", "nama", "jenis", "instansi"]
    list_filter = ["jenis", "instansi"]
    search_fields = ["nama"]
    date_hierarchy = "tanggal"
    change_list_template = "admin/workflow/harilibur/change_list.html"
