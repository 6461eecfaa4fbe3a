"""Writing and verifying the audit trail.

Who acted: on the web, the request user (simple-history's ``HistoryRequestMiddleware``); in code
without a request (Celery tasks, timers, commands, tests, benchmarks), whoever ``acting_as(user)``
names; when nobody is named, the system user. ``audit_record`` writes one chained event in the
caller's transaction.

The chain: ``hash = sha256(canonical_json(event fields) + prev_hash)``, where the canonical JSON has
sorted keys, no whitespace and the time in UTC ISO format. Appends are serialised: on PostgreSQL by
locking the chain-head row (SELECT ... FOR UPDATE, held until the transaction commits), on SQLite by
its IMMEDIATE transactions (one writer at a time).

The anchor: the chain head row lives in the database, so whoever can write there can delete the
newest events and rewind the head to match. After each append commits, its head (number and hash)
is also appended to a file outside the database (``KINERJA_AUDIT_ANCHOR``) and logged (logger
``kinerja.audit.anchor``); ``audit_verify`` checks every anchored event against the table.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import hashlib
import json
import logging
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from functools import cache, partial
from pathlib import Path

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ImproperlyConfigured
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.db.models.sql import InsertQuery, UpdateQuery
from simple_history.models import HistoricalRecords

from project.prepared import Prepared

from ..models import AuditChainHead, AuditEvent

GENESIS_HASH = "0" * 64
# Key of the PostgreSQL advisory lock that serialises appends (any constant unique to this app).
ADVISORY_LOCK_KEY = 0x4B494E45  # "KINE"
anchor_log = logging.getLogger("kinerja.audit.anchor")


@dataclass(frozen=True)
class RequestMeta:
    request_id: str = ""
    ip: str | None = None


_actor: contextvars.ContextVar = contextvars.ContextVar("kinerja_audit_actor", default=None)
_NO_REQUEST = RequestMeta()
_request_meta: contextvars.ContextVar[RequestMeta | None] = contextvars.ContextVar(
    "kinerja_audit_request", default=None
)
_enabled: contextvars.ContextVar[bool] = contextvars.ContextVar("kinerja_audit_enabled", default=True)
# Through what the actor acts, when not the product's pages: an API token (see ``acting_via``).
_via: contextvars.ContextVar[str] = contextvars.ContextVar("kinerja_audit_via", default="")


@dataclass
class _Batch:
    history: dict[type, list] = field(default_factory=dict)  # history model -> unsaved rows
    events: list[AuditEvent] = field(default_factory=list)  # unchained events, in order
    rows: dict[type, list] = field(default_factory=dict)  # other deferred inserts (``defer_insert``)


_batch: contextvars.ContextVar[_Batch | None] = contextvars.ContextVar("kinerja_audit_batch", default=None)


class _ActorRequest:
    """Stands in for a request in simple-history's context so history rows written by code
    without a request (including the bulk helpers) name the acting user."""

    def __init__(self, user):
        self.user = user


# --- who is acting ------------------------------------------------------------------------------


@contextmanager
def acting_as(user) -> Iterator[None]:
    """Record ``user`` as the actor of every history row and event written inside the block, unless
    a web request already names its user. ``None`` means the system user."""
    if user is None or not getattr(user, "is_authenticated", False):
        from .system import SYSTEM_USERNAME, system_user

        # Already acting as the system (a chunk of openings, each acting as nobody): no lookup.
        outer = _actor.get()
        user = outer if outer is not None and outer.get_username() == SYSTEM_USERNAME else system_user()
    token = _actor.set(user)
    previous = getattr(HistoricalRecords.context, "request", None)
    replace = previous is None or not getattr(getattr(previous, "user", None), "is_authenticated", False)
    if replace:
        HistoricalRecords.context.request = _ActorRequest(user)
    try:
        yield
    finally:
        _actor.reset(token)
        if replace:
            if previous is None:
                with suppress(AttributeError):
                    del HistoricalRecords.context.request
            else:
                HistoricalRecords.context.request = previous


def current_actor():
    """The user acting now: the request user on the web, else the one named by ``acting_as``, else
    ``None`` (callers fall back to the system user)."""
    request = getattr(HistoricalRecords.context, "request", None)
    user = getattr(request, "user", None)
    if user is not None and getattr(user, "is_authenticated", False):
        return user
    return _actor.get()


def resolve_actor(by=None):
    if by is not None and getattr(by, "is_authenticated", False):
        return by
    actor = current_actor()
    if actor is not None:
        return actor
    from .system import system_user

    return system_user()


@contextmanager
def acting_via(label: str = "") -> Iterator[None]:
    """Events written inside the block record, after their actor's name, what the actor acted
    through (``label``, e.g. an API token: ``note_via`` may name it later inside the block, once
    the request is authenticated)."""
    token = _via.set(label)
    try:
        yield
    finally:
        _via.reset(token)


def note_via(label: str) -> None:
    """Name what the actor acts through, for the rest of the enclosing ``acting_via`` block."""
    _via.set(label)


def current_via() -> str:
    return _via.get()


@contextmanager
def request_context(*, request_id: str, ip: str | None) -> Iterator[None]:
    token = _request_meta.set(RequestMeta(request_id=request_id, ip=ip))
    try:
        yield
    finally:
        _request_meta.reset(token)


def current_request_meta() -> RequestMeta:
    """The id and client address of the request being served (``workflow.middleware`` sets them),
    or empty values outside a request."""
    return _request_meta.get() or _NO_REQUEST


def new_request_id() -> str:
    return uuid.uuid4().hex


def fill_history_user(sender, history_instance, **kwargs) -> None:
    """``pre_create_historical_record`` receiver: a row whose saver set no user (or set ``None``)
    is recorded with the acting user, and failing that the system user."""
    if history_instance.history_user_id is None:
        history_instance.history_user = resolve_actor()


# --- cheaper history writes -----------------------------------------------------------------------


def _history_descriptors():
    """(model, attribute name, descriptor) of every model that keeps history."""
    from django.apps import apps

    for model in apps.get_models():
        name = getattr(model._meta, "simple_history_manager_attribute", None)
        descriptor = model.__dict__.get(name) if name else None
        if descriptor is not None:
            yield model, name, descriptor


def cache_history_managers() -> None:
    """simple-history (3.13) builds a new manager class — ``Manager.from_queryset`` runs
    ``inspect.getmembers`` over the queryset class — on every access of ``Model.history``, and it
    accesses it once for every history row it writes (~0.4 ms each, a tenth of a lifecycle's audit
    cost). Build each model's manager class once instead; the managers behave the same."""
    from simple_history.manager import HistoryDescriptor

    class CachedHistoryDescriptor(HistoryDescriptor):
        def __get__(self, instance, owner):
            manager_class = self.__dict__.get("_manager_class")
            if manager_class is None:
                manager_class = self._manager_class = self.manager_class.from_queryset(self.queryset_class)
            return manager_class(self.model, instance)

    for model, name, descriptor in _history_descriptors():
        if type(descriptor) is HistoryDescriptor:
            cached = CachedHistoryDescriptor.__new__(CachedHistoryDescriptor)
            cached.__dict__.update(descriptor.__dict__)
            setattr(model, name, cached)


