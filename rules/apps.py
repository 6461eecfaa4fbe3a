from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RulesConfig(AppConfig):
    """Scoring rules: versioned decision tables evaluated by durable_rules."""

    name = "rules"
    verbose_name = _("Scoring rules")
    default_auto_field = "django.db.models.BigAutoField"
