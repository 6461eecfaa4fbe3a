"""Signal wiring of the workflow app."""

from django.db.models.signals import post_delete, post_save

from .models import Instansi, Jabatan, JendelaReview, Pegawai, PenugasanPlt, Periode, Unit
from .selectors.org import forget_org_snapshots
from .selectors.period import forget_period_windows


def connect() -> None:
    for model in (Instansi, Unit, Jabatan, Pegawai, PenugasanPlt):
        post_save.connect(forget_org_snapshots, sender=model, dispatch_uid=f"forget-org-{model.__name__}-save")
        post_delete.connect(forget_org_snapshots, sender=model, dispatch_uid=f"forget-org-{model.__name__}-del")
    for model in (Periode, JendelaReview):
        post_save.connect(forget_period_windows, sender=model, dispatch_uid=f"forget-win-{model.__name__}-save")
        post_delete.connect(forget_period_windows, sender=model, dispatch_uid=f"forget-win-{model.__name__}-del")