def defer_history_saves() -> None:
    """Let ``audit_batch`` collect history rows: inside a batch, a new history row's ``save()``
    queues the row instead of inserting it, and the batch inserts each model's rows in one
    statement; so are the rows simple-history's bulk helpers write. Outside a batch nothing changes.
    Rows with many-to-many history (none here) are always saved at once, since simple-history
    writes their m2m rows right after."""

    def deferrable(original):
        def save(self, *args, **kwargs):
            batch = _batch.get()
            if (
                batch is not None
                and self._state.adding
                and self.pk is None
                and not args
                and set(kwargs) <= {"using"}
                and kwargs.get("using") in (None, "default")
                and not getattr(self, "_history_m2m_fields", None)
            ):
                batch.history.setdefault(type(self), []).append(self)
                return
            original(self, *args, **kwargs)

        save._kinerja_deferrable = True
        return save

    def deferrable_bulk(history_model, original):
        # ``bulk_history_create`` (``bulk_create_with_history``, ``bulk_update_with_history``)
        # writes its rows through the history model's manager: queued the same way
        def bulk_create(objs, batch_size=None, **kwargs):
            objs = list(objs)
            batch = _batch.get()
            if (
                batch is not None
                and not kwargs
                and all(o._state.adding and o.pk is None for o in objs)
                and not any(getattr(o, "_history_m2m_fields", None) for o in objs)
            ):
                batch.history.setdefault(history_model, []).extend(objs)
                return objs
            return original(objs, batch_size=batch_size, **kwargs)

        bulk_create._kinerja_deferrable = True
        return bulk_create

    for _model, _name, descriptor in _history_descriptors():
        history_model = getattr(descriptor, "model", None)
        if history_model is None:
            continue
        if not getattr(history_model.save, "_kinerja_deferrable", False):
            history_model.save = deferrable(history_model.save)
        manager = history_model._default_manager
        if not getattr(manager.bulk_create, "_kinerja_deferrable", False):
            manager.bulk_create = deferrable_bulk(history_model, manager.bulk_create)


