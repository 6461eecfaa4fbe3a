"""Versions: copy, publish through the gate, overlaps, immutability, retire, and a publish seen by
other processes without a restart."""

import datetime as dt
import multiprocessing
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connections, transaction
from django.test.utils import CaptureQueriesContext

import rules
from rules.choices import VersionStatus
from rules.errors import RuleSetError
from rules.models import RuleSetVersion, TableRow
from rules.services import (
    rule_set_ensure,
    rule_version_copy,
    rule_version_create,
    rule_version_publish,
    rule_version_retire,
    table_rows_save,
)
from rules.spec import RowSpec
from tests.helpers import policy_outputs

from .conftest import table


def current(pack_version_number=2):
    """The pack's version in force from 2026 (version 1 ends on 2025-12-31)."""
    return RuleSetVersion.objects.get(rule_set__key="penilaian-kinerja", number=pack_version_number)


def policy_rows(days):
    return [RowSpec({}, policy_outputs(hari_keberatan=days))]


def draft_with_policy(days, by=None):
    draft = rule_version_copy(version=current(), by=by)
    table_rows_save(table=draft.tables.get(name="kebijakan"), rows=policy_rows(days), by=by)
    # the stored test case expects 14 days; keep it consistent with the change
    case = draft.tables.get(name="kebijakan").test_cases.get()
    case.expected = {"hari_keberatan": days}
    case.save()
    return draft


def test_published_version_is_immutable(pack):
    row = TableRow.objects.filter(table__version=current()).first()
    row.outputs = {"rating": "di_atas"}
    with pytest.raises(ValidationError, match="cannot be changed"):
        row.save()
    with pytest.raises(RuleSetError):
        table_rows_save(table=row.table, rows=[RowSpec({}, {"rating": "sesuai"}, True)])


def test_copy_publish_supersedes_and_is_used_from_its_date(pack):
    draft = draft_with_policy(21)
    assert draft.status == VersionStatus.DRAFT and draft.based_on == current()
    rule_version_publish(version=draft, effective_from=dt.date(2027, 1, 1))
    old = current()
    assert old.effective_to == dt.date(2026, 12, 31)
    assert (
        rules.evaluate("penilaian-kinerja", "kebijakan", {}, on=dt.date(2026, 12, 31)).outputs["hari_keberatan"] == 14
    )
    new = rules.evaluate("penilaian-kinerja", "kebijakan", {}, on=dt.date(2027, 1, 1))
    assert new.outputs["hari_keberatan"] == 21 and new.version.number == draft.number


def test_publish_gate_blocks_a_failing_test_case_and_leaves_a_draft(pack):
    draft = rule_version_copy(version=current())
    table_rows_save(table=draft.tables.get(name="kebijakan"), rows=policy_rows(30))  # the stored case still expects 14
    with pytest.raises(RuleSetError) as exc:
        rule_version_publish(version=draft, effective_from=dt.date(2027, 1, 1))
    assert any(p.code == "test_failed" and "hari_keberatan" in p.message for p in exc.value.problems)
    draft.refresh_from_db()
    assert draft.status == VersionStatus.DRAFT
    assert current().effective_to is None


def test_overlapping_published_versions_are_refused_and_nothing_changes(pack):
    draft = draft_with_policy(21)
    with pytest.raises(RuleSetError, match="overlaps"):
        rule_version_publish(version=draft, effective_from=dt.date(2026, 1, 1), effective_to=dt.date(2026, 6, 30))
    draft.refresh_from_db()
    assert draft.status == VersionStatus.DRAFT and current().effective_to is None


def test_publishing_before_the_version_in_force_is_refused(pack):
    draft = draft_with_policy(21)
    with pytest.raises(RuleSetError, match="overlaps"):
        rule_version_publish(version=draft, effective_from=dt.date(2022, 1, 1))


@pytest.mark.postgres
def test_database_refuses_two_published_versions_in_force_on_one_date(pack):
    draft = draft_with_policy(21)
    draft.status, draft.effective_from = VersionStatus.PUBLISHED, dt.date(2024, 1, 1)
    with pytest.raises(IntegrityError), transaction.atomic():
        RuleSetVersion.save(draft, update_fields=["status", "effective_from"])


def test_model_validation_refuses_overlap(pack):
    draft = draft_with_policy(21)
    draft.status, draft.effective_from = VersionStatus.PUBLISHED, dt.date(2024, 1, 1)
    with pytest.raises(ValidationError, match="already in force"):
        draft.full_clean()


