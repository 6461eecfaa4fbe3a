"""Querysets the ORM compiles once per connection and that then run with new values as SQL text.

The steps of a workflow repeat a handful of reads whose shape never changes — the open task of a
process with its owner and process, the flow lock on a process row, the audit chain's head — and
Django builds and compiles each of them afresh on every call: a ``select_related`` read of the
task costs about a millisecond of CPU before it reaches the database, a tenth of a step.

``Prepared(build)`` takes a function that returns the queryset for some integer arguments (ids).
On its first use on a connection it builds the queryset twice, with two sets of marker values,
compiles both, and checks that the SQL is the same and that each marker — and nothing else —
changed between the two parameter lists: then the SQL depends on the arguments only through those
parameters, and a later call just puts its own values in their places. What the arguments may not
change — the node of a task, a status list — belongs in the function's closure (one ``Prepared``
per value). The rows become model instances the way ``ModelIterable`` makes them (the database's
converters, ``from_db``, ``select_related`` objects, annotations), so the objects are those the
queryset itself gives. Unlike ``project.sql``, nothing is written by hand: the ORM writes the SQL.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured
from django.db import connections, transaction
from django.db.models import QuerySet, prefetch_related_objects
from django.db.models.fields.related_descriptors import (
    ForwardManyToOneDescriptor,
    ManyToManyDescriptor,
    ReverseManyToOneDescriptor,
    ReverseOneToOneDescriptor,
)
from django.db.models.query import ModelIterable, Prefetch, get_related_populators
from django.db.models.sql import InsertQuery, UpdateQuery

_NUMBERS = itertools.count()

# Two sets of marker ids, far from any id a table hands out and from each other.
_MARKS = (-1_900_000_001, -1_800_000_001)


@dataclass
class _Plan:
    sql: str
    slots: list[tuple[int | None, object]]  # per parameter: (argument index, None) or (None, constant)
    compiler: object  # the compiled template: select list, klass_info, converters
    model_rows: bool
    # for model rows: where the model's own columns are, their attribute names, the related objects' populators
    columns: tuple[int, int] = (0, 0)
    init_list: list[str] | None = None
    populators: list | None = None
    # the select list's converters, worked out once (``results_iter`` does it on every read); None: let it
    converters: dict | None = None


class Prepared:
    """``build(*ids) -> QuerySet`` compiled once per database connection; see the module."""

    def __init__(self, build: Callable[..., QuerySet], *, arity: int, using: str = "default"):
        self.build = build
        self.arity = arity
        self.using = using
        self._attr = f"_kinerja_prepared_{next(_NUMBERS)}"  # never reused (an id() is, once the object is gone)

    def _plan(self, connection) -> _Plan:
        plan = connection.__dict__.get(self._attr)
        if plan is None:
            plan = connection.__dict__[self._attr] = self._compile()
        return plan

    def _compile(self) -> _Plan:
        marks = [[base - i for i in range(self.arity)] for base in _MARKS]
        compiled = []
        for values in marks:
            queryset = self.build(*values)
            compiler = queryset.query.get_compiler(using=self.using)
            sql, params = compiler.as_sql()
            compiled.append((queryset, compiler, sql, list(params)))
        (queryset, compiler, sql, params), (_, _, sql_2, params_2) = compiled
        if sql != sql_2 or len(params) != len(params_2):
            raise ImproperlyConfigured(f"{self.build!r}: the SQL changes with the values")
        slots: list[tuple[int | None, object]] = []
        for one, two in zip(params, params_2, strict=True):
            if one == two:
                if one in marks[0] or one in marks[1]:
                    raise ImproperlyConfigured(f"{self.build!r}: a marker left unchanged")
                slots.append((None, one))
            elif one in marks[0] and two == marks[1][marks[0].index(one)]:
                slots.append((marks[0].index(one), None))
            else:
                raise ImproperlyConfigured(f"{self.build!r}: a parameter changes with the values in another way")
        if {index for index, _ in slots if index is not None} != set(range(self.arity)):
            raise ImproperlyConfigured(f"{self.build!r}: an argument does not reach the SQL")
        model_rows = queryset._iterable_class is not None and issubclass(queryset._iterable_class, ModelIterable)
        if model_rows and (queryset._known_related_objects or compiler.has_extra_select):
            raise ImproperlyConfigured(f"{self.build!r}: not a plain read of model rows")
        plan = _Plan(sql=sql, slots=slots, compiler=compiler, model_rows=model_rows)
        if model_rows:
            select, klass_info = compiler.select, compiler.klass_info
            start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
            plan.columns = (start, end)
            plan.init_list = [column[0].target.attname for column in select[start:end]]
            plan.populators = get_related_populators(klass_info, select, self.using)
            fields = [column[0] for column in select[0 : compiler.col_count]]
            if not compiler.has_composite_fields(fields):  # else: through ``results_iter`` each time
                plan.converters = compiler.get_converters(fields)
        return plan

    def forget(self) -> None:
        """Drop the plan compiled on this thread's connection (the next use compiles it again)."""
        connections[self.using].__dict__.pop(self._attr, None)

    def rows(self, *ids: int) -> list[tuple]:
        """The raw rows (for a lock, or a ``values_list`` read)."""
        return self._run(self._plan(connections[self.using]), ids)

    def _run(self, plan: _Plan, ids) -> list[tuple]:
        if len(ids) != self.arity or not all(type(i) is int for i in ids):
            raise TypeError(f"{self.build!r} takes {self.arity} ids")
        params = [ids[index] if index is not None else constant for index, constant in plan.slots]
        with connections[self.using].cursor() as cursor:
            cursor.execute(plan.sql, params)
            return cursor.fetchall()

    def objects(self, *ids: int) -> list:
        """The model instances the queryset would give for ``ids``."""
        plan = self._plan(connections[self.using])
        if not plan.model_rows:
            raise TypeError(f"{self.build!r} does not read model rows")
        rows = self._run(plan, ids)
        if not rows:
            return []
        compiler = plan.compiler
        (start, end), model = plan.columns, compiler.klass_info["model"]
        found = []
        if plan.converters is None:
            rows = compiler.results_iter(results=[rows])
        elif plan.converters:
            rows = compiler.apply_converters(rows, plan.converters)
        for row in rows:
            obj = model.from_db(self.using, plan.init_list, row[start:end])
            for populator in plan.populators:
                populator.populate(row, obj)
            for name, position in compiler.annotation_col_map.items():
                setattr(obj, name, row[position])
            found.append(obj)
        return found

    def first(self, *ids: int):
        """The first instance, or None (``build`` should slice to one row: ``[:1]``)."""
        found = self.objects(*ids)
        return found[0] if found else None

    def get(self, *ids: int):
        """The one instance, as ``QuerySet.get`` (``build`` should slice to two rows: ``[:2]``)."""
        found = self.objects(*ids)
        model = self._plan(connections[self.using]).compiler.klass_info["model"]
        if not found:
            raise model.DoesNotExist(f"{model._meta.object_name} matching the query does not exist.")
        if len(found) > 1:
            raise model.MultipleObjectsReturned(f"get() returned more than one {model._meta.object_name}.")
        return found[0]


