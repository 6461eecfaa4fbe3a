"""The durable_rules adapter: the only module of the product that imports ``durable``.

Facts about durable_rules 2.0.28 this module is built around (each verified on this stack):

- A ruleset name registers once per process, so every compiled table gets its own name
  (rule set, version number, table, logic hash). Registration pops ``"run"`` from the rule
  definitions: we always pass a deep copy.
- Each evaluation asserts the fact under a fresh session id and ALWAYS deletes that session;
  live sessions otherwise pile up until MemoryError after 1024.
- Every queued action of a session must be drained (started and completed) before the session is
  deleted: ``delete_state`` on a session with pending actions corrupts the heap ("free(): invalid
  pointer") once several rulesets are registered. We drain the engine's action queue ourselves
  instead of running Python callbacks per action, which is what the Host's ``do_actions`` would do
  at several times the cost; the engine still does all the matching.
- The stock Host starts two timer threads that dispatch actions in the background; those would
  touch sessions concurrently with us, so our Host does not start them (we use no timers).
- Sessions are not thread-safe: all engine calls run under one process-wide lock (the web and
  Celery workers are processes, so the lock is uncontended in practice).
- Its JSON reader does not accept exponent notation ("1e-06", error 204), which is how Python
  writes very small and very large floats: facts are written in plain decimal notation here, and
  the validator keeps condition constants in the range Python writes plainly.
- The matcher walks a table's alpha network depth first on a fixed stack of 64 entries (network.py
  models it). Found by experiment (each case in a forked child, 2026-12): the limit is per table
  (one ruleset), not per field or per process: 40 rows ``>= i`` on ``a`` plus 40 on ``b`` fail for a
  fact where all 80 hold, two such 40-row tables in one engine do not. It counts the tests that
  hold at once among one node's children plus the siblings still pending, not rows or comparisons:
  a range ``[lo..hi)`` counts once (its upper bound is a child of its lower bound; 63 overlapping
  ranges whose both bounds hold pass), rows sharing a first test share one node (``[0..i)`` for 64
  rows passes), the default row's (or catch-all's) marker test is one more at the top, a value
  shared by several ``in`` lists counts once per list. So with the default row, 63 rows comparing
  one input with ``<``/``>``/a range pass and 64 fail once the fact is above all their lower bounds
  (64 range rows at 63.5: fail; at 32: pass). The failure is error 303 from the assert, not a
  crash: the crash ("free(): invalid pointer", SIGSEGV) came from then deleting the half-written
  session, which ``_drop_after_failed_assert`` no longer does. The validator refuses any table
  that could need more than 64 entries (assuming the worst sibling order), the publish gate
  smoke-tests every version, and the editor's "coba" and simulation run in a child process.
"""

from __future__ import annotations

import contextlib
import copy
import itertools
import json
import os
import threading
from decimal import Decimal

import durable_rules_engine as core
from django.utils.translation import gettext as _
from durable import engine as durable_engine

from .compiler import MARKER, NO_MATCH, CompiledTable
from .errors import RuleEvaluationError

# Facts asserted per session when evaluating many records at once (simulation, batch scoring).
BATCH_SIZE = 500


def _match_action(c):  # pragma: no cover - never run: we drain the queue without callbacks
    return None


def _plain_number(value: float) -> str:
    text = repr(value)
    return format(Decimal(text), "f") if "e" in text or "E" in text else text


def _encode(obj) -> str:
    """JSON without exponent notation (see the module docstring)."""
    if isinstance(obj, dict):
        return "{" + ",".join(f"{json.dumps(str(k))}:{_encode(v)}" for k, v in obj.items()) + "}"
    if isinstance(obj, list | tuple):
        return "[" + ",".join(_encode(v) for v in obj) + "]"
    if isinstance(obj, float):
        return _plain_number(obj)
    return json.dumps(obj, ensure_ascii=False)


def _needs_plain(facts: dict) -> bool:
    return any(type(v) is float and v and not 1e-4 <= abs(v) < 1e16 for v in facts.values())


def _dumps(payload, facts_list) -> str:
    if any(_needs_plain(f) for f in facts_list):
        return _encode(payload)
    return json.dumps(payload, ensure_ascii=False)


def _delete(handle, sid: str) -> None:
    # 309: no such session (the assert failed before creating it); nothing to clean up.
    with contextlib.suppress(core.error):
        core.delete_state(handle, sid)


class _Host(durable_engine.Host):
    """A Host without background dispatch threads and with one whitelisted action name."""

    def _run(self):
        return None

    def get_action(self, action_name):
        if action_name != "match":
            raise RuleEvaluationError(_("Unknown engine action “%(name)s”.") % {"name": action_name})
        return _match_action

    def unregister(self, name: str) -> None:
        ruleset = self._ruleset_directory.pop(name, None)
        if ruleset is not None:
            self._ruleset_list.remove(ruleset)
            core.delete_ruleset(ruleset._handle)


