"""The audit log in the Django admin: read-only, scoped to the admin's own government."""

from django.contrib import admin

from project.admin_base import AuditedAdmin

from ..models import AuditEvent
from ..selectors.org import admin_instansi_ids


@admin.register(AuditEvent)
class AuditEventAdmin(AuditedAdmin):
    list_display = ["seq", "time", "actor_repr", "action", "object_repr", "reason", "ip"]
    list_filter = ["action"]
    search_fields = ["actor_repr", "object_repr", "reason", "request_id"]
    date_hierarchy = "time"
    list_select_related = ["actor", "content_type"]
    readonly_fields = [f.name for f in AuditEvent._meta.fields]
    actions = None

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.filter(instansi_id__in=admin_instansi_ids(request.user))

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
