"""Government-wide figures are counted once between two writes: a view after an audited write
sees the change, views in between read the stored figures, and the cache can be switched off."""

from __future__ import annotations

import pytest
from django.db import transaction

from tests.workflow.test_dashboards import spread  # noqa: F401 - the fixture
from workflow.models import AuditAction, Skp, StatusSkp
from workflow.selectors.dashboard import progress_per_opd
from workflow.services.audit import audit_record


def dinkes_steps(periode) -> dict:
    return {r.label: r.per_step for r in progress_per_opd(periode=periode)}["Dinas Kesehatan"]


def test_figures_are_kept_until_the_next_audited_write(org, periode, spread):  # noqa: F811
    before = dinkes_steps(periode)
    assert before[StatusSkp.DRAFT] == 1

    # a change that bypasses the services (no audit event) is not seen: the figures are stored
    Skp.objects.filter(pk=spread["pelaksana"].pk).update(status=StatusSkp.DIAJUKAN)
    assert dinkes_steps(periode) == before

    # any audited write moves the chain's head: the next view counts again
    with transaction.atomic():
        audit_record(action=AuditAction.PERIOD_CREATED, obj=periode, after={"tahun": periode.tahun})
    after = dinkes_steps(periode)
    assert StatusSkp.DRAFT not in after
    assert after[StatusSkp.DIAJUKAN] == 2


def test_without_the_cache_every_view_counts(org, periode, spread, settings):  # noqa: F811
    settings.KINERJA_AGGREGATE_CACHE_SECONDS = 0
    assert dinkes_steps(periode)[StatusSkp.DRAFT] == 1
    Skp.objects.filter(pk=spread["pelaksana"].pk).update(status=StatusSkp.DIAJUKAN)
    assert StatusSkp.DRAFT not in dinkes_steps(periode)


@pytest.mark.parametrize("url", ["/kinerja/", "/kinerja/rekap/"])
def test_the_admin_pages_read_stored_figures_on_the_second_view(client, org, periode, spread, bkd, url):  # noqa: F811
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(bkd)
    with CaptureQueriesContext(connection) as first:
        assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as second:
        assert client.get(url).status_code == 200
    grouped = [q["sql"] for q in first.captured_queries if "GROUP BY" in q["sql"] and "workflow_skp" in q["sql"]]
    assert grouped, "the first view counts the appraisals"
    assert not [q["sql"] for q in second.captured_queries if q["sql"] in grouped]


class _RolledBack(Exception):
    pass


def test_figures_read_inside_a_transaction_are_its_own_and_kept_for_nobody(org, periode, spread):  # noqa: F811
    """A transaction that wrote an audited change and reads the figures sees its own change; if it
    rolls back, the next write takes the same number in the chain, and its figures are counted
    afresh, not the rolled-back transaction's."""
    assert dinkes_steps(periode)[StatusSkp.DRAFT] == 1
    with pytest.raises(_RolledBack), transaction.atomic():
        Skp.objects.filter(pk=spread["pelaksana"].pk).update(status=StatusSkp.DIAJUKAN)
        audit_record(action=AuditAction.PERIOD_CREATED, obj=periode, after={"tahun": periode.tahun})
        inside = dinkes_steps(periode)
        assert inside[StatusSkp.DIAJUKAN] == 2 and StatusSkp.DRAFT not in inside
        raise _RolledBack
    with transaction.atomic():  # the chain's next number again, with nothing changed this time
        audit_record(action=AuditAction.PERIOD_CREATED, obj=periode, after={"tahun": periode.tahun})
    assert dinkes_steps(periode)[StatusSkp.DRAFT] == 1
