import pytest

from tests.factories import Org


@pytest.fixture
def org(db):
    return Org()
