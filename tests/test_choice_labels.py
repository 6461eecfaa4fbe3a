"""Every model of the product shows a choice field's label as Django would (``ChoiceLabels``),
in Indonesian and in English, and every model with a choice field uses it."""

import pytest
from django.apps import apps
from django.db import models
from django.utils import translation

from project.choice_labels import ChoiceLabels


def product_models():
    return [
        m
        for m in apps.get_models()
        if m._meta.app_label in ("workflow", "rules") and not m.__name__.startswith("Historical")
    ]


def choice_fields(model):
    """The choice fields the product declares (not those of viewflow's process and task)."""
    return [f for f in model._meta.concrete_fields if f.choices and f.model._meta.app_label in ("workflow", "rules")]


def test_every_product_model_with_a_choice_field_reads_labels_from_the_table():
    missing = [m.__name__ for m in product_models() if choice_fields(m) and not issubclass(m, ChoiceLabels)]
    assert missing == []


@pytest.mark.parametrize("language", ["id", "en"])
def test_the_labels_are_the_ones_django_would_show(language):
    checked = 0
    with translation.override(language):
        for model in product_models():
            for field in choice_fields(model):
                for value in [v for v, _label in field.flatchoices] + ["no-such-choice"]:
                    obj = model()
                    setattr(obj, field.attname, value)
                    shown = getattr(obj, f"get_{field.name}_display")()
                    assert shown == models.Model._get_FIELD_display(obj, field), (model.__name__, field.name, value)
                    checked += 1
    assert checked > 100
