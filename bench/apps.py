from django.apps import AppConfig


class BenchConfig(AppConfig):
    """Installed only while a benchmark runs (KINERJA_EXTRA_APPS=bench): holds the baseline flow."""

    name = "bench"
    default_auto_field = "django.db.models.BigAutoField"
