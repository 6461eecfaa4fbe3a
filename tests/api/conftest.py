"""Fixtures of the API tests: the workflow tests' organisation and period, and tokens."""

import pytest
from rest_framework.test import APIClient

from tests.workflow.conftest import bkd, opened, org, periode, rules_pack, shipped_rules_pack  # noqa: F401 - fixtures
from workflow.services.api_token import api_token_issue

ALL_SCOPES = ["read_results", "read_progress", "act_tasks"]


@pytest.fixture
def client_for():
    """An API client sending ``Authorization: Bearer <secret>``."""

    def make(secret: str) -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
        return client

    return make


@pytest.fixture
def token_of(org):  # noqa: F811 - the imported fixture
    """A person's token (all scopes unless told), issued by the system: returns the secret."""

    def make(user, scopes=ALL_SCOPES, **kwargs) -> str:
        return api_token_issue(by=None, instansi=org.instansi, scopes=scopes, user=user, **kwargs)[1]

    return make
