"""The reads every page repeats, sent as SQL text (``project.sql``), answer what their ORM forms
answer: the unread count, a user's admin roles and the audit chain's head — on SQLite and on
PostgreSQL (the suite runs on both)."""

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from project.memo import request_memo
from tests.factories import InstansiFactory
from workflow.models import AuditAction, AuditChainHead, JenisInstansi, Notifikasi, PeranAdmin
from workflow.selectors.aggregates import audit_head
from workflow.selectors.org import admin_instansi_ids
from workflow.services.audit import audit_record
from workflow.services.notify import unread_count

pytestmark = pytest.mark.django_db


def test_the_unread_count_is_the_orms_count(org):
    users = [get_user_model().objects.create_user(f"reader-{n}") for n in range(3)]
    pattern = [(0, False), (0, True), (0, False), (1, True), (2, False), (2, False), (2, False)]
    for who, read in pattern:
        Notifikasi.objects.create(penerima=users[who], judul="x", dibaca=timezone.now() if read else None)
    for user in users:
        expected = Notifikasi.objects.filter(penerima=user, dibaca__isnull=True).count()
        assert unread_count(user) == expected
    assert [unread_count(u) for u in users] == [2, 0, 3]


def test_a_users_admin_roles_are_the_orms(org, bkd):
    other_instansi = InstansiFactory(kode="PEMKOT-BKL", nama="Pemerintah Kota Bengkulu", jenis=JenisInstansi.KOTA)
    PeranAdmin.objects.create(user=bkd, instansi=other_instansi)
    nobody = get_user_model().objects.create_user("no-roles")
    for user in (bkd, nobody):
        with request_memo():
            assert admin_instansi_ids(user) == set(
                PeranAdmin.objects.filter(user=user).values_list("instansi_id", flat=True)
            )
    with request_memo():
        assert admin_instansi_ids(bkd) == {org.instansi.pk, other_instansi.pk}
        assert admin_instansi_ids(nobody) == set()


def test_the_audit_head_is_the_chains_last_number(org, periode, bkd):
    def orm() -> int:
        return AuditChainHead.objects.values_list("seq", flat=True).first() or 0

    with request_memo():
        before = audit_head()
    assert before == orm()
    for _ in range(3):
        audit_record(action=AuditAction.PERIOD_OPENED, obj=periode, by=bkd, before={}, after={})
    with request_memo():
        assert audit_head() == orm() == before + 3


def test_the_inbox_counts_are_the_orms_aggregate(org, opened, bkd):
    """Every employee's open tasks and those overdue, at moments before, between and after the
    tasks' due dates — including a task without a due date and one of a person with none."""
    import datetime as dt

    from django.db.models import Count, Q
    from viewflow.workflow.models import Task
    from viewflow.workflow.status import STATUS

    from workflow.models import TenggatTugas
    from workflow.selectors.inbox import inbox_counts, product_flows

    def orm(user, now):
        return Task.objects.inbox(product_flows(), user).aggregate(
            inbox=Count("pk"), overdue=Count("pk", filter=Q(tenggat__jatuh_tempo__lt=now))
        )

    held = list(Task.objects.filter(status=STATUS.ASSIGNED).exclude(owner=None).order_by("pk"))
    assert len(held) >= 3
    TenggatTugas.objects.filter(task=held[0]).delete()  # a task without a due date
    users = {t.owner for t in held} | {bkd}
    dues = sorted(TenggatTugas.objects.values_list("jatuh_tempo", flat=True))
    moments = [dues[0] - dt.timedelta(days=1), dues[len(dues) // 2], dues[-1] + dt.timedelta(seconds=1)]
    seen = set()
    for now in moments:
        for user in users:
            ours = inbox_counts(user, now)
            assert ours == orm(user, now), (user, now)
            seen.add((ours["inbox"] > 0, ours["overdue"] > 0))
    assert {(True, True), (True, False), (False, False)} <= seen