def test_invalid_table_creates_nothing(db):
    rule_set = rule_set_ensure(key="uji", title="Uji")
    with pytest.raises(RuleSetError) as exc:
        rule_version_create(rule_set=rule_set, specs=[table(rows=[])])
    assert [p.code for p in exc.value.problems] == ["no_rows"]
    assert not RuleSetVersion.objects.filter(rule_set=rule_set).exists()


def test_retire_takes_the_version_out_of_force(pack):
    rule_version_retire(version=current())
    with pytest.raises(rules.RuleEvaluationError, match="No published version"):
        rules.evaluate("penilaian-kinerja", "kebijakan", {}, on=dt.date(2026, 1, 1))
    with pytest.raises(RuleSetError):
        rule_version_retire(version=current())


def test_a_new_rule_set_publishes_and_evaluates(db):
    rule_set = rule_set_ensure(key="uji", title="Uji")
    version = rule_version_create(rule_set=rule_set, specs=[table()])
    rule_version_publish(version=version, effective_from=dt.date(2024, 1, 1))
    assert rules.evaluate("uji", "t", {"a": -1}, on=dt.date(2024, 1, 2)).outputs == {"o": 1}
    assert rules.evaluate("uji", "t", {"a": 1e-9}, on=dt.date(2024, 1, 2)).outputs == {"o": 0}


def test_an_engine_crash_during_the_gate_refuses_the_publish_not_the_worker(db, monkeypatch):
    import os

    from rules import gate

    rule_set = rule_set_ensure(key="uji", title="Uji")
    version = rule_version_create(rule_set=rule_set, specs=[table()])
    monkeypatch.setattr(
        gate, "_engine_checks", lambda specs, ref: os._exit(70)
    )  # the forked child dies without answering
    with pytest.raises(RuleSetError) as exc:
        rule_version_publish(version=version, effective_from=dt.date(2024, 1, 1))
    assert [p.code for p in exc.value.problems] == ["engine_crash"]
    version.refresh_from_db()
    assert version.status == VersionStatus.DRAFT


def _evaluator(day, seconds, queue):
    seen, errors = [], []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            decision = rules.evaluate("penilaian-kinerja", "kebijakan", {}, on=day)
            seen.append((decision.version.number, decision.outputs["hari_keberatan"]))
        except Exception as exc:  # reported to the test
            errors.append(repr(exc))
        if seen and seen[-1][0] != 2:
            break
    connections.close_all()
    queue.put((seen, errors))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_publish_is_picked_up_by_running_processes(pack):
    day = dt.date.today()
    draft = draft_with_policy(21)
    connections.close_all()  # children open their own connections
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    workers = [ctx.Process(target=_evaluator, args=(day, 20, queue)) for _ in range(3)]
    for w in workers:
        w.start()
    time.sleep(1.0)  # the workers are evaluating version 2
    rule_version_publish(version=draft, effective_from=day)
    results = [queue.get(timeout=60) for _ in workers]
    for w in workers:
        w.join(10)
    for seen, errors in results:
        assert errors == []
        assert seen[0] == (2, 14)
        assert seen[-1] == (draft.number, 21)
        first_new = seen.index((draft.number, 21))
        assert all(s == (draft.number, 21) for s in seen[first_new:])


def test_a_decisions_recorded_hash_gives_the_versions_tables_without_a_query(pack, django_assert_num_queries):
    """``table_specs(id, hash)``: a trace names its version by id and the start of its content
    hash; content this process compiled under that hash is read without a query, the same specs
    as from the database. A hash that does not match (another content under a reused id, a
    draft) reads the database."""
    version = current()
    decision = rules.evaluate("penilaian-kinerja", "kebijakan", {})  # compiles the version in force
    recorded = decision.to_dict()["version"]
    assert recorded["id"] == version.pk and version.content_hash.startswith(recorded["hash"])
    from_db = rules.table_specs(version.pk)
    with django_assert_num_queries(0):
        assert rules.table_specs(version.pk, recorded["hash"]) == from_db
    with django_assert_num_queries(1):
        assert rules.table_specs(version.pk, "0" * 16) == from_db
    draft = draft_with_policy(30)
    draft_specs = rules.table_specs(draft.pk, recorded["hash"])
    assert draft_specs["kebijakan"].rows != from_db["kebijakan"].rows


