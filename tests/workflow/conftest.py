import datetime as dt

import pytest
import time_machine

from tests.factories import Org, give_accounts
from workflow.services.period import periode_create
from workflow.services.period_open import period_open


@pytest.fixture
def rules_pack(db, settings):
    """The shipped default rule pack, loaded and published as `manage.py load_rules` does."""
    from django.core.management import call_command

    call_command("load_rules", str(settings.BASE_DIR / "config" / "rules"), stdout=__import__("io").StringIO())


@pytest.fixture
def org(db):
    return Org()


@pytest.fixture
def periode(org):
    give_accounts(org.sekda, org.kadis, org.kabid, org.kasi, org.pelaksana, org.fungsional)
    org.gubernur.user = None
    return periode_create(instansi=org.instansi, tahun=2026)


@pytest.fixture
def opened(org, periode, django_capture_on_commit_callbacks):
    with (
        time_machine.travel(dt.datetime(2026, 1, 5, tzinfo=dt.UTC), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        job = period_open(periode=periode, by=None)
    job.refresh_from_db()
    return job