# --- related rows read for many instances -------------------------------------------------------

# How many ids one read of related rows takes: a list's length rounded up to one of these (the
# SQL of an ``IN`` list changes with its length, so each length is a statement of its own; the
# padding repeats the last id, which changes no result).
_BUCKETS = (1, 2, 4, 8, 16, 32, 64, 128, 256)


class PreparedPrefetch:
    """``prefetch_related_objects(instances, Prefetch(name, queryset=build()))`` for a reverse
    foreign key (``skp.rhk_set``) or a reverse one-to-one (``process.skp``) of ``model``, with its
    read compiled once per connection (one ``Prepared`` per bucket of ids, see ``_BUCKETS``).
    The instances get what Django's prefetch gives them: the rows in their prefetch cache (or the
    one row in the field cache), each row pointing back at its instance. Instances that hold
    ``name`` already are left as they are; ids that are not integers go through Django."""

    def __init__(self, model: type, name: str, build: Callable[[], QuerySet] | None = None):
        descriptor = getattr(model, name)
        if isinstance(descriptor, ReverseOneToOneDescriptor):
            self.single, self.field, self.cache_name = True, descriptor.related.field, descriptor.related.cache_name
        elif isinstance(descriptor, ReverseManyToOneDescriptor) and not isinstance(descriptor, ManyToManyDescriptor):
            self.single, self.field, self.cache_name = False, descriptor.field, descriptor.field.remote_field.cache_name
        else:
            raise ImproperlyConfigured(f"{model.__name__}.{name}: not a reverse foreign key or one-to-one")
        self.name = name
        self.build = build or self.field.model._default_manager.all
        self._by_size: dict[int, Prepared] = {}

    def _prepared(self, size: int) -> Prepared:
        prepared = self._by_size.get(size)
        if prepared is None:
            lookup = f"{self.field.attname}__in"

            def build(*ids):
                queryset = self.build().filter(**{lookup: ids})
                return queryset.order_by() if self.single else queryset

            prepared = self._by_size[size] = Prepared(build, arity=size)
        return prepared

    def _holds(self, instance) -> bool:
        if self.single:
            return self.field.remote_field.is_cached(instance)
        return self.cache_name in getattr(instance, "_prefetched_objects_cache", {})

    def __call__(self, instances) -> list:
        """Read ``name`` for ``instances``; returns the rows read."""
        todo = [i for i in instances if not self._holds(i)]
        target = self.field.target_field.attname
        ids = sorted({getattr(i, target) for i in todo} - {None})
        if not ids:
            return []
        if not all(type(i) is int for i in ids):
            prefetch_related_objects(todo, Prefetch(self.name, queryset=self.build()))
            return []
        rows = []
        for start in range(0, len(ids), _BUCKETS[-1]):
            chunk = ids[start : start + _BUCKETS[-1]]
            size = next(b for b in _BUCKETS if b >= len(chunk))
            rows += self._prepared(size).objects(*chunk, *[chunk[-1]] * (size - len(chunk)))
        found: dict[int, list] = {}
        for row in rows:
            found.setdefault(getattr(row, self.field.attname), []).append(row)
        for instance in todo:
            mine = found.get(getattr(instance, target), [])
            for row in mine:
                if not self.field.is_cached(row):
                    self.field.set_cached_value(row, instance)
            if self.single:
                self.field.remote_field.set_cached_value(instance, mine[0] if mine else None)
                continue
            queryset = getattr(instance, self.name).get_queryset()
            queryset._result_cache, queryset._prefetch_done = mine, True
            instance.__dict__.setdefault("_prefetched_objects_cache", {})[self.cache_name] = queryset
        return rows


