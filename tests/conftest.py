"""Shared fixtures."""

import os

import pytest
from django.db import connection


def pytest_collection_modifyitems(config, items):
    # Tests that need PostgreSQL locking/concurrency run on the PostgreSQL pass of CI.
    if os.environ.get("DATABASE_URL", "").startswith(("postgres", "postgresql")):
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (run with DATABASE_URL=postgres://...)")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def on_postgres():
    return connection.vendor == "postgresql"
