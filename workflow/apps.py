from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowConfig(AppConfig):
    """The appraisal lifecycle: organisation directory, periods and (later) the flows."""

    name = "workflow"
    verbose_name = _("Performance appraisal")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import flows, signals  # noqa: F401 - flows are imported so their permissions exist after migrate

        signals.connect()
