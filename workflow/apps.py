from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowConfig(AppConfig):
    """The appraisal lifecycle: organisation directory, periods and (later) the flows."""

    name = "workflow"
    verbose_name = _("Performance appraisal")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # flows: so their permissions exist after migrate; tasks: so the Celery tasks are registered
        # in every process (services enqueue them by name, see services.period_open).
        from . import flows, signals, tasks  # noqa: F401

        signals.connect()
        from project import auth

        auth.connect()
