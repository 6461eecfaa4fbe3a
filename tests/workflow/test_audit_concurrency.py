"""Events appended by several processes at once still form one unbroken chain (PostgreSQL)."""

import multiprocessing as mp

import pytest
from django.db import connections

from tests.factories import InstansiFactory
from workflow.models import AuditAction, AuditEvent, Instansi
from workflow.services.audit import audit_record, audit_verify

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _append(instansi_id, n, barrier):
    connections.close_all()  # a forked child must not reuse the parent's connection
    from django.db import transaction

    instansi = Instansi.objects.get(pk=instansi_id)
    barrier.wait()
    for i in range(n):
        with transaction.atomic():
            audit_record(action=AuditAction.PERIOD_CREATED, obj=instansi, after={"i": i})
    connections.close_all()


def test_concurrent_appends_keep_one_chain():
    instansi = InstansiFactory()
    ctx = mp.get_context("fork")
    barrier = ctx.Barrier(4)
    connections.close_all()
    workers = [ctx.Process(target=_append, args=(instansi.pk, 15, barrier)) for _ in range(4)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(120)
    assert all(w.exitcode == 0 for w in workers)
    assert AuditEvent.objects.count() == 60
    assert audit_verify() == (60, None)
