"""Querysets compiled once and run again with new values (``project.prepared``) give what the
querysets themselves give — the same rows, fields, related objects and SQL — on SQLite and on
PostgreSQL (the suite runs on both), and refuse a queryset whose SQL their values would change."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, connections
from django.db.models import Count
from django.db.models.sql import compiler
from django.test.utils import CaptureQueriesContext
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from project.prepared import BulkUpdateManager, Prepared, PreparedPrefetch, bulk_create, bulk_update, prepare_forward
from workflow.flows import AppraisalFlow
from workflow.models import Jabatan, Pegawai, Skp, Unit
from workflow.services.tasks import open_task

pytestmark = pytest.mark.django_db


def _fields(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


def test_the_open_task_is_the_one_the_queryset_gives_with_its_owner_and_process(org, opened):
    skps = list(Skp.objects.order_by("pk"))
    assert len(skps) >= 5
    for skp in skps:
        expected = (
            Task.objects.filter(
                process_id=skp.process_id, flow_task=AppraisalFlow.draft_plan, status__in=[STATUS.NEW, STATUS.ASSIGNED]
            )
            .select_related("owner", "process")
            .first()
        )
        found = open_task(skp.process_id, AppraisalFlow.draft_plan)
        assert expected is not None and type(found) is type(expected)
        assert _fields(found) == _fields(expected)
        assert _fields(found.owner) == _fields(expected.owner)
        assert _fields(found.process) == _fields(expected.process)
        assert found.flow_task == AppraisalFlow.draft_plan and found.process.flow_class is AppraisalFlow
        assert not found._state.adding and found._state.db == "default"
    assert open_task(skps[0].process_id, AppraisalFlow.approve_plan) is None  # no such task yet
    assert open_task(10**9, AppraisalFlow.draft_plan) is None  # no such process


def _count_compiles(monkeypatch, compiler_class, forget: str = "") -> list:
    """The models whose statements ``compiler_class`` compiles from now on, one entry per compile.
    ``forget``: the connection's plans of that kind (``_kinerja_prepared_updates``, ...), which
    earlier tests on the same connection compiled, are dropped first."""
    if forget:
        connections["default"].__dict__.pop(forget, None)  # not ``connection``: a proxy with a dict of its own
    compiles = []
    original = compiler_class.as_sql

    def counted(self, *args, **kwargs):
        compiles.append(self.query.model)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(compiler_class, "as_sql", counted)
    return compiles


def _draft_tasks() -> list:
    """The opened period's plan-drafting tasks (one per employee: enough to see a statement reused)."""
    tasks = list(Task.objects.filter(flow_task=AppraisalFlow.draft_plan).order_by("pk"))
    assert len(tasks) >= 5
    return tasks


def test_a_prepared_read_is_compiled_once_per_connection_and_sends_the_querysets_sql(org, opened, monkeypatch):
    prepared = Prepared(lambda pk: Pegawai.objects.filter(unit_id=pk).select_related("jabatan").order_by("pk"), arity=1)
    unit_ids = list(Pegawai.objects.values_list("unit_id", flat=True).distinct().order_by("unit_id"))
    compiles = _count_compiles(monkeypatch, compiler.SQLCompiler)
    for unit_id in unit_ids:
        with CaptureQueriesContext(connection) as orm_queries:
            expected = list(Pegawai.objects.filter(unit_id=unit_id).select_related("jabatan").order_by("pk"))
        with CaptureQueriesContext(connection) as queries:
            found = prepared.objects(unit_id)
        assert [q["sql"] for q in queries] == [q["sql"] for q in orm_queries]  # the same statement, same values
        assert found and [_fields(p) for p in found] == [_fields(p) for p in expected]
        assert [_fields(p.jabatan) for p in found] == [_fields(p.jabatan) for p in expected]
    # the template compiled twice (its two sets of markers), then never again; the ORM form every time
    assert compiles.count(Pegawai) == 2 + len(unit_ids)


def test_annotations_come_through(org, opened):
    def build(pk):
        return Pegawai.objects.filter(unit_id=pk).annotate(n_skp=Count("skp_set")).order_by("pk")

    prepared = Prepared(build, arity=1)
    for unit_id in Pegawai.objects.values_list("unit_id", flat=True).distinct():
        expected = [(p.pk, p.n_skp) for p in build(unit_id)]
        assert [(p.pk, p.n_skp) for p in prepared.objects(unit_id)] == expected
    assert sum(p.n_skp for p in prepared.objects(org.pelaksana.unit_id)) >= 1
    assert prepared.objects(10**9) == []