class Engine:
    """One durable_rules host with its own lock. The process shares one (``get_engine``); the publish
    gate makes a scratch one in a child process."""

    def __init__(self):
        self._host = _Host()
        self._lock = threading.RLock()
        self._sid = itertools.count(1)

    def _reset_after_fork(self) -> None:
        self._lock = threading.RLock()

    def is_registered(self, name: str) -> bool:
        return name in self._host._ruleset_directory

    def register(self, compiled: CompiledTable) -> None:
        with self._lock:
            if self.is_registered(compiled.name):
                return
            try:
                self._host.register_rulesets({compiled.name: copy.deepcopy(compiled.definition)})
            except Exception as exc:  # the C extension raises plain Exception subclasses
                raise compiled.error(_("The engine refused the table: %(error)s") % {"error": exc}) from exc

    def discard(self, name: str) -> None:
        with self._lock:
            self._host.unregister(name)

    def _drop_after_failed_assert(self, compiled: CompiledTable) -> None:
        """An assert that fails inside the engine (error 303: the matching stack overflowed) leaves its
        session half written, and deleting that session kills the process ("free(): invalid
        pointer", SIGSEGV). Drop the whole ruleset instead, which frees it safely; the next
        evaluation registers the table again."""
        self._host.unregister(compiled.name)

    def _drain(self, handle, state_handle) -> list[dict]:
        """Start and complete every queued action of the session; return their messages."""
        messages = []
        started = core.start_action_for_state(handle, state_handle)
        message = started[1] if started else None
        while message:
            messages.append(json.loads(message))
            message = core.complete_and_start_action(handle, state_handle)
        return messages

    def match(self, compiled: CompiledTable, facts: dict) -> list[int]:
        """The (0-based) rows whose conditions the engine matched for one set of cast facts."""
        self.register(compiled)
        with self._lock:
            ruleset = self._host.get_ruleset(compiled.name)
            sid = f"s{next(self._sid)}"
            fact = {**facts, "sid": sid, MARKER: 1}
            try:
                result = core.assert_fact(ruleset._handle, _dumps(fact, [facts]))
            except core.error as exc:
                self._drop_after_failed_assert(compiled)
                raise compiled.error(_("The engine failed: %(error)s") % {"error": exc}) from exc
            try:
                if result[0] != 0:  # every table has a default or catch-all rule: this is an engine fault
                    raise compiled.error(
                        _("The engine did not accept the facts (code %(code)s).") % {"code": result[0]}
                    )
                messages = self._drain(ruleset._handle, result[1])
            except RuleEvaluationError:
                raise
            except Exception as exc:
                raise compiled.error(_("The engine failed: %(error)s") % {"error": exc}) from exc
            finally:
                _delete(ruleset._handle, sid)
        return [int(name[1:]) for msg in messages for name in msg if name != NO_MATCH]

    def match_many(self, compiled: CompiledTable, facts_list: list[dict]) -> list[list[int]]:
        """Like ``match`` for many fact records: one session per batch, ``assert_facts`` once per
        batch, each fact tagged with its index so matches map back to records."""
        self.register(compiled)
        results: list[list[int]] = [[] for _ in facts_list]
        with self._lock:
            ruleset = self._host.get_ruleset(compiled.name)
            for start in range(0, len(facts_list), BATCH_SIZE):
                sid = f"s{next(self._sid)}"
                batch = [
                    {**facts, "sid": sid, MARKER: 1, "_i": start + offset}
                    for offset, facts in enumerate(facts_list[start : start + BATCH_SIZE])
                ]
                try:
                    result = core.assert_facts(ruleset._handle, _dumps(batch, batch))
                except core.error as exc:
                    self._drop_after_failed_assert(compiled)
                    raise compiled.error(_("The engine failed: %(error)s") % {"error": exc}) from exc
                try:
                    if result[0] != 0:  # cannot happen with the catch-all rule; never leave actions queued
                        raise compiled.error(
                            _("The engine did not accept the facts (code %(code)s).") % {"code": result[0]}
                        )
                    for msg in self._drain(ruleset._handle, result[1]):
                        for name, payload in msg.items():
                            if name != NO_MATCH:
                                results[payload["m"]["_i"]].append(int(name[1:]))
                except Exception as exc:
                    raise compiled.error(_("The engine failed: %(error)s") % {"error": exc}) from exc
                finally:
                    _delete(ruleset._handle, sid)
        return results


_engine: Engine | None = None
_engine_lock = threading.Lock()


def get_engine() -> Engine:
    """The process-wide engine."""
    global _engine
    if _engine is None:
        with _engine_lock:
            if _engine is None:
                _engine = Engine()
    return _engine


def _after_fork_in_child() -> None:
    # A fork taken while another thread held a lock must not inherit it held.
    global _engine_lock
    _engine_lock = threading.Lock()
    if _engine is not None:
        _engine._reset_after_fork()


os.register_at_fork(after_in_child=_after_fork_in_child)
