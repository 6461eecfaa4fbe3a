"""``get_<field>_display()`` without translating every choice on every call.

Django's ``Model._get_FIELD_display`` builds a dict of the field's choices on each call, hashing
each lazily translated label, i.e. translating every label of the field to show one. A list of 50
audit events (about 50 actions) spent 2,600 translations and half the page's time there. Models
that inherit this mixin (before ``models.Model``) read a per-field, per-language table built once
per process; the result is the same string."""

from __future__ import annotations

from django.utils.encoding import force_str
from django.utils.hashable import make_hashable
from django.utils.translation import get_language

_labels: dict[tuple[int, str | None], dict] = {}


def _labels_of(field) -> dict:
    key = (id(field), get_language())
    found = _labels.get(key)
    if found is None:
        found = _labels[key] = {
            make_hashable(value): force_str(label, strings_only=True) for value, label in field.flatchoices
        }
    return found


class ChoiceLabels:
    def _get_FIELD_display(self, field):  # noqa: N802 - Django's name
        value = getattr(self, field.attname)
        return _labels_of(field).get(make_hashable(value), force_str(value, strings_only=True))
