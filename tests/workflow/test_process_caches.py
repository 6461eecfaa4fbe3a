"""What a process keeps of the organisation between requests — each account's employee record,
each assessor's team, each government's current period — is dropped by any change of those
records in the process, never kept from inside a transaction, and bounded in size."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from tests.factories import Org, PegawaiFactory, give_accounts
from workflow.cache import ProcessCache
from workflow.models import Periode, StatusPeriode
from workflow.selectors.org import forget_org_snapshots, pegawai_of, team_of
from workflow.selectors.period import current_period, forget_period_windows
from workflow.services.period import periode_create


def reads(call) -> tuple[object, int]:
    with CaptureQueriesContext(connection) as ctx:
        value = call()
    return value, len(ctx.captured_queries)


@pytest.fixture
def org(transactional_db):
    forget_org_snapshots()
    forget_period_windows()
    org = Org()
    give_accounts(org.kasi, org.pelaksana, org.fungsional)
    yield org
    forget_org_snapshots()
    forget_period_windows()


def test_the_employee_record_and_the_team_are_kept_until_a_change(org):
    user = org.pelaksana.user
    me, queries = reads(lambda: pegawai_of(user))
    assert me == org.pelaksana and queries == 1
    assert reads(lambda: pegawai_of(user)) == (me, 0)
    team, _ = reads(lambda: team_of(org.kasi))
    assert org.pelaksana in team
    assert reads(lambda: team_of(org.kasi))[1] == 0

    # a new member of the seksi: its save drops what the process kept
    newcomer = PegawaiFactory(instansi=org.instansi, unit=org.seksi, jabatan=org.pelaksana.jabatan)
    assert newcomer in team_of(org.kasi)
    assert reads(lambda: pegawai_of(user)) == (org.pelaksana, 1)
    # the account is given to someone else: the old holder has no record any more
    org.pelaksana.user = None
    org.pelaksana.save()
    assert pegawai_of(user) is None


def test_nothing_read_inside_a_transaction_is_kept(org):
    user = org.pelaksana.user
    with pytest.raises(RuntimeError), transaction.atomic():
        org.pelaksana.nama = "Nama yang tidak jadi"
        org.pelaksana.save()
        assert pegawai_of(user).nama == "Nama yang tidak jadi"
        assert reads(lambda: pegawai_of(user))[1] == 1  # inside: always from the database
        raise RuntimeError("rolled back")
    assert pegawai_of(user).nama == org.pelaksana.__class__.objects.get(pk=org.pelaksana.pk).nama
    assert pegawai_of(user).nama != "Nama yang tidak jadi"


def test_the_current_period_is_kept_until_a_period_changes(org):
    assert reads(lambda: current_period(org.instansi.pk)) == (None, 2)
    assert reads(lambda: current_period(org.instansi.pk)) == (None, 0)
    periode = periode_create(instansi=org.instansi, tahun=2026)
    assert current_period(org.instansi.pk) == periode
    assert reads(lambda: current_period(org.instansi.pk)) == (periode, 0)
    Periode.objects.filter(pk=periode.pk).update(status=StatusPeriode.CLOSED)  # a bulk update: no signal
    assert current_period(org.instansi.pk).status == periode.status  # kept, at most WINDOWS_TTL
    periode.refresh_from_db()
    periode.save()
    assert current_period(org.instansi.pk).status == StatusPeriode.CLOSED


def test_a_process_cache_stays_within_its_size():
    kept = ProcessCache(60.0, max_items=3)
    loads = []
    for key in range(10):
        kept.get(key, lambda key=key: loads.append(key) or key)
    assert len(kept._items) <= 3
    assert kept.get(9, lambda: "again") == 9  # the newest is still there
    expired = ProcessCache(0.0, max_items=2)
    assert [expired.get("k", lambda n=n: n) for n in (1, 2)] == [1, 2]  # a ttl of 0 keeps nothing