@contextmanager
def audit_batch() -> Iterator[None]:
    """Collect the history rows and audit events written inside the block and insert them when it
    ends: one statement per history table and one chain append for all the events, instead of a
    few statements for each. Put the block directly inside the transaction (or savepoint) whose
    changes it records (``with transaction.atomic(), audit_batch():``): when the block raises,
    nothing it collected is written; when it ends, the rows are written before that transaction
    commits. A block inside another hands what it collected to the outer one, which writes it all
    (so a savepoint rolled back inside a batch leaves no rows behind). Inside a batch,
    ``audit_record`` returns an event that is numbered, chained and saved only when it is written."""
    outer = _batch.get()
    batch = _Batch()
    token = _batch.set(batch)
    try:
        yield
    finally:
        _batch.reset(token)
    if outer is not None:
        for model, rows in batch.history.items():
            outer.history.setdefault(model, []).extend(rows)
        for model, rows in batch.rows.items():
            outer.rows.setdefault(model, []).extend(rows)
        outer.events.extend(batch.events)
        return
    _flush(batch)


def defer_insert(obj) -> bool:
    """Inside an ``audit_batch``, queue the new row ``obj`` (one nobody reads back by its id in the
    same step: a notification, a due date) to be inserted with the batch's history rows and events,
    in the same round trip; returns False outside a batch (then the caller saves it)."""
    batch = _batch.get()
    if batch is None or obj.pk is not None:
        return False
    batch.rows.setdefault(type(obj), []).append(obj)
    return True


@dataclass
class _Prenumbered:
    """The rows ``inserts_prenumbered`` holds back, and the ids it has fetched but not used yet."""

    models: tuple[type, ...]
    block: int
    ids: dict[type, list[int]] = field(default_factory=dict)  # concrete model -> unused ids
    rows: dict[type, list] = field(default_factory=dict)  # concrete model -> rows to insert
    held: set[int] = field(default_factory=set)  # id() of the rows held


_prenumbered: contextvars.ContextVar[_Prenumbered | None] = contextvars.ContextVar("kinerja_prenumbered", default=None)


@contextmanager
def inserts_prenumbered(*models: type, block: int = 100) -> Iterator[None]:
    """New rows of ``models`` saved inside the block take their id from the table's own sequence
    (``block`` ids fetched at a time) and are inserted when the block ends, one multi-row INSERT
    per table in one round trip, instead of one INSERT each as they are saved. Everything else of
    a save happens as it would (its signals, its history row, the objects that point at it get its
    id); a row saved again before the block ends is written as it is then. For blocks that write
    many new rows nobody reads back from the database before the block ends — opening a period.
    A unique constraint the held rows break raises ``IntegrityError`` when the block ends, so put
    the block directly inside the savepoint that is to undo them. PostgreSQL only; elsewhere (and
    when nested) the block changes nothing."""
    if connection.vendor != "postgresql" or _prenumbered.get() is not None:
        yield
        return
    state = _Prenumbered(models=tuple(m._meta.concrete_model for m in models), block=block)
    token = _prenumbered.set(state)
    try:
        yield
    finally:
        _prenumbered.reset(token)
    _run([_insert_statement(model, rows, raw=True) for model, rows in state.rows.items()])


def _next_id(state: _Prenumbered, model) -> int:
    ids = state.ids.get(model)
    if not ids:
        table, column = model._meta.db_table, model._meta.pk.column
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [connection.ops.quote_name(table), column, state.block],
            )
            ids = state.ids[model] = [row[0] for row in cursor.fetchall()][::-1]
    return ids.pop()