@functools.cache
def row_by_pk(model: type) -> Prepared:
    """``model._base_manager.filter(pk=…)[:2]``, one per model for every caller: ``.get(pk)`` is
    ``QuerySet.get``, ``.first(pk)`` the row or None (the signed-in user, a foreign key's row)."""
    return Prepared(lambda pk: model._base_manager.filter(pk=pk)[:2], arity=1)


# --- the row a foreign key points to ------------------------------------------------------------


def prepare_forward(*descriptors: ForwardManyToOneDescriptor) -> None:
    """``instance.<field>`` for these foreign keys (and one-to-one fields), when the instance does
    not hold the row yet, reads it by a statement compiled once per connection instead of building
    and compiling ``_base_manager.filter(pk=…)`` again (the owner of a step's next task, the unit of
    a plan). The row and the errors are Django's: ``DoesNotExist`` for a key that names no row. A key
    to another column than the primary key, or a parent link, is refused; an instance of another
    database, or a key value that is not an integer, goes through Django."""
    for descriptor in descriptors:
        if not isinstance(descriptor, ForwardManyToOneDescriptor):
            raise ImproperlyConfigured(f"{descriptor!r}: not a foreign key's descriptor")
        if hasattr(descriptor.get_object, "prepared"):
            continue
        field = descriptor.field
        related = field.remote_field.model
        if field.remote_field.parent_link or field.target_field != related._meta.pk:
            raise ImproperlyConfigured(f"{field}: a parent link, or a key to another column than the primary key")
        read = row_by_pk(related)
        original = descriptor.get_object

        def get_object(instance, _original=original, _read=read, _attname=field.attname):
            value = getattr(instance, _attname)
            if type(value) is not int or instance._state.db not in (None, "default"):
                return _original(instance)
            return _read.get(value)

        get_object.prepared = read
        descriptor.get_object = get_object  # this field's descriptor only (an attribute of the instance)


