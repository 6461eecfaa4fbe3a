"""Querysets compiled once and run again with new values (``project.prepared``) give what the
querysets themselves give — the same rows, fields, related objects and SQL — on SQLite and on
PostgreSQL (the suite runs on both), and refuse a queryset whose SQL their values would change."""

import datetime as dt

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.models import Count
from django.db.models.sql import compiler
from django.test.utils import CaptureQueriesContext
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from project.prepared import Prepared
from workflow.flows import AppraisalFlow
from workflow.models import Pegawai, Skp
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


def _count_compiles(monkeypatch, compiler_class) -> list:
    """The models whose statements ``compiler_class`` compiles from now on, one entry per compile."""
    compiles = []
    original = compiler_class.as_sql

    def counted(self, *args, **kwargs):
        compiles.append(self.query.model)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(compiler_class, "as_sql", counted)
    return compiles


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
    compiles = _count_compiles(monkeypatch, compiler.SQLUpdateCompiler)
    tasks = list(Task.objects.filter(flow_task=AppraisalFlow.draft_plan).order_by("pk"))
    assert len(tasks) >= 5
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
