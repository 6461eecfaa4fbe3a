"""The bases of every model admin of the product (``workflow``, ``rules`` and Django's users and
groups): one place that makes each object page go through the admin's own queryset and that
reports each change for the audit log.

- ``ObjectScopeMixin``: the change, delete and history pages of an object outside
  ``get_queryset`` (another government's, for a government admin) answer 404. Django's own answer
  is a redirect to the index, and simple-history's history pages did not look at the queryset at
  all.
- ``ScopedHistoryAdmin``: simple-history's history list and history form ("revert") go through
  the same check; saving a history form needs the change permission, like the change form.
  Revert is kept as a feature: it is the change form prefilled with an old version, validated,
  permission-checked and audited like any change.
- ``AuditedChangesMixin``: every add, change (change form, history form, list editing, inlines)
  and deletion (delete page, bulk "delete selected") sends ``admin_changed`` inside the
  transaction of the change, with the acting user and the values before and after. The workflow
  app records it as an audit event (``rules`` never imports ``workflow``, so the admin signals
  instead of writing the event itself).
"""

from __future__ import annotations

from django import http
from django.contrib import admin
from django.contrib.admin.options import TO_FIELD_VAR
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models.fields.files import FieldFile
from django.dispatch import Signal
from simple_history.admin import SimpleHistoryAdmin

# Sent inside the transaction of a change made through the Django admin, with keyword arguments:
#   action     "added", "changed" or "deleted"
#   obj        the object (for a deletion: as it was, before it was deleted)
#   by         the acting user
#   before     dict of field values before the change (empty for an addition; only the changed
#              fields for a change)
#   after      dict of field values after the change (empty for a deletion)
#   instansi_id  the government the object belongs to, when the admin knows it (else None)
admin_changed = Signal()

ADDED, CHANGED, DELETED = "added", "changed", "deleted"
# Never copied into the audit log.
SECRET_FIELDS = frozenset({"password"})


class ObjectScopeMixin:
    """Every page of one object answers 404 unless the object is in ``get_queryset``."""

    def require_visible(self, request, object_id):
        to_field = request.POST.get(TO_FIELD_VAR, request.GET.get(TO_FIELD_VAR))
        if to_field and not self.to_field_allowed(request, to_field):
            return  # Django's own view refuses it (DisallowedModelAdminToField)
        if self.get_object(request, unquote(object_id), to_field) is None:
            raise http.Http404

    def change_view(self, request, object_id, form_url="", extra_context=None):
        self.require_visible(request, object_id)
        return super().change_view(request, object_id, form_url, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        self.require_visible(request, object_id)
        return super().delete_view(request, object_id, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        self.require_visible(request, object_id)
        return super().history_view(request, object_id, extra_context)


def field_values(obj) -> dict:
    """The object's stored values for the audit log: concrete fields by attribute name (foreign
    keys as ids, files as names), many-to-many fields as sorted id lists; never a password."""
    values = {}
    for field in obj._meta.concrete_fields:
        if field.name in SECRET_FIELDS:
            continue
        value = field.value_from_object(obj)
        values[field.attname] = value.name if isinstance(value, FieldFile) else value
    if obj.pk is not None:
        for field in obj._meta.many_to_many:
            values[field.name] = sorted(getattr(obj, field.name).values_list("pk", flat=True))
    return values


def changed_values(before: dict, after: dict) -> tuple[dict, dict]:
    keys = [k for k in after if before.get(k) != after[k]]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


class AuditedChangesMixin:
    """Sends ``admin_changed`` for every add, change and deletion made through this admin."""

    def audit_instansi_id(self, obj) -> int | None:
        """The government ``obj`` belongs to, if this admin knows (see ``InstansiScopedAdmin``)."""
        return None

    def send_admin_changed(self, request, action, obj, before, after) -> None:
        admin_changed.send(
            sender=type(obj),
            action=action,
            obj=obj,
            by=request.user,
            before=before,
            after=after,
            instansi_id=self.audit_instansi_id(obj),
        )

    def stored_values(self, obj) -> dict:
        """The values of ``obj`` as stored now (not as an unsaved form has changed them)."""
        stored = type(obj)._default_manager.filter(pk=obj.pk).first() if obj.pk is not None else None
        return field_values(stored) if stored is not None else {}

    def save_model(self, request, obj, form, change):
        before = self.stored_values(obj) if change else {}
        super().save_model(request, obj, form, change)
        after = field_values(obj)
        # Many-to-many values are written after save_model (form.save_m2m): take what will be written.
        for field in obj._meta.many_to_many:
            if field.name in form.cleaned_data:
                after[field.name] = sorted(o.pk for o in form.cleaned_data[field.name])
        if change:
            before, after = changed_values(before, after)
            if not after:
                return
        self.send_admin_changed(request, CHANGED if change else ADDED, obj, before, after)

    def save_formset(self, request, form, formset, change):
        """Inline objects: each added, changed or deleted one is reported like a main object."""
        instances = [f.instance for f in formset.initial_forms if f.instance.pk is not None]
        model = formset.model
        stored = {o.pk: field_values(o) for o in model._default_manager.filter(pk__in=[i.pk for i in instances])}
        super().save_formset(request, form, formset, change)
        for obj in formset.new_objects:
            self.send_admin_changed(request, ADDED, obj, {}, field_values(obj))
        for obj, _fields in formset.changed_objects:
            before, after = changed_values(stored.get(obj.pk, {}), field_values(obj))
            if after:
                self.send_admin_changed(request, CHANGED, obj, before, after)
        for obj in formset.deleted_objects:
            self.send_admin_changed(request, DELETED, obj, stored.get(obj.pk, field_values(obj)), {})

    def delete_model(self, request, obj):
        with transaction.atomic():
            self.send_admin_changed(request, DELETED, obj, field_values(obj), {})
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for obj in queryset:
                self.send_admin_changed(request, DELETED, obj, field_values(obj), {})
            super().delete_queryset(request, queryset)


class AuditedAdmin(ObjectScopeMixin, AuditedChangesMixin, admin.ModelAdmin):
    """The base of a model admin without history."""


class ScopedHistoryAdmin(ObjectScopeMixin, AuditedChangesMixin, SimpleHistoryAdmin):
    """The base of a model admin with history: the history pages are scoped like the others."""

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self.require_visible(request, object_id)
        if request.method == "POST":
            obj = self.get_object(request, unquote(object_id))
            if self.revert_disabled(request, obj) or not self.has_change_permission(request, obj):
                raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        # simple-history falls back to the newest history row of a deleted object: only users who
        # see every object (superusers) get that far.
        if not request.user.is_superuser:
            self.require_visible(request, object_id)
        return SimpleHistoryAdmin.history_view(self, request, object_id, extra_context)