def _held_by(obj) -> _Prenumbered | None:
    state = _prenumbered.get()
    if state is None or type(obj)._meta.concrete_model not in state.models:
        return None
    return state


def hold_prenumbered_inserts(*models: type) -> None:
    """Let ``inserts_prenumbered`` hold the new rows of ``models`` (their concrete tables): wraps
    their ``_do_insert`` and ``_do_update`` (Django's single-row INSERT and UPDATE of a save).
    Outside such a block they run as before."""
    for model in models:
        if getattr(model._do_insert, "_kinerja_prenumbered", False):
            continue
        original_insert, original_update = model._do_insert, model._do_update

        def _do_insert(self, manager, using, fields, returning_fields, raw, _original=original_insert):
            state = _held_by(self)
            pk = self._meta.pk
            if state is None or raw or using not in (None, "default") or list(returning_fields) != [pk]:
                return _original(self, manager, using, fields, returning_fields, raw)
            concrete = self._meta.concrete_model
            if id(self) not in state.held:
                for f in fields:  # what the INSERT would set on the object (auto_now dates)
                    setattr(self, f.attname, f.pre_save(self, True))
                if getattr(self, pk.attname) is None:
                    setattr(self, pk.attname, _next_id(state, concrete))
                state.rows.setdefault(concrete, []).append(self)
                state.held.add(id(self))
            return [(getattr(self, pk.attname),)]

        def _do_update(self, base_qs, using, pk_val, values, update_fields, forced_update, _original=original_update):
            state = _held_by(self)
            if state is not None and id(self) in state.held:
                return True  # not inserted yet: the insert at the block's end writes it as it is then
            return _original(self, base_qs, using, pk_val, values, update_fields, forced_update)

        _do_insert._kinerja_prenumbered = True
        model._do_insert, model._do_update = _do_insert, _do_update


def _insert_statement(model, objs, *, raw: bool = False) -> tuple[str, tuple]:
    """One multi-row INSERT of ``objs`` (no ids returned), as ``bulk_create`` would write it;
    ``raw``: the values as they are on the objects (their fields' ``pre_save`` already ran)."""
    opts = model._meta
    for obj in objs:
        obj._prepare_related_fields_for_save(operation_name="bulk_create")
    with_ids = any(getattr(obj, opts.pk.attname) is not None for obj in objs)  # ``inserts_prenumbered``
    fields, head, row, plain = _insert_shape(connection.vendor, model, with_ids)
    params = _insert_params(objs, fields, plain, raw) if head else None
    unnest = _unnest_insert(connection.vendor, model, with_ids) if params is not None and len(objs) > 1 else None
    if params is None:  # a field with a placeholder of its own, or a value that is an expression
        query = InsertQuery(model)
        query.insert_values(fields, objs, raw=raw)
        [(sql, params)] = query.get_compiler(using="default").as_sql()
    elif unnest is not None:  # one array per column: the same statement (and placeholders) for any number of rows
        width = len(fields)
        sql, params = unnest, [params[i::width] for i in range(width)]
    else:
        sql = head + ", ".join([row] * len(objs))
    for obj in objs:
        obj._state.adding, obj._state.db = False, "default"
    return sql, tuple(params)


def _insert_params(objs, fields, plain, raw: bool) -> list | None:
    """The values of ``objs`` as Django's compiler binds them (each field's ``pre_save``, then
    ``get_db_prep_save``), or None when one is an expression. A value of a field that stores it
    as it is (``plain``: the type it then has — a text, a number, a flag, an id) is taken as it
    is: what the two calls would return, for a fifth of their cost."""
    params = []
    for obj in objs:
        values = obj.__dict__
        for f, kind in zip(fields, plain, strict=True):
            value = values.get(f.attname, _MISSING) if kind is not None else _MISSING
            if kind is not None and type(value) is kind:
                params.append(value)
                continue
            value = getattr(obj, f.attname) if raw else f.pre_save(obj, True)
            if hasattr(value, "resolve_expression"):
                return None
            params.append(f.get_db_prep_save(value, connection))
    return params


_MISSING = object()

