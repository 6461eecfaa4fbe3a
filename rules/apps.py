from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RulesConfig(AppConfig):
    """Scoring rules: versioned decision tables evaluated by durable_rules."""

    name = "rules"
    verbose_name = _("Scoring rules")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from .models import RuleSet, RuleSetVersion
        from .selectors import versions_changed

        for model in (RuleSet, RuleSetVersion):
            post_save.connect(versions_changed, sender=model, dispatch_uid=f"rules-generation-save-{model.__name__}")
            post_delete.connect(versions_changed, sender=model, dispatch_uid=f"rules-generation-del-{model.__name__}")