def test_values_the_database_returns_raw_are_converted_on_every_read(org, opened):
    # JSON, dates and times, flags: what the backend's converters turn into Python values (more of
    # them on SQLite), worked out once per plan and applied to each read's rows
    def build(pk):
        return Task.objects.filter(process_id=pk).select_related("process").order_by("pk")

    prepared = Prepared(build, arity=1)
    Task.objects.filter(pk=Task.objects.order_by("pk").values("pk")[:1]).update(data={"n": [1, 2.5, None]})
    process_ids = list(Task.objects.values_list("process_id", flat=True).distinct().order_by("process_id"))
    assert len(process_ids) >= 3
    for _ in range(2):  # the second round runs on the plan the first one left
        for pk in process_ids:
            expected, found = list(build(pk)), prepared.objects(pk)
            assert [_fields(t) for t in found] == [_fields(t) for t in expected]
            assert [_fields(t.process) for t in found] == [_fields(t.process) for t in expected]
            assert [type(t.data) for t in found] == [type(t.data) for t in expected]
            assert all(isinstance(t.created, dt.datetime) and t.created.tzinfo is not None for t in found)
    assert any(t.data == {"n": [1, 2.5, None]} for pk in process_ids for t in prepared.objects(pk))


def test_a_foreign_key_reads_its_row_by_a_statement_compiled_once(org, opened, monkeypatch):
    # Pegawai.user, Skp.unit, Skp.pegawai, Pegawai.unit ... are prepared (workflow.signals)
    for descriptor in (Skp.unit, Skp.pegawai, Pegawai.user):
        descriptor.get_object.prepared.forget()  # earlier tests may have compiled them on this connection
    compiles = _count_compiles(monkeypatch, compiler.SQLCompiler)
    skps = list(Skp.objects.order_by("pk"))
    assert len(skps) >= 5
    for skp in skps:
        with CaptureQueriesContext(connection) as queries:
            unit, pegawai = skp.unit, skp.pegawai
            user = pegawai.user
        expected = Skp.objects.select_related("unit", "pegawai__user").get(pk=skp.pk)
        assert _fields(unit) == _fields(expected.unit) and _fields(pegawai) == _fields(expected.pegawai)
        assert (user and _fields(user)) == (expected.pegawai.user and _fields(expected.pegawai.user))
        assert len(queries) == 2 + (pegawai.user_id is not None)  # one read each, then held
        assert skp.unit is unit and pegawai.user is user
    # each read's statement compiled twice (its markers), then never again (the check above compiles a Skp read)
    assert compiles.count(Unit) == 2 and compiles.count(Pegawai) == 2 and compiles.count(Skp) == 1 + len(skps)
    # a key that names no row: Django's error, as an unprepared key gives it
    with pytest.raises(Unit.DoesNotExist):
        Pegawai(unit_id=10**9, nama="x").unit  # noqa: B018
    with pytest.raises(Jabatan.DoesNotExist):
        Pegawai(jabatan_id=10**9, nama="x").jabatan  # noqa: B018
    assert Pegawai(nama="x", user_id=None).user is None
    with pytest.raises(ImproperlyConfigured):
        prepare_forward(Unit.pegawai_set)


