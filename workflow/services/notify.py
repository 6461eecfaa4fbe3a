"""In-app notifications and e-mail, sent only after the transaction commits: ``notify`` and the
links it carries, and the notices the steps send (``notify_result_published``)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils.translation import gettext as _

from project.sql import column, rows, table

from ..models import Notifikasi, Skp
from .audit import defer_insert


def notify(*, user, judul: str, isi: str = "", tautan: str = "", email: str | None = None) -> None:
    """Record a notification for ``user`` and e-mail it once the current transaction commits."""
    if user is None:
        return
    row = Notifikasi(penerima=user, judul=judul[:255], isi=isi, tautan=tautan[:255])
    if not defer_insert(row):  # inside a step, written with its history rows (``audit.audit_batch``)
        row.save()
    # The caller may know the employee's address already (saves looking the employee up).
    email = email or user.email or getattr(getattr(user, "pegawai", None), "email", "")
    if not email:
        return
    body = f"{isi}\n\n{settings.KINERJA_BASE_URL}{tautan}" if tautan else isi

    def send():
        send_mail(judul, body, settings.DEFAULT_FROM_EMAIL, [email], fail_silently=True)

    transaction.on_commit(send)


def unread_count(user) -> int:
    """The user's unread notifications (the menu shows the number on every page: ``project.sql``)."""
    if not user.is_authenticated:
        return 0
    n = Notifikasi
    sql = f"SELECT COUNT(*) FROM {table(n)} WHERE {column(n, 'penerima')} = %s AND {column(n, 'dibaca')} IS NULL"  # noqa: S608 - names from the models, values bound
    return rows(sql, [user.pk])[0][0]


def _flow_url(reverse, *args) -> str:
    """A flow URL, also from code running outside a request (Celery, commands): viewflow learns its
    URL namespaces only when the URLconf is first loaded."""
    from django.urls import NoReverseMatch, get_resolver

    get_resolver().url_patterns  # noqa: B018 - imports project.urls
    try:
        return reverse(*args)
    except NoReverseMatch:
        return ""


def process_link(flow_class, process_pk: int | None) -> str:
    """The page of a process."""
    if process_pk is None:
        return ""
    return _flow_url(flow_class.instance.reverse, "process_detail", [process_pk])


def task_link(task) -> str:
    """The page of a task."""
    return _flow_url(task.flow_task.reverse, "index", [task.process_id, task.pk])


def notify_result_published(*, skp: Skp, flow_class) -> None:
    """Tell the employee their result is out (called while publishing, with the SKP at hand;
    ``flow_class``: the appraisal's flow, for the link to its page)."""
    notify(
        user=skp.pegawai.user,
        judul=_("Your %(year)s performance result has been published") % {"year": skp.periode.tahun},
        isi=_("Dear %(name)s,\n\nYour predikat for %(year)s is %(predikat)s. Open Kinerja to read how it was reached.")
        % {"name": skp.pegawai.nama, "year": skp.periode.tahun, "predikat": skp.hasil.get_predikat_display()},
        tautan=process_link(flow_class, skp.process_id),
        email=skp.pegawai.email or None,
    )
