from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowConfig(AppConfig):
    """The appraisal lifecycle: organisation directory, periods and (later) the flows."""

    name = "workflow"
    verbose_name = _("Performance appraisal")
    default_auto_field = "django.db.models.BigAutoField"