def test_a_bulk_update_sends_the_statement_kept_from_the_first_of_its_shape(org, opened, monkeypatch):
    from django.db.models import F, Value
    from django.db.models.functions import Concat
    from simple_history.utils import bulk_update_with_history

    compiles = _count_compiles(monkeypatch, compiler.SQLUpdateCompiler, forget="_kinerja_prepared_bulk_updates")
    units = list(Unit.objects.order_by("pk")[:4])
    assert len(units) == 4

    def read_back():
        rows = Unit.objects.filter(pk__in=[u.pk for u in units]).order_by("pk")
        return [(u.nama, u.singkatan, u.aktif, u.jabatan_kepala_id) for u in rows]

    heads = [u.jabatan_kepala_id for u in units]
    for round_ in range(3):  # one shape: Django compiles the first, the others reuse its statement
        for i, unit in enumerate(units):
            unit.nama, unit.singkatan, unit.aktif = f"Unit {round_}-{i} <&> 'x'", f"U{i}", bool((round_ + i) % 2)
        assert bulk_update(Unit, units, ["nama", "singkatan", "aktif"]) == 4
        assert read_back() == [(u.nama, u.singkatan, u.aktif, h) for u, h in zip(units, heads, strict=True)]
    assert compiles.count(Unit) == 1
    # another shape (a value empty: NULL in the statement, not a parameter): one more compile, then kept
    for round_, emptied in enumerate([1, None, 1, None]):
        for i, unit in enumerate(units):
            unit.jabatan_kepala_id = None if i == emptied else heads[i]
        units[2].nama = f"Lagi {round_}"
        assert bulk_update(Unit, units, ["nama", "jabatan_kepala"]) == 4
        assert [row[3] for row in read_back()] == [None if i == emptied else h for i, h in enumerate(heads)]
        assert read_back()[2][0] == f"Lagi {round_}"
    assert compiles.count(Unit) == 1 + (2 if heads[1] is not None else 1)
    # an expression among the values goes through Django every time, and comes out as Django writes it
    kept = compiles.count(Unit)
    for _ in range(2):
        units[0].nama = Concat(F("nama"), Value("!"))
        bulk_update(Unit, units, ["nama"])
    assert read_back()[0][0] == "Unit 2-0 <&> 'x'!!"
    assert compiles.count(Unit) == kept + 2
    # through simple-history: each row's history row, as with the model's own manager
    units = list(Unit.objects.filter(pk__in=[u.pk for u in units]).order_by("pk"))
    before = Unit.history.count()
    for unit in units:
        unit.singkatan = "Baru"
    assert bulk_update_with_history(units, Unit, ["singkatan"], manager=BulkUpdateManager(Unit)) == 4
    assert Unit.history.count() == before + 4
    assert set(Unit.objects.filter(pk__in=[u.pk for u in units]).values_list("singkatan", flat=True)) == {"Baru"}


def test_a_bulk_insert_sends_the_statement_kept_from_the_first_of_as_many_rows(org, opened, monkeypatch):
    from workflow.services.appraisal import create_with_history

    compiles = _count_compiles(monkeypatch, compiler.SQLInsertCompiler, forget="_kinerja_prepared_bulk_inserts")
    parent = Unit.objects.order_by("pk").first()

    def new_units(tag: str, n: int = 3) -> list:
        # the parent given as an object: its id is taken from it, as Django's bulk_create does
        return [
            Unit(instansi=parent.instansi, parent=parent, kode=f"{tag}-{i}", nama=f"Unit <{tag}> '{i}'", jenis="bidang")
            for i in range(n)
        ]

    def stored(units) -> list:
        return [
            (u.kode, u.nama, u.parent_id, u.instansi_id, u.jenis, u.aktif, u.singkatan)
            for u in Unit.objects.filter(pk__in=[u.pk for u in units]).order_by("pk")
        ]

    for round_ in range(3):  # three rows: Django compiles the first insert, the others reuse its statement
        units = new_units(f"B{round_}")
        assert bulk_create(Unit, units) == units
        assert all(type(u.pk) is int and not u._state.adding and u._state.db == "default" for u in units)
        assert stored(units) == [(u.kode, u.nama, parent.pk, parent.instansi_id, "bidang", True, "") for u in units]
    assert compiles.count(Unit) == 1
    assert len(bulk_create(Unit, new_units("C", 2))) == 2  # as many rows is the shape: two is another
    assert compiles.count(Unit) == 2
    # an unsaved related object is refused as Django refuses it, before anything is written
    orphan = new_units("D", 3)
    orphan[1].parent = Unit(instansi=parent.instansi, kode="x", nama="x", jenis="bidang")
    before = Unit.objects.count()
    with pytest.raises(ValueError, match="unsaved related object"):
        bulk_create(Unit, orphan)
    assert Unit.objects.count() == before
    # through the service: each row's history row, as simple-history's bulk_create_with_history writes
    history = Unit.history.count()
    units = create_with_history(new_units("E"), Unit, by=get_user_model().objects.order_by("pk").first())
    assert Unit.history.count() == history + 3
    assert {h.history_type for h in Unit.history.filter(id__in=[u.pk for u in units])} == {"+"}
    assert compiles.count(Unit) == 2