@pytest.mark.django_db(transaction=True)
def test_the_version_in_force_is_kept_between_changes_and_a_publish_is_seen_at_once(settings):
    """With a shared cache, a process keeps the version in force it read (no query the next
    time) until a version is saved: the publication, once committed, is seen by the next read;
    a publication rolled back changes nothing; a transaction keeps what was read unless it changed
    a version itself, and then it reads its own change."""
    from django.core.management import call_command

    from rules.selectors import _kept_versions, version_in_force

    call_command("load_rules", str(settings.BASE_DIR / "config" / "rules"), stdout=__import__("io").StringIO())
    settings.KINERJA_CACHE_URL = "redis://shared"  # only asked whether one is configured
    _kept_versions.clear()
    day = dt.date(2026, 6, 1)
    first = version_in_force(rule_set="penilaian-kinerja", on=day)
    with CaptureQueriesContext(connections["default"]) as queries:
        assert version_in_force(rule_set="penilaian-kinerja", on=day) == first
    assert len(queries) == 0

    draft = draft_with_policy(21)
    with pytest.raises(RuntimeError), transaction.atomic():
        rule_version_publish(version=draft, effective_from=day, reason="dicoba")
        raise RuntimeError("rolled back")
    assert version_in_force(rule_set="penilaian-kinerja", on=day) == first

    rule_version_publish(version=RuleSetVersion.objects.get(pk=draft.pk), effective_from=day, reason="berlaku")
    assert version_in_force(rule_set="penilaian-kinerja", on=day).pk == draft.pk
    with transaction.atomic(), CaptureQueriesContext(connections["default"]) as queries:
        assert version_in_force(rule_set="penilaian-kinerja", on=day).pk == draft.pk
    assert len(queries) == 0  # a transaction that changed no version reads what others committed

    later, later_day = draft_with_policy(22), day + dt.timedelta(days=30)
    assert version_in_force(rule_set="penilaian-kinerja", on=later_day).pk == draft.pk
    with pytest.raises(RuntimeError), transaction.atomic():
        rule_version_publish(version=later, effective_from=later_day, reason="dicoba")
        with CaptureQueriesContext(connections["default"]) as queries:
            assert version_in_force(rule_set="penilaian-kinerja", on=later_day).pk == later.pk  # its own change
        assert len(queries) == 1
        raise RuntimeError("rolled back")
    with transaction.atomic():  # the connection's next transaction keeps no trace of the rolled-back one
        assert version_in_force(rule_set="penilaian-kinerja", on=later_day).pk == draft.pk
    settings.KINERJA_CACHE_URL = ""
    with CaptureQueriesContext(connections["default"]) as queries:
        version_in_force(rule_set="penilaian-kinerja", on=day)
    assert len(queries) == 1


@pytest.mark.django_db(transaction=True)
def test_a_version_read_by_its_id_is_kept_until_a_version_is_saved(settings):
    """A version read by id (a result's trace names it) is kept by the process like the version
    in force: no query the next time; a publication that closes it is seen once committed, a
    rolled-back one never; a transaction that changed no version keeps what was read."""
    from django.core.management import call_command

    from rules.selectors import _kept_versions

    call_command("load_rules", str(settings.BASE_DIR / "config" / "rules"), stdout=__import__("io").StringIO())
    settings.KINERJA_CACHE_URL = "redis://shared"  # only asked whether one is configured
    _kept_versions.clear()
    day = dt.date(2026, 6, 1)
    first = rules.version_on("penilaian-kinerja", day)
    assert rules.version_by_id(first.pk).effective_to is None
    with CaptureQueriesContext(connections["default"]) as queries:
        kept = rules.version_by_id(first.pk)
        assert kept.pk == first.pk and kept.rule_set.key == "penilaian-kinerja"
    assert len(queries) == 0

    draft = draft_with_policy(21)
    with pytest.raises(RuntimeError), transaction.atomic():
        rule_version_publish(version=draft, effective_from=day, reason="dicoba")
        raise RuntimeError("rolled back")
    assert rules.version_by_id(first.pk).effective_to is None
    rule_version_publish(version=RuleSetVersion.objects.get(pk=draft.pk), effective_from=day, reason="berlaku")
    assert rules.version_by_id(first.pk).effective_to == day - dt.timedelta(days=1)
    with transaction.atomic(), CaptureQueriesContext(connections["default"]) as queries:
        assert rules.version_by_id(draft.pk).pk == draft.pk
    assert len(queries) == 1
    settings.KINERJA_CACHE_URL = ""
