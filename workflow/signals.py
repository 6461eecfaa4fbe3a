"""Signal wiring of the workflow app."""

from django.db.models.signals import post_delete, post_save

from .models import Instansi, Jabatan, Pegawai, PenugasanPlt, Unit
from .selectors.org import forget_org_snapshots


def connect() -> None:
    for model in (Instansi, Unit, Jabatan, Pegawai, PenugasanPlt):
        post_save.connect(forget_org_snapshots, sender=model, dispatch_uid=f"forget-org-{model.__name__}-save")
        post_delete.connect(forget_org_snapshots, sender=model, dispatch_uid=f"forget-org-{model.__name__}-del")