# Fields whose ``pre_save`` and ``get_db_prep_save`` hand a value of this type back unchanged.
_PLAIN = {
    models.CharField: str,
    models.TextField: str,
    models.IntegerField: int,
    models.SmallIntegerField: int,
    models.BigIntegerField: int,
    models.PositiveIntegerField: int,
    models.PositiveSmallIntegerField: int,
    models.PositiveBigIntegerField: int,
    models.AutoField: int,
    models.BigAutoField: int,
    models.BooleanField: bool,
}


def _plain_kind(field):
    """The type a value of ``field`` is stored as it is (see ``_PLAIN``), or None."""
    if type(field).pre_save is not models.Field.pre_save:
        return None
    if type(field) in (models.ForeignKey, models.OneToOneField):  # an id, when its target is an auto id
        return int if type(field.target_field) in (models.AutoField, models.BigAutoField) else None
    return _PLAIN.get(type(field))


@cache
def _insert_shape(vendor: str, model, with_ids: bool) -> tuple[list, str, str, list]:  # vendor: one per database kind
    """The fields a batch INSERT of ``model`` writes, and — unless a field needs a placeholder of
    its own (binary, array, range, geometry) — the statement's head (``INSERT INTO t (a, b)
    VALUES ``), one row's placeholders (``(%s, %s)``) and each field's plain type (``_plain_kind``):
    the statement Django's compiler builds for plain values, built once per table instead of once
    per value. Rows that hold an expression go through Django's compiler."""
    opts = model._meta
    fields = [f for f in opts.concrete_fields if not f.generated and (with_ids or f is not opts.pk)]
    plain = [_plain_kind(f) for f in fields]
    if not fields or any(hasattr(f, "get_placeholder") for f in fields):
        return fields, "", "", plain
    qn = connection.ops.quote_name
    columns = ", ".join(qn(f.column) for f in fields)
    head = f"INSERT INTO {qn(opts.db_table)} ({columns}) VALUES "  # noqa: S608 - names from the model, values bound
    return fields, head, "(" + ", ".join(["%s"] * len(fields)) + ")", plain


@cache
def _unnest_insert(vendor: str, model, with_ids: bool) -> str | None:  # vendor: one per database kind
    """On PostgreSQL, the INSERT of several rows that Django's ``bulk_create`` sends there
    (``INSERT INTO t (a, b) SELECT * FROM UNNEST((%s)::integer[], (%s)::varchar[])``, one array of
    values per column), or None where Django would not use it (a field that is not of a built-in
    type, or has a placeholder of its own). Its text and placeholders do not change with the
    number of rows: the driver converts it once and the server plans it once, where the VALUES
    form of a thousand rows is a new statement of thousands of placeholders each time."""
    if vendor != "postgresql":
        return None
    fields, head, _row, _plain = _insert_shape(vendor, model, with_ids)
    types = connection.data_types
    if not head or any((f.target_field if f.is_relation else f).get_internal_type() not in types for f in fields):
        return None
    # As Django does: the type without its size (varchar[], not varchar(50)[]), so nothing is cut.
    arrays = ", ".join(f"(%s)::{f.db_type(connection).split('(')[0]}[]" for f in fields)
    return head.removesuffix(" VALUES ") + f" SELECT * FROM UNNEST({arrays})"  # noqa: S608 - names and types from the model, values bound


def _run(statements: list[tuple[str, tuple]]) -> None:
    """Execute ``statements`` in as few round trips as the database allows: one on PostgreSQL, one
    by one elsewhere. A connection that binds values on the server (``DB_PREPARED``, the default)
    sends them in a pipeline: each statement parsed once per connection and prepared like any
    other, all sent before the one wait for their results (an error is raised when the pipeline
    ends, as Django's error). One that binds on the client sends them joined into one string."""
    if not statements:
        return
    if connection.vendor == "postgresql" and len(statements) > 1:
        if connection.settings_dict.get("OPTIONS", {}).get("server_side_binding"):
            connection.ensure_connection()
            with connection.wrap_database_errors, connection.connection.pipeline(), connection.cursor() as cursor:
                for sql, params in statements:
                    cursor.execute(sql, params)
            return
        with connection.cursor() as cursor:
            cursor.execute(";\n".join(sql for sql, _ in statements), [p for _, params in statements for p in params])
        return
    with connection.cursor() as cursor:
        for sql, params in statements:
            cursor.execute(sql, params)


