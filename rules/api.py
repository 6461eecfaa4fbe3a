"""The public interface other apps use: ``rules.evaluate(rule_set, table, facts, on=date)``.

The version in force is looked up in the database at every call (one indexed query), so a version
published by any process is used by every other process from its first evaluation on, without a
restart. Compiled tables are cached per process by version id and content hash; published content
never changes, so the cache needs no invalidation. Drafts (the editor's "coba" and simulation)
are compiled under their current content hash and the previous registration is dropped.
"""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from project.memo import memoized

from .choices import VersionStatus
from .compiler import CompiledTable, Decision, VersionRef, compile_table
from .engine import Engine, get_engine
from .errors import InvalidFacts, RuleEvaluationError
from .isolation import run_isolated
from .models import RuleSetVersion
from .selectors import version_in_force, version_specs, version_with_rule_set
from .spec import TableSpec, version_hash

__all__ = [
    "Decision",
    "InvalidFacts",
    "RuleEvaluationError",
    "VersionRef",
    "evaluate",
    "evaluate_many",
    "evaluate_version",
    "table_specs",
    "try_version",
]

# How long the editor's "coba" may take in its child process.
TRY_TIMEOUT_S = 30

_cache: dict[tuple[int, str], dict[str, CompiledTable]] = {}
_draft_names: dict[int, tuple[str, dict[str, CompiledTable]]] = {}
_cache_lock = threading.Lock()


def _ref(version: RuleSetVersion, content_hash: str) -> VersionRef:
    return VersionRef(version.rule_set.key, version.number, version.pk, content_hash, version.status)


def compile_specs(specs: list[TableSpec], ref: VersionRef, *, prefix: str = "") -> dict[str, CompiledTable]:
    return {spec.name: compile_table(spec, ref, prefix=prefix) for spec in specs}


def compiled_version(version: RuleSetVersion) -> dict[str, CompiledTable]:
    """Every table of ``version`` compiled (cached)."""
    if version.status != VersionStatus.DRAFT and version.content_hash:
        key = (version.pk, version.content_hash)
        tables = _cache.get(key)
        if tables is None:
            specs = version_specs(version=version)
            tables = compile_specs(specs, _ref(version, version.content_hash))
            with _cache_lock:
                _cache[key] = tables
        return tables
    specs = version_specs(version=version)
    digest = version_hash(specs)
    with _cache_lock:
        previous = _draft_names.get(version.pk)
        if previous and previous[0] == digest:
            return previous[1]
    tables = compile_specs(specs, _ref(version, digest), prefix=f"draft{version.pk}")
    with _cache_lock:
        if previous:
            for old in previous[1].values():
                if old.name not in {t.name for t in tables.values()}:
                    get_engine().discard(old.name)
        _draft_names[version.pk] = (digest, tables)
    return tables


def _table(version: RuleSetVersion, table: str) -> CompiledTable:
    tables = compiled_version(version)
    if table not in tables:
        raise RuleEvaluationError(
            _("The version has no table “%(table)s”.") % {"table": table}, rule_set=str(version), table=table
        )
    return tables[table]


def version_on(rule_set: str, on: dt.date | None = None) -> RuleSetVersion:
    """The published version of ``rule_set`` in force on ``on`` (default: today); raises
    ``RuleEvaluationError`` when there is none. A caller that evaluates several tables for one
    decision looks it up once and passes it to ``evaluate_version``, so every table it consults
    comes from the same version even if another is published meanwhile."""
    day = on or timezone.localdate()
    version = version_in_force(rule_set=rule_set, on=day)
    if version is None:
        raise RuleEvaluationError(
            _("No published version is in force on %(date)s.") % {"date": day.isoformat()}, rule_set=rule_set
        )
    return version


def decide(compiled: CompiledTable, facts: dict[str, Any], *, engine: Engine | None = None) -> Decision:
    cast = compiled.cast(facts)
    return compiled.resolve((engine or get_engine()).match(compiled, cast), cast)


def evaluate(rule_set: str, table: str, facts: dict[str, Any], *, on: dt.date | None = None) -> Decision:
    """Evaluate ``table`` of the version of ``rule_set`` in force on ``on`` (default: today)."""
    return decide(_table(version_on(rule_set, on), table), facts)