def test_values_reach_the_sql_only_as_parameters():
    with pytest.raises(ImproperlyConfigured, match="another way"):
        Prepared(lambda pk: Pegawai.objects.filter(pk__gt=pk * 2), arity=1).objects(1)
    with pytest.raises(ImproperlyConfigured, match="does not reach"):
        Prepared(lambda pk: Pegawai.objects.filter(pk=1), arity=1).objects(1)
    with pytest.raises(ImproperlyConfigured, match="SQL changes"):
        Prepared(lambda pk: Pegawai.objects.all()[: -pk % 7 + 1], arity=1).objects(1)


def test_only_ids_are_taken():
    prepared = Prepared(lambda pk: Pegawai.objects.filter(pk=pk), arity=1)
    for junk in ("1", 1.0, None, True):
        with pytest.raises(TypeError):
            prepared.objects(junk)
    with pytest.raises(TypeError):
        prepared.objects(1, 2)
    with pytest.raises(TypeError):
        Prepared(lambda pk: Pegawai.objects.filter(pk=pk).values_list("pk"), arity=1).objects(1)


# --- saves of existing rows (``prepare_updates``: Process, Task, Skp, Evaluasi, HasilPenilaian) ----


def test_a_saved_task_reads_back_as_it_was_set_whatever_its_empty_fields(org, opened, monkeypatch):
    compiles = _count_compiles(monkeypatch, compiler.SQLUpdateCompiler, forget="_kinerja_prepared_updates")
    tasks = _draft_tasks()
    moment = dt.datetime(2026, 3, 4, 5, 6, 7, tzinfo=dt.UTC)
    for n, task in enumerate(tasks):
        task.data = {"catatan": f"ke-{n}", "angka": [n, 2.5, None]}
        task.assigned = moment if n % 2 else None  # empty, then set: two shapes of the statement
        task.external_task_id = None if n % 2 else f"x-{n}"
        with CaptureQueriesContext(connection) as queries:
            task.save()
        updates = [q["sql"] for q in queries if q["sql"].startswith("UPDATE")]
        assert len(updates) == 1 and updates[0].startswith('UPDATE "viewflow_task" SET')  # and its history row
        again = Task.objects.get(pk=task.pk)
        assert (again.data, again.assigned, again.external_task_id) == (task.data, task.assigned, task.external_task_id)
    assert compiles.count(Task) == 2  # one per shape, then never again


def test_a_save_with_an_expression_goes_through_django_and_a_vanished_row_is_refused(org, opened):
    from django.db import DatabaseError, transaction
    from django.db.models import F

    from workflow.services.audit import audit_disabled

    skp = Skp.objects.order_by("pk").first()
    before = skp.urutan
    skp.urutan = F("urutan") + 1
    with audit_disabled():  # a history row cannot copy an expression: the app never saves one
        skp.save()
    skp.refresh_from_db()
    assert skp.urutan == before + 1
    task = Task.objects.filter(flow_task=AppraisalFlow.draft_plan).order_by("pk").first()
    Task.objects.filter(pk=task.pk).delete()
    task.status = STATUS.CANCELED
    with pytest.raises(DatabaseError, match="did not affect any rows"), transaction.atomic():
        task.save(update_fields=["status"])
    assert not Task.objects.filter(pk=task.pk).exists()


# --- related rows for many instances (PreparedPrefetch) ------------------------------------------


def _related(instances, name: str) -> list:
    """What each instance holds under ``name`` (read from the caches: no query allowed)."""
    return [[(_fields(row), getattr(row, row._meta.pk.attname)) for row in getattr(i, name).all()] for i in instances]


