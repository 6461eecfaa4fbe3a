"""Reads of rule sets and versions."""

from __future__ import annotations

import datetime as dt
import threading
import time
import uuid

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Count, Q, QuerySet

from project.auth import shared_cache
from project.memo import memoized

from .choices import VersionStatus
from .models import DecisionTable, RuleSet, RuleSetVersion
from .spec import CaseSpec, ColumnSpec, RowSpec, TableSpec, version_hash


def version_in_force(*, rule_set: str, on: dt.date) -> RuleSetVersion | None:
    """The published version of ``rule_set`` in force on ``on`` (one indexed query, once per page:
    ``project.memo``; kept by the process between changes of the versions: ``_kept``)."""
    return memoized(("version_in_force", rule_set, on), lambda: _kept(rule_set, on))


# Which version is in force changes only when a version is saved or deleted (published, retired,
# a draft deleted): each such change, once committed, gives the versions a new generation in the
# cache every process shares, and a process keeps what it read under the generation it read it in
# — at most KEPT_SECONDS, should a change ever bypass the models' signals (a bulk update). Only
# with a shared cache (``project.auth.shared_cache``), and not inside a transaction that changed a
# rule set or version itself (it sees its own uncommitted change, which may yet be rolled back):
# such a change marks the connection (``CHANGED``) until it commits, or until the connection is next
# seen outside a transaction. A transaction that changed none reads what others committed, as a
# read outside one does — the steps of a workflow, which all run in one, keep what they read.
GENERATION_KEY = "kinerja-rules-generation"
KEPT_SECONDS = 60.0
_kept_versions: dict[tuple, tuple[str, float, object]] = {}
_kept_lock = threading.Lock()


CHANGED = "_kinerja_rules_changed"


def versions_changed(**_signal_kwargs) -> None:
    """A version was saved or deleted (signal receiver): a new generation once it commits; until
    then the transaction reads versions afresh."""
    if connection.in_atomic_block:
        connection.__dict__[CHANGED] = True
    transaction.on_commit(_new_generation)


def _new_generation() -> None:
    connection.__dict__.pop(CHANGED, None)
    cache.set(GENERATION_KEY, uuid.uuid4().hex, None)


def _kept(rule_set: str, on: dt.date) -> RuleSetVersion | None:
    return kept(("in_force", rule_set, on), lambda: _version_in_force(rule_set, on))


def kept(key: tuple, load):
    """``load()`` kept by the process under ``key`` until the versions' next generation (above);
    read afresh without a shared cache and inside a transaction that changed rule sets or
    versions. What is kept is shared by the requests of the process: read it, never change it."""
    if not shared_cache():
        return load()
    if connection.in_atomic_block:
        if connection.__dict__.get(CHANGED):
            return load()
    else:
        connection.__dict__.pop(CHANGED, None)  # its transaction ended (committed or rolled back)
    generation = memoized("rules_generation", lambda: cache.get(GENERATION_KEY) or "")
    now = time.monotonic()
    found = _kept_versions.get(key)
    if found is not None and found[0] == generation and now - found[1] < KEPT_SECONDS:
        return found[2]
    value = load()
    with _kept_lock:
        if len(_kept_versions) > 1000:  # dates asked for pile up over a long-running process
            _kept_versions.clear()
        _kept_versions[key] = (generation, now, value)
    return value


def version_with_rule_set(version_id: int) -> RuleSetVersion | None:
    """The version ``version_id`` with its rule set, or None (kept as above: a version's row
    changes only by a save, which moves the generation)."""
    return kept(
        ("by_id", version_id),
        lambda: RuleSetVersion.objects.select_related("rule_set").filter(pk=version_id).first(),
    )


def _version_in_force(rule_set: str, on: dt.date) -> RuleSetVersion | None:
    return (
        RuleSetVersion.objects.filter(
            rule_set__key=rule_set,
            status=VersionStatus.PUBLISHED,
            effective_from__lte=on,
        )
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=on))
        .select_related("rule_set")
        .only("id", "number", "content_hash", "status", "effective_from", "effective_to", "rule_set__key")
        .order_by("-effective_from")
        .first()
    )


def rule_sets_with_versions() -> QuerySet[RuleSet]:
    return RuleSet.objects.prefetch_related("versions")


def version_tables(*, version: RuleSetVersion) -> QuerySet[DecisionTable]:
    return version.tables.prefetch_related("inputs", "outputs", "rows", "test_cases").order_by("position", "name")


def version_table_list(*, version: RuleSetVersion) -> QuerySet[DecisionTable]:
    """The version's tables as its page lists them: each with its number of rows and test cases
    (``n_rows``, ``n_tests``), counted by the database instead of loading every row."""
    return version.tables.annotate(
        n_rows=Count("rows", distinct=True), n_tests=Count("test_cases", distinct=True)
    ).order_by("position", "name")


def table_spec(table: DecisionTable) -> TableSpec:
    """The plain description of a stored table (uses prefetched relations when present)."""
    return TableSpec(
        name=table.name,
        hit_policy=table.hit_policy,
        title=table.title,
        description=table.description,
        inputs=tuple(
            ColumnSpec(c.name, c.type, c.label, tuple(c.choices or ()), c.minimum, c.maximum)
            for c in sorted(table.inputs.all(), key=lambda c: c.position)
        ),
        outputs=tuple(
            ColumnSpec(c.name, c.type, c.label, tuple(c.choices or ()))
            for c in sorted(table.outputs.all(), key=lambda c: c.position)
        ),
        rows=tuple(
            RowSpec(dict(r.conditions), dict(r.outputs), r.is_default, r.note)
            for r in sorted(table.rows.all(), key=lambda r: r.position)
        ),
        tests=tuple(
            CaseSpec(t.name, dict(t.inputs), dict(t.expected))
            for t in sorted(table.test_cases.all(), key=lambda t: t.id)
        ),
    )


def version_specs(*, version: RuleSetVersion) -> list[TableSpec]:
    return [table_spec(t) for t in version_tables(version=version)]


def version_content_hash(*, version: RuleSetVersion) -> str:
    return version_hash(version_specs(version=version))


def next_version_number(*, rule_set: RuleSet) -> int:
    last = rule_set.versions.order_by("-number").values_list("number", flat=True).first()
    return (last or 0) + 1