# --- many rows' new values in one statement ----------------------------------------------------

_BULK_UPDATES = "_kinerja_prepared_bulk_updates"


def bulk_update(model, objs, fields: list[str]) -> int:
    """``model._default_manager.bulk_update(objs, fields)`` (its rows' count), sending the UPDATE
    Django wrote for the first update of the same shape on this connection — the same model, fields
    and number of rows, the same of the values empty (Django writes ``NULL`` into the statement) —
    with the new values in its parameters, instead of building and compiling its ``CASE WHEN`` of
    every field and row again. The first one goes through Django and its statement is kept only
    if it was one statement whose parameters are, in order, each field's (row id, value) pairs and
    then the ids: what Django's ``bulk_update`` binds. An expression among the values, a field with a
    placeholder of its own, ids that are not distinct integers, another database: through Django."""
    manager = model._default_manager
    names = list(fields)
    objs = list(objs)
    connection = connections["default"]
    fields = [model._meta.get_field(name) for name in names]
    pks = [obj.pk for obj in objs]
    if (
        not objs
        or any(type(pk) is not int for pk in pks)
        or len(set(pks)) != len(pks)
        or any(not f.concrete or f.primary_key or f.many_to_many or hasattr(f, "get_placeholder") for f in fields)
        or any(obj._state.db not in (None, "default") for obj in objs)
    ):
        return manager.bulk_update(objs, names)
    params, empty = [], []
    for field in fields:
        for pk, obj in zip(pks, objs, strict=True):
            value = getattr(obj, field.attname)
            if hasattr(value, "resolve_expression"):
                return manager.bulk_update(objs, names)
            value = field.get_db_prep_save(value, connection)
            params.append(pk)
            if value is not None:  # Django writes NULL into the statement
                params.append(value)
            empty.append(value is None)
    params.extend(pks)
    plans = connection.__dict__.setdefault(_BULK_UPDATES, {})
    key = (model, tuple(f.attname for f in fields), len(objs), tuple(empty))
    sql = plans.get(key)
    if sql is None:  # the first of its shape: Django's statement, kept if its parameters are these
        rows, sent = _sent_statements(connection, lambda: manager.bulk_update(objs, names))
        plans[key] = sent[0][0] if len(sent) == 1 and sent[0][1] == params else ""
        return rows
    if not sql:
        return manager.bulk_update(objs, names)
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


_BULK_INSERTS = "_kinerja_prepared_bulk_inserts"


def _sent_statements(connection, run) -> tuple[object, list[tuple[str, list]]]:
    """``run()``'s result and the statements it sent on ``connection`` (SQL, parameters)."""
    sent = []

    def keep(execute, sql, sql_params, many, context):
        sent.append((sql, list(sql_params or ())))
        return execute(sql, sql_params, many, context)

    with connection.execute_wrapper(keep):
        return run(), sent


