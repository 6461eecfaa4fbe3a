"""Every enumerated value of the rules app, in one place."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    RETIRED = "retired", _("Retired")


class HitPolicy(models.TextChoices):
    """How a decision table picks its answer when several rows match."""

    FIRST = "FIRST", _("First matching row")
    UNIQUE = "UNIQUE", _("Exactly one row matches")


class ValueType(models.TextChoices):
    NUMBER = "number", _("Number")
    INTEGER = "integer", _("Integer")
    ENUM = "enum", _("Code list")
    BOOLEAN = "boolean", _("Yes/no")
