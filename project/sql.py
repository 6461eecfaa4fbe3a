"""Small reads that every page repeats (the menu's unread count, the user's admin roles, the audit
chain's head), written as SQL once per process instead of compiled by the ORM on each request.

A one-table ``filter(...).count()`` costs about 950 Python calls to build, compile and run; the same
statement sent as text costs about 130. The statements name tables and columns through the models'
metadata (quoted for the connection's database), so a renamed column is followed, and each reader
has a test comparing it with its ORM form."""

from __future__ import annotations

from functools import cache

from django.db import connection


@cache
def _quoted(vendor: str, name: str) -> str:  # vendor: one entry per database kind
    return connection.ops.quote_name(name)


def table(model) -> str:
    """``model``'s table, quoted."""
    return _quoted(connection.vendor, model._meta.db_table)


def column(model, field: str) -> str:
    """The column of ``model``'s ``field`` (``"user"`` -> ``"user_id"``), quoted."""
    return _quoted(connection.vendor, model._meta.get_field(field).column)


def placeholders(values) -> str:
    """``%s, %s, ...``: one bound parameter per value, for an ``IN (...)``."""
    return ", ".join(["%s"] * len(values))


def rows(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()
