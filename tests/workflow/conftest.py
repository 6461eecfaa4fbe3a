import datetime as dt

import pytest
import time_machine
from django.contrib.auth import get_user_model

from tests.factories import Org, give_accounts
from workflow.models import PeranAdmin
from workflow.services.period import periode_create
from workflow.services.period_open import period_open
from workflow.services.roles import ensure_admin_group


@pytest.fixture
def rules_pack(db, settings, tmp_path):
    """The shipped default rule pack, loaded and published as `manage.py load_rules` does, with
    the distribution checked per assessor's team and each result published as it is scored
    (``publikasi: langsung``), as before calibration existed: most tests drive one appraisal at a
    time. Calibration is tested with ``shipped_rules_pack`` (the pack exactly as shipped)."""
    from tests.helpers import load_rules_one_by_one

    load_rules_one_by_one(settings.BASE_DIR / "config" / "rules", tmp_path)


@pytest.fixture
def shipped_rules_pack(db, settings):
    """The shipped default rule pack as it is (distribution per OPD, publication after calibration)."""
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


@pytest.fixture
def bkd(org):
    """The BKD admin of the org's government (staff, in the admin group)."""
    admin = get_user_model().objects.create_user("admin.bkd", password="Rahasia-2026!", is_staff=True)
    admin.groups.add(ensure_admin_group())
    PeranAdmin.objects.create(user=admin, instansi=org.instansi)
    return admin


@pytest.fixture
def opened_by_bkd(org, periode, bkd, django_capture_on_commit_callbacks):
    """The period opened on 5 January 2026 by the BKD admin."""
    with (
        time_machine.travel(dt.datetime(2026, 1, 5, tzinfo=dt.UTC), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        job = period_open(periode=periode, by=bkd)
    job.refresh_from_db()
    return job