def bulk_create(model, objs) -> list:
    """``model._default_manager.bulk_create(objs)`` for new rows (no id yet) on a database that
    returns the new ids, sending the ``INSERT … RETURNING`` Django wrote for the first insert of as
    many rows of ``model`` on this connection, with the new values in its parameters, instead of
    building and compiling it again. Each row is prepared as Django prepares it (its related
    objects' ids taken, each field's ``pre_save``, ``get_db_prep_save``); it gets its id and is
    marked saved. The statement is kept only if Django sent one whose parameters were those values
    row by row in field order (``VALUES``), or column by column (PostgreSQL's ``UNNEST`` of arrays),
    and it returned just the ids; anything else goes through Django."""
    manager = model._default_manager
    objs = list(objs)
    connection = connections["default"]
    opts = model._meta
    fields = [f for f in opts.concrete_fields if not f.generated and f is not opts.pk]
    if (
        not objs
        or not connection.features.can_return_rows_from_bulk_insert
        or opts.db_returning_fields != [opts.pk]
        or any(p._meta.concrete_model is not opts.concrete_model for p in opts.all_parents)
        or any(hasattr(f, "get_placeholder") for f in fields)
        or any(obj._is_pk_set() or obj._state.db not in (None, "default") for obj in objs)
    ):
        return manager.bulk_create(objs)
    plans = connection.__dict__.setdefault(_BULK_INSERTS, {})
    key = (model, len(objs))
    plan = plans.get(key)
    if plan is None:  # the first of its shape: Django's statement, kept if its parameters are these
        created, sent = _sent_statements(connection, lambda: manager.bulk_create(objs))
        rows = [[f.get_db_prep_save(getattr(obj, f.attname), connection) for f in fields] for obj in created]
        plans[key] = ("", "")
        if len(sent) == 1 and _ints(obj.pk for obj in created):
            sql, sent_params = sent[0]
            if sent_params == [value for row in rows for value in row]:  # VALUES (…), (…): row by row
                plans[key] = (sql, "rows")
            elif sent_params == [list(column) for column in zip(*rows, strict=True)]:  # PostgreSQL's UNNEST
                plans[key] = (sql, "columns")
        return created
    sql, form = plan
    if not sql:
        return manager.bulk_create(objs)
    rows = []
    for obj in objs:
        obj._prepare_related_fields_for_save(operation_name="bulk_create")
        values = [f.pre_save(obj, True) for f in fields]
        if any(hasattr(value, "resolve_expression") for value in values):
            return manager.bulk_create(objs)
        rows.append([f.get_db_prep_save(value, connection) for f, value in zip(fields, values, strict=True)])
    if form == "rows":
        params = [value for row in rows for value in row]
    else:
        params = [list(column) for column in zip(*rows, strict=True)]
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
        if len(rows) != len(objs) or not _ints(row[0] for row in rows):  # rolled back with the INSERT
            raise ImproperlyConfigured(f"{model!r}: the INSERT returned {rows!r}")
    for obj, (pk,) in zip(objs, rows, strict=True):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = "default"
    return objs


def _ints(values) -> bool:
    return all(type(v) is int for v in values)


class BulkUpdateManager:
    """What ``simple_history.utils.bulk_update_with_history(..., manager=...)`` asks of a manager
    (its ``model`` and ``bulk_update``), with the update above."""

    def __init__(self, model: type):
        self.model = model

    def bulk_update(self, objs, fields, batch_size=None) -> int:
        if batch_size is not None:
            return self.model._default_manager.bulk_update(objs, fields, batch_size=batch_size)
        return bulk_update(self.model, objs, fields)


# --- saves of existing rows -----------------------------------------------------------------------

_UPDATES = "_kinerja_prepared_updates"