def _flush(batch: _Batch) -> None:
    """Write what a batch collected: the history rows and deferred rows, then its events chained
    after the locked chain head, with the head's update — on PostgreSQL in one round trip after
    the head's lock."""
    statements = [_insert_statement(model, rows) for model, rows in [*batch.history.items(), *batch.rows.items()]]
    if not batch.events:
        _run(statements)
        return
    with transaction.atomic(savepoint=False):
        head = _lock_chain()
        _chain(head, batch.events)
        statements.append(_insert_statement(AuditEvent, batch.events))
        if head._state.adding:  # a chain started afresh: the head row is inserted by its own save
            _run(statements)
            head.save()
        else:
            statements.append((_chain_head_update(connection.vendor), (head.seq, head.hash, head.pk)))
            _run(statements)
        transaction.on_commit(partial(anchor_write, head.seq, head.hash))


@cache
def _chain_head_update(vendor: str) -> str:  # vendor: one statement per database kind
    """The chain head's UPDATE, its new number, hash and id as parameters (every step sends it:
    compiled once)."""
    update = UpdateQuery(AuditChainHead)
    update.add_update_values({"seq": -7, "hash": "-"})
    update.add_filter("pk", -9)
    sql, params = update.get_compiler(using="default").as_sql()
    if list(params) != [-7, "-", -9]:
        raise ImproperlyConfigured("the chain head's UPDATE does not take (seq, hash, id) as its parameters")
    return sql


# --- switching audit off (benchmarks only) -----------------------------------------------------


@contextmanager
def audit_disabled() -> Iterator[None]:
    """No history rows and no events inside the block. For measuring the audit's cost only:
    simple-history's switch is a process-wide setting, so never use this in a server."""
    token = _enabled.set(False)
    before = getattr(settings, "SIMPLE_HISTORY_ENABLED", True)
    settings.SIMPLE_HISTORY_ENABLED = False
    try:
        yield
    finally:
        settings.SIMPLE_HISTORY_ENABLED = before
        _enabled.reset(token)


def audit_enabled() -> bool:
    return _enabled.get()


# --- writing events -----------------------------------------------------------------------------


def jsonable(value):
    """``value`` as plain JSON types (decimals, dates and lazy strings become strings), so what is
    hashed is exactly what the database gives back."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False))


def canonical(fields: dict) -> str:
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def event_fields(event: AuditEvent) -> dict:
    """The content an event's hash covers (everything but the hash itself)."""
    ct = event.content_type
    return {
        "seq": event.seq,
        "time": event.time.astimezone(dt.UTC).isoformat(),
        "actor_id": event.actor_id,
        "actor_repr": event.actor_repr,
        "action": event.action,
        "content_type": f"{ct.app_label}.{ct.model}" if ct is not None else "",
        "object_id": event.object_id,
        "object_repr": event.object_repr,
        "instansi_id": event.instansi_id,
        "before": event.before,
        "after": event.after,
        "reason": event.reason,
        "request_id": event.request_id,
        "ip": event.ip,
        "prev_hash": event.prev_hash,
    }


def event_hash(event: AuditEvent) -> str:
    return hashlib.sha256((canonical(event_fields(event)) + event.prev_hash).encode()).hexdigest()


@cache
def _chain_head_query() -> Prepared:
    """The chain head's row, locked (read in every step: compiled once per connection)."""
    return Prepared(lambda: AuditChainHead.objects.select_for_update().filter(pk=1).order_by("pk")[:1], arity=0)


def _lock_chain() -> AuditChainHead:
    """The chain head, locked until the transaction ends (SELECT ... FOR UPDATE; SQLite's IMMEDIATE
    transactions already hold the only write lock). The migration creates the head; if it is gone
    (a test database flushed), the first writer recreates it under a transaction-scoped advisory
    lock so two writers cannot both start a chain."""
    head = _chain_head_query().first()
    if head is not None:
        return head
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_LOCK_KEY])
        head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
    return head or AuditChainHead(pk=1, seq=0, hash=GENESIS_HASH)


def _instansi_of(obj) -> int | None:
    """The government an object belongs to (the search is scoped by it)."""
    if obj._meta.model_name == "instansi" and obj._meta.app_label == "workflow":
        return obj.pk
    for path in ("instansi_id", "pegawai.instansi_id", "periode.instansi_id", "skp.pegawai.instansi_id"):
        value = obj
        try:
            for part in path.split("."):
                value = getattr(value, part)
        except AttributeError:
            continue
        if value is not None:
            return value
    return None


