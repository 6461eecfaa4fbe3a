"""API tokens in the Django admin, scoped to the admin's government: read-only (the secret is
never stored, so there is nothing to edit) with a revoke action. Tokens are issued by
``manage.py api_token create``, which prints the secret once."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ..models import ApiToken
from ..services.api_token import api_token_revoke
from .org import InstansiScopedAdmin


@admin.register(ApiToken)
class ApiTokenAdmin(InstansiScopedAdmin):
    list_display = ("nama", "prefix", "instansi", "user", "scopes", "kedaluwarsa", "terakhir_dipakai", "dicabut")
    list_filter = ("instansi",)
    search_fields = ("nama", "prefix", "user__username")
    readonly_fields = [f.name for f in ApiToken._meta.fields if f.name not in ("id", "hash")]
    exclude = ("hash",)
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request, queryset):
        count = 0
        for token in queryset.filter(dicabut__isnull=True):
            api_token_revoke(token=token, by=request.user)
            count += 1
        messages.success(request, ngettext("%(n)d token revoked.", "%(n)d tokens revoked.", count) % {"n": count})