@pytest.mark.parametrize("buckets", [None, (1, 2)])  # (1, 2): five units are read in three chunks
def test_a_prepared_prefetch_fills_what_djangos_prefetch_fills(org, opened, monkeypatch, buckets):
    from django.db.models import Prefetch, prefetch_related_objects

    import project.prepared as prepared_module

    if buckets:
        monkeypatch.setattr(prepared_module, "_BUCKETS", buckets)
    pegawai = PreparedPrefetch(Unit, "pegawai_set", lambda: Pegawai.objects.select_related("jabatan"))
    skps = PreparedPrefetch(Pegawai, "skp_set")
    units = list(Unit.objects.order_by("pk"))
    assert len(units) >= 5
    for some in (units[:1], units[:3], units):
        expected = list(Unit.objects.filter(pk__in=[u.pk for u in some]).order_by("pk"))
        prefetch_related_objects(
            expected,
            Prefetch("pegawai_set", queryset=Pegawai.objects.select_related("jabatan")),
            "pegawai_set__skp_set",
        )
        found = list(Unit.objects.filter(pk__in=[u.pk for u in some]).order_by("pk"))
        with CaptureQueriesContext(connection) as queries:
            rows = pegawai(found)
            skps(rows)
        chunks = -(-len(some) // max(buckets)) if buckets else 1
        assert len(queries) == chunks + (-(-len(rows) // max(buckets)) if buckets else 1)
        with CaptureQueriesContext(connection) as reads:
            assert _related(found, "pegawai_set") == _related(expected, "pegawai_set")
            assert [[p.jabatan.nama for p in u.pegawai_set.all()] for u in found] == [
                [p.jabatan.nama for p in u.pegawai_set.all()] for u in expected
            ]
            assert [_related(u.pegawai_set.all(), "skp_set") for u in found] == [
                _related(u.pegawai_set.all(), "skp_set") for u in expected
            ]
            assert all(p.unit is u for u in found for p in u.pegawai_set.all())  # each row points back
        assert reads.captured_queries == []
        if some is units:  # some of them have staff, and some of those an SKP
            assert any(u.pegawai_set.all() for u in found)
            assert any(p.skp_set.all() for u in found for p in u.pegawai_set.all())
        # what the caches hold still filters as a queryset of the instance's rows
        assert list(found[0].pegawai_set.filter(pk__gt=0)) == list(expected[0].pegawai_set.filter(pk__gt=0))


def test_a_prepared_prefetch_is_compiled_once_per_size_and_leaves_what_is_read_already(org, opened, monkeypatch):
    pegawai = PreparedPrefetch(Unit, "pegawai_set")
    compiles = _count_compiles(monkeypatch, compiler.SQLCompiler)
    units = list(Unit.objects.order_by("pk"))
    for unit in units:
        pegawai([Unit.objects.get(pk=unit.pk)])
    assert compiles.count(Pegawai) == 2  # one size, two sets of markers, then never again
    pegawai(list(Unit.objects.filter(pk__in=[u.pk for u in units[:3]])))  # three units: padded to four
    assert compiles.count(Pegawai) == 4
    read = list(Unit.objects.filter(pk__in=[u.pk for u in units[:2]]))
    pegawai(read)
    with CaptureQueriesContext(connection) as queries:
        assert pegawai(read) == []  # held already: not read again
    assert queries.captured_queries == []


def test_a_prepared_prefetch_of_a_one_to_one_caches_the_row_or_its_absence(org, opened):
    from viewflow.workflow.models import Process

    skp_of = PreparedPrefetch(Process, "skp", lambda: Skp.objects.select_related("pegawai"))
    with_skp = list(Process.objects.filter(skp__isnull=False).order_by("pk"))
    without = [Process(pk=10**9)]  # no such process, so no SKP
    assert with_skp
    skp_of(with_skp + without)
    with CaptureQueriesContext(connection) as queries:
        for process in with_skp:
            expected = Skp.objects.select_related("pegawai").get(process_id=process.pk)
            assert process.skp.pk == expected.pk and process.skp.pegawai.nama == expected.pegawai.nama
            assert process.skp.process is process
        for process in without:
            with pytest.raises(Skp.DoesNotExist):
                process.skp  # noqa: B018 - the absence is cached as Django's prefetch caches it
    assert len(queries) == len(with_skp)  # the expected rows only


def test_a_prepared_prefetch_refuses_what_is_not_a_reverse_relation():
    with pytest.raises(ImproperlyConfigured):
        PreparedPrefetch(Skp, "pegawai")  # a forward foreign key


def test_the_inbox_start_is_the_first_page_of_the_inbox(org, opened):
    from workflow.selectors.inbox import inbox_for, inbox_start

    holders = list(get_user_model().objects.filter(pk__in=Task.objects.values("owner_id")).order_by("pk"))
    assert len(holders) >= 5
    for user in holders:
        for size in (1, 25):
            expected = list(inbox_for(user=user)[:size])
            found = inbox_start(user=user, size=size)
            assert expected and [type(t) for t in found] == [type(t) for t in expected]
            assert [_fields(t) for t in found] == [_fields(t) for t in expected]
            assert [_fields(t.process) for t in found] == [_fields(t.process) for t in expected]
            assert [getattr(t, "tenggat", None) and t.tenggat.jatuh_tempo for t in found] == [
                getattr(t, "tenggat", None) and t.tenggat.jatuh_tempo for t in expected
            ]
    nobody = get_user_model().objects.create(username="no-tasks")
    assert inbox_start(user=nobody, size=25) == [] == list(inbox_for(user=nobody)[:25])


# --- new rows (``prepare_inserts``) and history rows written in bulk ----------------------------


def test_a_new_task_is_written_by_the_statement_compiled_once_and_reads_back_as_set(org, opened, monkeypatch):
    compiles = _count_compiles(monkeypatch, compiler.SQLInsertCompiler, forget="_kinerja_prepared_inserts")
    originals = _draft_tasks()
    moment = dt.datetime(2026, 3, 4, 5, 6, 7, tzinfo=dt.UTC)
    for n, original in enumerate(originals):
        task = Task.objects.get(pk=original.pk)
        task.pk = None
        task._state.adding = True
        task.data = {"catatan": f"ke-{n}", "angka": [n, 2.5, None]}
        task.assigned = moment if n % 2 else None  # empty or not: an INSERT binds both the same way
        task.external_task_id = None if n % 2 else f"x-{n}"
        with CaptureQueriesContext(connection) as queries:
            task.save()
        inserts = [q["sql"] for q in queries if q["sql"].startswith('INSERT INTO "viewflow_task"')]
        assert len(inserts) == 1 and task.pk is not None and task.pk != original.pk
        again = Task.objects.get(pk=task.pk)
        assert _fields(again) == _fields(task)  # every field as set, the id the one the database gave
        assert again.created == task.created and again.process_id == original.process_id
    assert compiles.count(Task) == 1  # the first through Django, then never again


def test_a_new_row_holding_an_expression_goes_through_django(org, opened):
    from django.db.models import Value
    from django.db.models.functions import Concat

    from workflow.services.audit import audit_disabled

    task = Task.objects.filter(flow_task=AppraisalFlow.draft_plan).order_by("pk").first()
    task.pk, task._state.adding = None, True
    task.external_task_id = Concat(Value("a-"), Value("b"))
    with audit_disabled():  # a history row cannot copy an expression: the app never saves one
        task.save()
    assert Task.objects.get(pk=task.pk).external_task_id == "a-b"


def test_history_rows_written_in_bulk_inside_a_batch_wait_for_its_end(org, opened, bkd):
    from django.db import transaction
    from simple_history.utils import bulk_create_with_history, bulk_update_with_history

    from workflow.models import Rhk
    from workflow.services.audit import audit_batch

    skp = Skp.objects.order_by("pk").first()
    history = Rhk.history.model.objects
    with transaction.atomic():
        with audit_batch():
            made = bulk_create_with_history(
                [Rhk(skp=skp, urutan=n, jenis="utama", teks=f"Hasil {n}") for n in (1, 2)], Rhk, default_user=bkd
            )
            for rhk in made:
                rhk.teks += " (diubah)"
            bulk_update_with_history(made, Rhk, ["teks"], default_user=bkd)
            assert not history.filter(id__in=[r.pk for r in made]).exists()  # queued, not written yet
        rows = list(history.filter(id__in=[r.pk for r in made]).order_by("history_id"))
    assert [(r.id, r.history_type, r.teks, r.history_user_id) for r in rows] == [
        *[(r.pk, "+", r.teks.removesuffix(" (diubah)"), bkd.pk) for r in made],
        *[(r.pk, "~", r.teks, bkd.pk) for r in made],
    ]
    # outside a batch they are written at once, as simple-history writes them
    bulk_update_with_history(made, Rhk, ["teks"], default_user=bkd)
    assert history.filter(id__in=[r.pk for r in made]).count() == 6