def audit_record(
    *,
    action: str,
    obj=None,
    by=None,
    before: dict | None = None,
    after: dict | None = None,
    reason: str = "",
    instansi_id: int | None = None,
) -> AuditEvent | None:
    """Append one event for a state change of ``obj`` done by ``by`` (default: the acting user).
    Call it inside the transaction of the change: the event commits or rolls back with it."""
    if not audit_enabled():
        return None
    actor = resolve_actor(by)
    meta = _request_meta.get() or _NO_REQUEST
    event = AuditEvent(
        time=_now(),
        actor=actor,
        actor_repr=_actor_repr(actor),
        action=str(action),
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=False) if obj is not None else None,
        object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
        object_repr=str(obj)[:255] if obj is not None else "",
        instansi_id=instansi_id if instansi_id is not None else (_instansi_of(obj) if obj is not None else None),
        before=jsonable(before or {}),
        after=jsonable(after or {}),
        reason=(reason or "").strip(),
        request_id=meta.request_id,
        ip=meta.ip,
    )
    batch = _batch.get()
    if batch is not None:
        batch.events.append(event)
    else:
        _append([event])
    return event


def _append(events: list[AuditEvent]) -> None:
    """Number, chain and insert ``events`` (in the caller's transaction, holding the chain head
    until it commits). They are stamped with the time of the append, so times never go backwards
    along the chain."""
    with transaction.atomic(savepoint=False):  # part of the caller's transaction: no savepoint needed
        head = _lock_chain()
        _chain(head, events)
        if len(events) == 1:
            events[0].save()
        else:
            AuditEvent.objects.all()._append_chained(events)
        head.save()
        transaction.on_commit(partial(anchor_write, head.seq, head.hash))


def _chain(head: AuditChainHead, events: list[AuditEvent]) -> None:
    """Number and hash ``events`` after ``head`` (locked), stamped with the time of the append so
    times never go backwards along the chain; ``head`` moves to the last of them."""
    now = _now()
    for event in events:
        event.seq, event.time, event.prev_hash = head.seq + 1, now, head.hash
        event.hash = event_hash(event)
        head.seq, head.hash = event.seq, event.hash


# --- the anchor outside the database -------------------------------------------------------------


def anchor_path() -> Path | None:
    """The anchor file of this installation (``KINERJA_AUDIT_ANCHOR``), or ``None`` when off."""
    value = getattr(settings, "KINERJA_AUDIT_ANCHOR", "")
    return Path(value) if value else None


def anchor_write(seq: int, hash_: str) -> None:
    """Record a committed chain head (``transaction.on_commit`` of each append): one line appended
    to the anchor file and one log line. Commits racing each other may append their lines out of
    order; every line stays true. A failure to write is logged, never raised: the change it
    anchors is already committed."""
    anchor_log.info("audit chain head %s %s", seq, hash_)
    path = anchor_path()
    if path is None:
        return
    line = f"{seq} {hash_} {dt.datetime.now(dt.UTC).isoformat(timespec='seconds')}\n"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
        try:
            os.write(fd, line.encode())  # one write in append mode: lines of racing writers never mix
        finally:
            os.close(fd)
    except OSError:
        anchor_log.exception("could not write the audit anchor %s", path)


def _now() -> dt.datetime:
    from django.utils import timezone

    return timezone.now()


def _actor_repr(actor) -> str:
    """The actor's name, and what they acted through (an API token) when not the pages."""
    via = _via.get()
    return f"{_user_repr(actor)} [{via}]"[:255] if via else _user_repr(actor)


def _user_repr(user) -> str:
    full = (user.get_full_name() or "").strip() if hasattr(user, "get_full_name") else ""
    return f"{user.get_username()} ({full})"[:255] if full else str(user.get_username())[:255]


def snapshot(obj, fields: list[str]) -> dict:
    """Selected field values of ``obj`` for an event's before/after (foreign keys by id)."""
    return {f: getattr(obj, f if not hasattr(obj, f"{f}_id") else f"{f}_id") for f in fields}


# --- verifying the chain ------------------------------------------------------------------------


@dataclass
class ChainProblem:
    event_id: int | None
    seq: int | None
    message: str
    anchor: bool = False  # found by comparing the table with the anchor


