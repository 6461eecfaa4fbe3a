"""Shared fixtures."""

import os

import pytest
from django.db import connection
from django.db.backends.postgresql.operations import DatabaseOperations as PostgresOperations

from tests.catalogues import compile_stale_catalogues, forget_loaded_catalogues


def pytest_sessionstart(session):
    # Plain `pytest` on a fresh clone: the pages the tests assert are in Indonesian.
    if compile_stale_catalogues():
        forget_loaded_catalogues()


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


@pytest.fixture(autouse=True, scope="session")
def _flush_past_the_audit_trigger():
    """Django empties the database after each transactional test with TRUNCATE, which the audit
    log's trigger refuses (as it should in production). The tests' database user is a superuser:
    switch triggers off for the flush's own transaction only."""
    original = PostgresOperations.execute_sql_flush

    def execute_sql_flush(self, sql_list):
        return original(self, ["SET LOCAL session_replication_role = replica", *sql_list])

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(PostgresOperations, "execute_sql_flush", execute_sql_flush)
        yield


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: the dashboards' figures are keyed by the audit chain's
    head, which starts again at the same number in every test's rolled-back database."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _default_language(settings):
    """Every test starts in the product's default language (Indonesian): a page or a document that
    switches the thread's language must not decide what the next test's messages say."""
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)
