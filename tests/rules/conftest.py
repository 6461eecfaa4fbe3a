"""Fixtures of the rules tests: the default pack loaded, rule admins and ordinary users."""

from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User
from django.utils import translation

from rules.loader import load_pack
from rules.spec import TableSpec

PACK = Path(__file__).resolve().parents[2] / "config" / "rules"


@pytest.fixture(autouse=True)
def english_messages():
    """Code-level messages are asserted in English; pages set their own language per request
    (Indonesian by default, which the view tests assert)."""
    with translation.override("en"):
        yield


@pytest.fixture
def pack(db):
    report = load_pack(PACK)
    assert not report.errors, report.errors
    return report


@pytest.fixture
def rule_admin(db):
    user = User.objects.create_user("admin.aturan", password="x")
    user.groups.add(Group.objects.get(name="Admin Aturan"))
    return user


@pytest.fixture
def pegawai_user(db):
    return User.objects.create_user("pegawai", password="x")


def table(**kw) -> TableSpec:
    """A small table spec; keyword arguments override the defaults."""
    data = {
        "name": "t",
        "hit_policy": "FIRST",
        "inputs": [{"name": "a", "type": "number"}],
        "outputs": [{"name": "o", "type": "integer"}],
        "rows": [{"when": {"a": "< 0"}, "then": {"o": 1}}, {"default": True, "then": {"o": 0}}],
    }
    data.update(kw)
    return TableSpec.from_dict(data)
