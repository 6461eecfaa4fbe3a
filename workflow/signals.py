"""Signal wiring of the workflow app."""

from django.db.models.signals import post_delete, post_save

from .models import Instansi, Jabatan, JendelaReview, Pegawai, PenugasanPlt, Periode, Unit
from .selectors.org import forget_org_snapshots
from .selectors.period import forget_period_windows


def on_task_saved(sender, instance, created, **kwargs) -> None:
    """A new human task gets its due date and its owner is told."""
    if created and instance.flow_task_type == "HUMAN":
        from .services.deadlines import task_created

        task_created(instance)


def connect() -> None:
    from viewflow.workflow.models import Task

    post_save.connect(on_task_saved, sender=Task, dispatch_uid="kinerja-task-deadline")
    for model in (Instansi, Unit, Jabatan, Pegawai, PenugasanPlt):
        post_save.connect(forget_org_snapshots, sender=model, dispatch_uid=f"forget-org-{model.__name__}-save")
        post_delete.connect(forget_org_snapshots, sender=model, dispatch_uid=f"forget-org-{model.__name__}-del")
    for model in (Periode, JendelaReview):
        post_save.connect(forget_period_windows, sender=model, dispatch_uid=f"forget-win-{model.__name__}-save")
        post_delete.connect(forget_period_windows, sender=model, dispatch_uid=f"forget-win-{model.__name__}-del")