_SETTING = object()


def audit_verify(*, batch: int = 2000, anchor=_SETTING) -> tuple[int, ChainProblem | None]:
    """Walk the chain in order; return how many events were checked and the first problem: an
    event whose content no longer matches its hash (edited), whose link does not name the event
    before it (deleted or reordered), a gap in the numbering (deleted), a chain that ends before
    the recorded head (the newest events deleted), or — against the anchor file (``anchor``, by
    default the setting's) — an anchored event the table lacks (the newest events deleted and the
    head rewound) or holds with another hash (rewound and rewritten)."""
    checked, prev_hash, expected_seq = 0, GENESIS_HASH, 1
    last_id = 0
    qs = AuditEvent.objects.select_related("content_type").order_by("pk")
    while True:
        chunk = list(qs.filter(pk__gt=last_id)[:batch])
        if not chunk:
            break
        for event in chunk:
            last_id = event.pk
            if event.seq != expected_seq:
                return checked, ChainProblem(
                    event.pk,
                    event.seq,
                    f"expected event number {expected_seq} here but found {event.seq}: an event was deleted "
                    "or the events were reordered",
                )
            if event.prev_hash != prev_hash:
                return checked, ChainProblem(
                    event.pk,
                    event.seq,
                    "its link does not match the event before it: an event was deleted, edited or reordered",
                )
            if event_hash(event) != event.hash:
                return checked, ChainProblem(event.pk, event.seq, "its content does not match its hash: edited")
            prev_hash, expected_seq = event.hash, expected_seq + 1
            checked += 1
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is not None and (head.seq != expected_seq - 1 or head.hash != prev_hash):
        return checked, ChainProblem(
            None,
            head.seq,
            f"the chain ends at event number {expected_seq - 1} but the head records "
            f"number {head.seq}: the newest events were deleted or changed",
        )
    path = anchor_path() if anchor is _SETTING else anchor
    if path is not None:
        return checked, anchor_verify(Path(path), end=expected_seq - 1)
    return checked, None


def _anchor_entries(path: Path) -> Iterator[tuple[int, int, str]]:
    """(line number, event number, hash) of each line of the anchor file."""
    with path.open(encoding="ascii", errors="replace") as lines:
        for number, line in enumerate(lines, 1):
            parts = line.split()
            if not parts:
                continue
            if len(parts) < 2 or not parts[0].isdigit() or len(parts[1]) != 64:
                yield number, -1, ""
            else:
                yield number, int(parts[0]), parts[1]


def anchor_verify(path: Path, *, end: int, batch: int = 5000) -> ChainProblem | None:
    """Compare every event the anchor file ``path`` records with the table, whose intact chain ends
    at number ``end``. Events committed after the last anchored one are not a problem (the anchor
    is written just after each commit); an anchored event missing or different is."""
    if not path.exists() or path.stat().st_size == 0:
        if end == 0:
            return None
        return ChainProblem(
            None,
            end,
            f"the anchor {path} is missing or empty while the table holds {end} "
            "events: it was deleted, or never written (an anchor belongs to one database; an "
            "upgraded installation writes it with its next event)",
            anchor=True,
        )
    highest, differs = 0, None
    entries = _anchor_entries(path)
    while chunk := [entry for _, entry in zip(range(batch), entries, strict=False)]:
        bad = next((line for line, seq, _ in chunk if seq < 0), None)
        if bad is not None:
            return ChainProblem(
                None, None, f"line {bad} of the anchor {path} is unreadable: the anchor was edited", anchor=True
            )
        stored = dict(AuditEvent.objects.filter(seq__in={seq for _, seq, _ in chunk}).values_list("seq", "hash"))
        for _line, seq, hash_ in chunk:
            highest = max(highest, seq)
            if seq in stored and stored[seq] != hash_ and (differs is None or seq < differs):
                differs = seq
    if differs is not None:
        return ChainProblem(
            None,
            differs,
            f"event number {differs} differs from the anchor {path}: the chain was rewound and rewritten from there",
            anchor=True,
        )
    if highest > end:
        return ChainProblem(
            None,
            highest,
            f"the anchor {path} records event number {highest} but the table "
            f"ends at number {end}: the newest events were deleted and the chain head rewound",
            anchor=True,
        )
    return None