def evaluate_version(version: RuleSetVersion, table: str, facts: dict[str, Any]) -> Decision:
    """Evaluate a given version, draft or not (the editor's "coba")."""
    return decide(_table(version, table), facts)


def version_table_spec(version: RuleSetVersion, table: str) -> tuple[TableSpec, VersionRef]:
    """One table of ``version`` as a spec, with the reference its decisions carry."""
    specs = version_specs(version=version)
    spec = next((s for s in specs if s.name == table), None)
    if spec is None:
        raise RuleEvaluationError(
            _("The version has no table “%(table)s”.") % {"table": table}, rule_set=str(version), table=table
        )
    return spec, _ref(version, version.content_hash or version_hash(specs))


def _try_in_child(spec: TableSpec, ref: VersionRef, facts: dict[str, Any]) -> Decision:
    return decide(compile_table(spec, ref, prefix="try"), facts, engine=Engine())


def try_version(version: RuleSetVersion, table: str, facts: dict[str, Any]) -> Decision:
    """The editor's "coba": like ``evaluate_version``, but compiled and evaluated by a scratch
    engine in a child process (isolation.py), so that no table, saved through the editor or not,
    can take the web worker down. Raises RuleEvaluationError (EngineStopped if the child died)."""
    spec, ref = version_table_spec(version, table)
    return run_isolated(_try_in_child, spec, ref, facts, timeout=TRY_TIMEOUT_S, what=_("trying the table"))


def decide_many(
    compiled: CompiledTable, records: list[dict[str, Any]], *, engine: Engine | None = None
) -> list[Decision | RuleEvaluationError]:
    """Evaluate many fact records at once through the engine (batched sessions). A record that
    fails gets its error in its place; the others still get decisions."""
    results: list[Decision | RuleEvaluationError] = [None] * len(records)  # type: ignore[list-item]
    good_index, good_facts = [], []
    for i, facts in enumerate(records):
        try:
            good_facts.append(compiled.cast(facts))
            good_index.append(i)
        except RuleEvaluationError as exc:
            results[i] = exc
    matches = (engine or get_engine()).match_many(compiled, good_facts)
    for i, cast, matched in zip(good_index, good_facts, matches, strict=True):
        try:
            results[i] = compiled.resolve(matched, cast)
        except RuleEvaluationError as exc:
            results[i] = exc
    return results


def evaluate_many(
    rule_set: str, table: str, records: list[dict[str, Any]], *, on: dt.date | None = None
) -> list[Decision | RuleEvaluationError]:
    """``evaluate`` for many records with one version lookup (batch scoring)."""
    return decide_many(_table(version_on(rule_set, on), table), records)


def table_specs(version_id: int, content_hash: str = "") -> dict[str, TableSpec]:
    """The tables of a version by name — titles, descriptions, column labels and rows — so that a
    stored decision can be explained in the table's own words. Published content never changes
    (cached with the compiled tables); empty when the version no longer exists. ``content_hash``:
    the content's hash, or the start of it a decision's trace records (``VersionRef.to_dict``):
    content this process has compiled under that hash is the same content, read without a query."""
    if content_hash:
        compiled = _compiled_with_hash(version_id, content_hash)
        if compiled is not None:
            return {name: table.spec for name, table in compiled.items()}
    return memoized(("table_specs", version_id), lambda: _table_specs(version_id))


def _compiled_with_hash(version_id: int, content_hash: str) -> dict[str, CompiledTable] | None:
    for (pk, digest), compiled in list(_cache.items()):
        if pk == version_id and digest.startswith(content_hash):
            return compiled
    return None


def version_by_id(version_id: int) -> RuleSetVersion | None:
    """The version ``version_id`` with its rule set, or None; read once per request (a page that
    explains a result and computes its credit points asks twice)."""
    return memoized(("rule_version", version_id), lambda: version_with_rule_set(version_id))


def _table_specs(version_id: int) -> dict[str, TableSpec]:
    version = version_by_id(version_id)
    if version is None:
        return {}
    if version.status != VersionStatus.DRAFT and version.content_hash:
        return {name: compiled.spec for name, compiled in compiled_version(version).items()}
    return {spec.name: spec for spec in version_specs(version=version)}