def prepare_updates(*models: type) -> None:
    """A save of an existing row of ``models`` sends the UPDATE Django compiled for the first save
    of the same fields (and the same of them empty: Django writes ``NULL`` into the statement) on
    this connection, with the new values in its parameters, instead of
    building and compiling the statement again (viewflow saves a task row three times a step).
    A save that needs more than plain values — an expression (``F()``), a field with a placeholder
    of its own, ``select_on_save``, a base manager that filters, another database — goes through
    Django as before."""
    for model in models:
        if getattr(model._do_update, "_kinerja_prepared", False):
            continue
        original = model._do_update

        def _do_update(self, base_qs, using, pk_val, values, update_fields, forced_update, _original=original):
            if (
                not values
                or using not in (None, "default")
                or self._meta.select_on_save
                or base_qs.query.where
                or any(hasattr(f, "get_placeholder") for f, _, _ in values)
                or any(hasattr(v, "resolve_expression") or hasattr(v, "prepare_database_save") for _, _, v in values)
            ):
                return _original(self, base_qs, using, pk_val, values, update_fields, forced_update)
            connection = connections["default"]
            opts = base_qs.model._meta
            prepared = [f.get_db_prep_save(v, connection) for f, _, v in values]
            params = [value for value in prepared if value is not None]  # Django writes NULL into the SQL
            params.append(opts.pk.get_db_prep_value(pk_val, connection))
            plans = connection.__dict__.setdefault(_UPDATES, {})
            key = (base_qs.model, tuple(f.attname for f, _, _ in values), tuple(v is None for v in prepared))
            sql = plans.get(key)
            if sql is None:
                query = base_qs.filter(pk=pk_val).query.chain(UpdateQuery)
                query.add_update_fields(values)
                sql, compiled_params = query.get_compiler(using="default").as_sql()
                if len(compiled_params) != len(params) or compiled_params[-1] != params[-1]:
                    raise ImproperlyConfigured(f"{base_qs.model!r}: an UPDATE whose values are not its parameters")
                plans[key] = sql
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                return cursor.rowcount > 0

        _do_update._kinerja_prepared = True
        model._do_update = _do_update


_INSERTS = "_kinerja_prepared_inserts"


def prepare_inserts(*models: type) -> None:
    """A save of a new row of ``models`` sends the INSERT Django compiled for the first such save of
    the same fields on this connection (``INSERT … RETURNING`` the id), with the new values in its
    parameters, instead of building and compiling the statement again (every step creates a task,
    and most a review or a result). The values are what Django's compiler binds: each field's
    ``pre_save`` (``raw``: the value as it is) through ``get_db_prep_save``. A save that needs more —
    an expression, a field with a placeholder of its own, returned values with converters, a
    database that cannot return them, another database — goes through Django as before."""
    for model in models:
        if getattr(model._do_insert, "_kinerja_prepared", False):
            continue
        original = model._do_insert

        def _do_insert(self, manager, using, fields, returning_fields, raw, _original=original):
            connection = connections["default"]
            if (
                using not in (None, "default")
                or not fields
                or not connection.features.can_return_columns_from_insert
                or any(hasattr(f, "get_placeholder") for f in fields)
            ):
                return _original(self, manager, using, fields, returning_fields, raw)
            values = [getattr(self, f.attname) if raw else f.pre_save(self, True) for f in fields]
            if any(hasattr(v, "resolve_expression") for v in values):
                return _original(self, manager, using, fields, returning_fields, raw)
            table = manager.model  # the table this part of the save writes (a parent's, under inheritance)
            key = (table, tuple(f.attname for f in fields), tuple(f.attname for f in returning_fields or ()))
            plans = connection.__dict__.setdefault(_INSERTS, {})
            sql = plans.get(key)
            if sql is None:  # the first of its shape: the statement Django writes for it
                sql = plans[key] = _insert_sql(table, self, fields, returning_fields)
            if not sql:  # "": not one Django writes with plain parameters
                return _original(self, manager, using, fields, returning_fields, raw)
            params = [f.get_db_prep_save(v, connection) for f, v in zip(fields, values, strict=True)]
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                return [cursor.fetchone()] if returning_fields else []

        _do_insert._kinerja_prepared = True
        model._do_insert = _do_insert


def _insert_sql(model, obj, fields, returning_fields) -> str:
    """The single-row INSERT into ``model``'s table Django writes for ``obj``'s ``fields``
    (returning ``returning_fields``), or "" when it is not one whose parameters are just the
    fields' values in order, or whose returned values need converting."""
    query = InsertQuery(model)
    query.insert_values(fields, [obj], raw=True)
    compiler = query.get_compiler(using="default")
    compiler.returning_fields = returning_fields
    statements = compiler.as_sql()
    cols = [f.get_col(model._meta.db_table) for f in returning_fields or ()]
    if len(statements) != 1 or compiler.get_converters(cols):
        return ""
    sql, params = statements[0]
    if len(params) != len(fields) or (returning_fields and "RETURNING" not in sql.upper()):
        return ""
    return sql
