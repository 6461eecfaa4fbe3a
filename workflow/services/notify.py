"""In-app notifications and e-mail, sent only after the transaction commits."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction

from ..models import Notifikasi


def notify(*, user, judul: str, isi: str = "", tautan: str = "", email: str | None = None) -> None:
    """Record a notification for ``user`` and e-mail it once the current transaction commits."""
    if user is None:
        return
    Notifikasi.objects.create(penerima=user, judul=judul[:255], isi=isi, tautan=tautan[:255])
    # The caller may know the employee's address already (saves looking the employee up).
    email = email or user.email or getattr(getattr(user, "pegawai", None), "email", "")
    if not email:
        return
    body = f"{isi}\n\n{settings.KINERJA_BASE_URL}{tautan}" if tautan else isi

    def send():
        send_mail(judul, body, settings.DEFAULT_FROM_EMAIL, [email], fail_silently=True)

    transaction.on_commit(send)


def unread_count(user) -> int:
    if not user.is_authenticated:
        return 0
    return Notifikasi.objects.filter(penerima=user, dibaca__isnull=True).count()


def process_link(flow_class, process_pk: int | None) -> str:
    """The page of a process, also from code running outside a request (viewflow learns its URL
    namespaces when the URLconf is first loaded)."""
    from django.urls import NoReverseMatch, get_resolver

    if process_pk is None:
        return ""
    get_resolver().url_patterns  # noqa: B018 - imports project.urls
    try:
        return flow_class.instance.reverse("process_detail", args=[process_pk])
    except NoReverseMatch:
        return ""
