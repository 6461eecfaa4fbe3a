"""Django admin for rule sets: read-mostly. Editing happens in the rules editor (menu "Aturan"),
which validates, tests and publishes through the services; here only rule set titles change."""

from django.contrib import admin

from project.admin_base import ScopedHistoryAdmin

from .models import DecisionTable, RuleSet, RuleSetVersion, TableInput, TableOutput, TableRow, TableTestCase


class ReadOnlyAdmin(ScopedHistoryAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RuleSet)
class RuleSetAdmin(ScopedHistoryAdmin):
    list_display = ["key", "title"]
    search_fields = ["key", "title"]
    readonly_fields = ["key"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class TableInline(admin.TabularInline):
    model = DecisionTable
    fields = ["name", "title", "hit_policy"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(RuleSetVersion)
class RuleSetVersionAdmin(ReadOnlyAdmin):
    list_display = ["rule_set", "number", "status", "effective_from", "effective_to", "published_at"]
    list_filter = ["status", "rule_set"]
    inlines = [TableInline]


@admin.register(DecisionTable)
class DecisionTableAdmin(ReadOnlyAdmin):
    list_display = ["name", "version", "hit_policy"]
    list_filter = ["version__rule_set"]


@admin.register(TableRow)
class TableRowAdmin(ReadOnlyAdmin):
    list_display = ["table", "position", "is_default", "conditions", "outputs"]


for model in (TableInput, TableOutput, TableTestCase):
    admin.site.register(model, ReadOnlyAdmin)
