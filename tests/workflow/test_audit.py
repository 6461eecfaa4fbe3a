"""The audit trail: no state change without its history row and its chained event, naming the right
actor; events cannot be changed; tampering is found by ``audit_verify``."""

import datetime as dt

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from viewflow.workflow.models import Task

from tests.helpers import (
    APPEAL_REASON,
    DECISION_REASON,
    EXPECTED_STORY,
    NIP_STAFF,
    RETURN_NOTE,
    as_csv,
    good_rows,
    pack_in_force,
    rows,
    whole_lifecycle,
)
from workflow.models import (
    AppendOnlyError,
    AppraisalProcess,
    AuditAction,
    AuditEvent,
    EkspektasiPerilaku,
    Evaluasi,
    HasilPenilaian,
    Iki,
    PembukaanPeriode,
    RealisasiRhk,
    Rhk,
    Skp,
    StatusSkp,
    UmpanBalikPerilaku,
)
from workflow.services import appraisal as svc
from workflow.services.audit import audit_record, audit_verify
from workflow.services.system import SYSTEM_USERNAME

pytestmark = pytest.mark.django_db
A = AuditAction


def events_of(obj):
    return list(AuditEvent.objects.filter(object_id=str(obj.pk), content_type__model=obj._meta.model_name))


def test_a_whole_lifecycle_leaves_history_and_an_event_for_every_state_change(org, opened_by_bkd, bkd, rules_pack):
    skp = whole_lifecycle(org, org.pelaksana, org.kasi)
    assert skp.status == StatusSkp.FINAL
    system = get_user_model().objects.get(username=SYSTEM_USERNAME)
    who = {
        "admin": bkd,
        "employee": org.pelaksana.user,
        "assessor": org.kasi.user,
        "system": system,
        "superior": org.kabid.user,
    }

    # The events tell the story in order, each naming its actor.
    events = events_of(skp)
    assert [(e.action, e.actor) for e in events] == [(a, who[w]) for a, w, _b, _a in EXPECTED_STORY]
    for event, (_action, _who, before, after) in zip(events, EXPECTED_STORY, strict=True):
        assert event.before.get("status") == before and event.after.get("status", after) == after
    returned = next(e for e in events if e.action == A.PLAN_RETURNED)
    assert returned.reason == RETURN_NOTE
    assert (
        next(e for e in events if e.action == A.FINAL_REVIEW_SUBMITTED).reason == "Capaian luar biasa saat KLB campak"
    )
    scored = next(e for e in events if e.action == A.APPRAISAL_SCORED)
    assert scored.after["predikat"] == skp.hasil.predikat
    assert scored.after["rule_version"] == str(pack_in_force().number)
    assert next(e for e in events if e.action == A.APPEAL_FILED).reason == APPEAL_REASON
    assert next(e for e in events if e.action == A.APPEAL_DECIDED).reason == DECISION_REASON
    keberatan = skp.keberatan
    assert keberatan.history.filter(history_user=org.kabid.user).exists()

    # Every status the SKP went through is a history row by the same actor as its event; the reasons
    # given are the rows' change reasons.
    rows_ = list(skp.history.order_by("history_date", "history_id"))
    changes = [
        (r.status, r.history_user)
        for prev, r in zip([None, *rows_], rows_, strict=False)
        if prev is None or prev.status != r.status
    ]
    assert changes == [(after, who[w]) for _a, w, _b, after in EXPECTED_STORY if after is not None]
    assert skp.history.filter(status=StatusSkp.DIKEMBALIKAN).get().history_change_reason == RETURN_NOTE[:100]
    assert skp.history.filter(history_change_reason__startswith="Capaian luar biasa").exists()

    # No history row of the appraisal, its children, its process or its tasks lacks an actor.
    evaluasi = list(Evaluasi.objects.filter(skp=skp).values_list("pk", flat=True))
    rhk = list(Rhk.history.filter(skp_id=skp.pk).values_list("id", flat=True))
    histories = {
        "skp": skp.history.all(),
        "rhk": Rhk.history.filter(skp_id=skp.pk),
        "iki": Iki.history.filter(rhk_id__in=rhk),
        "ekspektasi": EkspektasiPerilaku.history.filter(skp_id=skp.pk),
        "evaluasi": Evaluasi.history.filter(skp_id=skp.pk),
        "realisasi": RealisasiRhk.history.filter(evaluasi_id__in=evaluasi),
        "perilaku": UmpanBalikPerilaku.history.filter(evaluasi_id__in=evaluasi),
        "hasil": HasilPenilaian.history.filter(skp_id=skp.pk),
        "process": AppraisalProcess.history.filter(id=skp.process_id),
        "tasks": Task.history.filter(process_id=skp.process_id),
    }
    for name, qs in histories.items():
        assert qs.exists(), name
        assert not qs.filter(history_user__isnull=True).exists(), name
    assert histories["iki"].filter(target_angka=98).exists()  # the revision is in the history
    assert histories["perilaku"].count() >= 7 and histories["hasil"].count() == 2

    # Every task row viewflow saved is in the history: the last history row is the task as it is now,
    # and each human step was completed by the person who did it; the timer fired as the system.
    for task in Task.objects.filter(process_id=skp.process_id):
        last = task.history.order_by("-history_date", "-history_id").first()
        assert (last.status, last.owner_id, last.finished) == (task.status, task.owner_id, task.finished)
    done_by = {(h.flow_task.name, h.history_user.username) for h in histories["tasks"].filter(status="DONE")}
    assert ("draft_plan", org.pelaksana.user.username) in done_by
    assert ("approve_plan", org.kasi.user.username) in done_by
    assert ("wait_final_window", SYSTEM_USERNAME) in done_by
    # The process goes on after publication: the appeal window (a timer) is open.
    process = AppraisalProcess.objects.get(pk=skp.process_id)
    assert histories["process"].order_by("-history_date", "-history_id").first().status == process.status
    assert Task.objects.filter(process_id=skp.process_id, flow_task_type="TIMER", status="SCHEDULED").exists()

    # And the chain holds.
    assert audit_verify()[1] is None


def test_bulk_opening_records_each_appraisal_and_the_job(org, periode, opened_by_bkd, bkd):
    skps = list(Skp.objects.filter(periode=periode))
    assert len(skps) == 6
    for skp in skps:
        assert [(e.action, e.actor) for e in events_of(skp)] == [(A.APPRAISAL_OPENED, bkd)]
        assert {h.history_user for h in skp.history.all()} == {bkd}
        assert AppraisalProcess.history.filter(id=skp.process_id, history_user=bkd).exists()
    system = get_user_model().objects.get(username=SYSTEM_USERNAME)  # the fixture created the period from code
    assert [(e.action, e.actor) for e in events_of(periode)] == [
        (A.PERIOD_CREATED, system),
        (A.PERIOD_OPENED, bkd),
        (A.PERIOD_OPENING_FINISHED, bkd),
    ]
    job = PembukaanPeriode.objects.get()
    assert [h.status for h in job.history.order_by("history_date", "history_id")] == ["queued", "running", "done"]
    assert not job.history.filter(history_user__isnull=True).exists()


def test_opening_without_a_named_admin_is_recorded_as_the_system(org, opened):
    skp = Skp.objects.get(pegawai=org.pelaksana)
    assert events_of(skp)[0].actor.username == SYSTEM_USERNAME
    assert {h.history_user.username for h in skp.history.all()} == {SYSTEM_USERNAME}


def test_an_import_leaves_history_and_an_event_naming_the_importing_admin(org, bkd):
    from workflow.models import Pegawai
    from workflow.services.org_import import org_import, read_rows

    org_import(instansi=org.instansi, rows=read_rows(as_csv(good_rows()), "org.csv"), by=bkd)
    event = AuditEvent.objects.get(action=A.ORG_IMPORTED)
    assert event.actor == bkd and event.instansi_id == org.instansi.pk
    assert event.after["created"]["pegawai"] == 3
    staff = Pegawai.objects.get(nip=NIP_STAFF)
    assert {h.history_user for h in staff.history.all()} == {bkd}


def test_a_dry_run_import_leaves_no_event(org, bkd):
    from workflow.services.org_import import org_import, read_rows

    org_import(instansi=org.instansi, rows=read_rows(as_csv(good_rows()), "org.csv"), by=bkd, dry_run=True)
    assert not AuditEvent.objects.filter(action=A.ORG_IMPORTED).exists()


def test_rule_changes_are_events_of_the_system_when_loaded_by_a_command(rules_pack):
    published = AuditEvent.objects.filter(action=A.RULE_VERSION_PUBLISHED)
    assert published.exists()
    assert {e.actor.username for e in published} == {SYSTEM_USERNAME}
    assert published.first().after["status"] == "published"


def test_a_request_names_its_id_and_address_in_the_events(
    client, org, periode, bkd, django_capture_on_commit_callbacks
):
    client.force_login(bkd)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/kinerja/buka-periode/", {"periode": periode.pk}, HTTP_X_REQUEST_ID="req-0123456789abcdef"
        )
    assert response.status_code == 302
    assert response["X-Request-ID"] == "req-0123456789abcdef"
    opened = AuditEvent.objects.get(action=A.PERIOD_OPENED)
    assert (opened.actor, opened.request_id, opened.ip) == (bkd, "req-0123456789abcdef", "127.0.0.1")


# --- append-only --------------------------------------------------------------------------------


@pytest.fixture
def three_events(org):
    return [
        audit_record(action=A.PERIOD_CREATED, obj=org.instansi, after={"n": n}, reason=f"uji {n}") for n in range(3)
    ]


def test_an_event_cannot_be_changed_or_deleted_through_the_orm(three_events):
    event = three_events[0]
    event.reason = "diubah"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(reason="diubah")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.bulk_update([event], ["reason"])
    assert AuditEvent.objects.get(pk=event.pk).reason == "uji 0"
    assert audit_verify() == (3, None)


def test_the_admin_shows_events_read_only(client, three_events, bkd, org):
    from django.contrib.auth.models import Permission

    superuser = get_user_model().objects.create_superuser("root", password="Rahasia-2026!")
    event = three_events[0]
    for user in (superuser, bkd):
        client.force_login(user)
        base = "/admin/workflow/auditevent/"
        assert client.get(base).status_code == 200
        assert client.get(f"{base}add/").status_code == 403
        page = client.get(f"{base}{event.pk}/change/")
        assert page.status_code == 200 and b'name="reason"' not in page.content
        assert client.post(f"{base}{event.pk}/change/", {"reason": "diubah"}).status_code == 403
        assert client.post(f"{base}{event.pk}/delete/", {"post": "yes"}).status_code == 403
        assert client.post(
            base, {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"}
        ).status_code in (200, 302)
    assert AuditEvent.objects.count() == 3 and AuditEvent.objects.get(pk=event.pk).reason == "uji 0"
    assert not Permission.objects.filter(codename__in=["change_auditevent", "delete_auditevent"]).exists()


@pytest.mark.postgres
def test_postgres_refuses_raw_updates_and_deletes_of_events(three_events):
    from django.db import DatabaseError, transaction

    for sql in ("UPDATE workflow_auditevent SET reason = 'x'", "DELETE FROM workflow_auditevent"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as c:
            c.execute(sql)
    assert AuditEvent.objects.count() == 3


# --- tampering ----------------------------------------------------------------------------------


def tamper(sql, params=()):
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # only a superuser can do this: switch the triggers off
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(sql, params)


def verify():
    call_command("audit_verify", stdout=__import__("io").StringIO())


def test_an_intact_chain_verifies(three_events, capsys):
    out = __import__("io").StringIO()
    call_command("audit_verify", stdout=out)
    assert "3 events" in out.getvalue()


def test_an_edited_event_is_named(three_events):
    tamper("UPDATE workflow_auditevent SET reason = %s WHERE id = %s", ["disunting", three_events[1].pk])
    with pytest.raises(CommandError, match=f"event id {three_events[1].pk} ") as caught:
        verify()
    assert caught.value.returncode == 1


def test_an_edited_value_inside_the_json_is_named(three_events):
    tamper("UPDATE workflow_auditevent SET after = %s WHERE id = %s", ['{"n": 7}', three_events[0].pk])
    with pytest.raises(CommandError, match=f"event id {three_events[0].pk} "):
        verify()


def test_a_deleted_event_is_found_at_the_next_one(three_events):
    tamper("DELETE FROM workflow_auditevent WHERE id = %s", [three_events[1].pk])
    with pytest.raises(CommandError, match=f"event id {three_events[2].pk} "):
        verify()


def test_deleting_the_newest_event_is_found_against_the_head(three_events):
    tamper("DELETE FROM workflow_auditevent WHERE id = %s", [three_events[2].pk])
    with pytest.raises(CommandError, match="end of the chain"):
        verify()


def test_reordered_events_are_named(three_events):
    first, second = three_events[0], three_events[1]
    # Swap the places of two events (their numbers), keeping everything else.
    tamper("UPDATE workflow_auditevent SET seq = 1000 WHERE id = %s", [first.pk])
    tamper("UPDATE workflow_auditevent SET seq = %s WHERE id = %s", [first.seq, second.pk])
    tamper("UPDATE workflow_auditevent SET seq = %s WHERE id = %s", [second.seq, first.pk])
    with pytest.raises(CommandError, match=f"event id {first.pk} "):
        verify()


def test_events_appended_after_a_verify_keep_the_chain(three_events, org):
    verify()
    audit_record(action=A.PERIOD_CREATED, obj=org.instansi)
    assert audit_verify() == (4, None)


# --- batched writes (one step's history rows and events inserted together) ---------------------


def test_a_batch_writes_its_history_rows_and_chained_events_when_it_ends(org, three_events):
    from django.db import transaction

    from workflow.models import Instansi
    from workflow.services.audit import audit_batch

    before = Instansi.history.count()
    with transaction.atomic(), audit_batch():
        for n in range(3):
            org.instansi.nama = f"Pemerintah Provinsi Uji {n}"
            org.instansi.save()
            audit_record(action=A.PERIOD_CREATED, obj=org.instansi, after={"batch": n})
        # Collected, not written yet: nothing new is visible inside the block.
        assert Instansi.history.count() == before
        assert not AuditEvent.objects.filter(after__has_key="batch").exists()
    names = list(Instansi.history.order_by("-history_id").values_list("nama", flat=True)[:3])
    assert names == ["Pemerintah Provinsi Uji 2", "Pemerintah Provinsi Uji 1", "Pemerintah Provinsi Uji 0"]
    batched = list(AuditEvent.objects.filter(after__has_key="batch").order_by("seq"))
    assert [e.after["batch"] for e in batched] == [0, 1, 2]
    assert [e.seq for e in batched] == [three_events[-1].seq + 1, three_events[-1].seq + 2, three_events[-1].seq + 3]
    assert audit_verify() == (6, None)


def _copies(model, originals) -> list:
    """Unsaved copies of ``originals`` (every field but the id)."""
    names = [f.attname for f in model._meta.concrete_fields if not f.primary_key]
    return [model(**{name: getattr(original, name) for name in names}) for original in originals]


def _values(model, ids) -> list[dict]:
    rows = model._default_manager.filter(pk__in=ids).order_by("pk").values()
    return [{k: v for k, v in row.items() if k != model._meta.pk.attname} for row in rows]


def test_a_batch_writes_each_row_as_bulk_create_writes_it(org, opened_by_bkd, bkd, rules_pack):
    """The batch builds its INSERTs itself (one head and one row of placeholders per table, the
    fields' own conversions for the values): for every table it wrote in a whole lifecycle — each
    history table and the notices — copies of its rows inserted that way read back exactly as
    copies inserted by Django's ``bulk_create`` (several rows, and one)."""
    from django.apps import apps
    from django.db import transaction

    from workflow.services.audit import _insert_statement, _run

    whole_lifecycle(org, org.pelaksana, org.kasi)
    models = [m for m in apps.get_models() if m.__name__.startswith("Historical")]
    models.append(apps.get_model("workflow", "Notifikasi"))
    checked = 0
    for model in models:
        originals = list(model._default_manager.order_by("pk")[:40])
        if len(originals) < 2:
            continue
        ids = model._default_manager.order_by("-pk").values_list("pk", flat=True)
        with transaction.atomic(), time_machine.travel(dt.datetime(2026, 12, 9, 9, tzinfo=dt.UTC), tick=False):
            top = ids.first()
            _run(
                [
                    _insert_statement(model, _copies(model, originals)),
                    _insert_statement(model, _copies(model, originals[:1])),
                ]
            )
            ours = sorted(ids.filter(pk__gt=top))
            model._default_manager.bulk_create(_copies(model, originals))
            model._default_manager.bulk_create(_copies(model, originals[:1]))
            theirs = sorted(ids.filter(pk__gt=ours[-1]))
        assert len(ours) == len(theirs) == len(originals) + 1
        assert _values(model, ours) == _values(model, theirs), model.__name__
        checked += 1
    assert checked >= 8  # the lifecycle wrote many tables; a test that compared none would prove nothing


@pytest.mark.postgres
def test_on_postgresql_several_rows_go_in_one_statement_whatever_their_number(org, opened_by_bkd, bkd, rules_pack):
    """Several rows are sent as Django's ``bulk_create`` sends them on PostgreSQL: one array per
    column (``UNNEST``), so the statement is the same text with the same placeholders for 2 rows
    or 40 (converted by the driver and planned by the server once), and reads back the same."""
    from django.db import transaction
    from viewflow.workflow.models import Task

    from workflow.services.audit import _insert_statement, _run

    whole_lifecycle(org, org.pelaksana, org.kasi)
    model = Task.history.model
    originals = list(model._default_manager.order_by("pk")[:40])
    assert len(originals) > 10
    few, many = (
        _insert_statement(model, _copies(model, originals[:2])),
        _insert_statement(model, _copies(model, originals)),
    )
    width = len([f for f in model._meta.concrete_fields if not f.primary_key])
    assert few[0] == many[0] and "UNNEST" in many[0] and many[0].count("%s") == width
    assert len(many[1]) == width and all(len(column) == len(originals) for column in many[1])
    ids = model._default_manager.order_by("-pk").values_list("pk", flat=True)
    with transaction.atomic():
        top = ids.first()
        _run([many])
        assert _values(model, sorted(ids.filter(pk__gt=top))) == _values(model, [o.pk for o in originals])


def test_a_batch_that_fails_writes_nothing(org, three_events):
    from django.db import transaction

    from workflow.models import Instansi
    from workflow.services.audit import audit_batch

    before = (Instansi.history.count(), AuditEvent.objects.count())
    with pytest.raises(RuntimeError), transaction.atomic(), audit_batch():
        org.instansi.nama = "Tidak jadi"
        org.instansi.save()
        audit_record(action=A.PERIOD_CREATED, obj=org.instansi)
        raise RuntimeError("the step failed")
    assert (Instansi.history.count(), AuditEvent.objects.count()) == before
    org.instansi.refresh_from_db()
    assert org.instansi.nama != "Tidak jadi"
    assert audit_verify() == (3, None)


def test_a_step_inserts_each_history_table_once(org, opened, rules_pack):
    """Submitting a plan writes the task, SKP, RHK and IKI history and the event in one statement
    per table, however many rows."""
    from django.test.utils import CaptureQueriesContext

    skp = Skp.objects.get(pegawai=org.pelaksana)
    with CaptureQueriesContext(connection) as ctx:
        svc.plan_submit(skp=skp, by=org.pelaksana.user, pendekatan="kuantitatif", rows=rows(3))
    # On PostgreSQL the batch sends its statements in one round trip, separated by ";\n".
    statements = [sql.strip() for q in ctx.captured_queries for sql in q["sql"].split(";\n")]
    inserts = [sql.split('"')[1] for sql in statements if sql.startswith("INSERT INTO")]
    history = [t for t in inserts if t.startswith("workflow_historical")]
    assert sorted(history) == sorted(set(history)), history
    assert {
        "workflow_historicaltask",
        "workflow_historicalskp",
        "workflow_historicalrhk",
        "workflow_historicaliki",
    } <= set(history)
    assert inserts.count("workflow_auditevent") == 1
    assert Task.history.filter(process_id=skp.process_id).count() >= 3
    assert audit_verify()[1] is None


@pytest.mark.postgres
def test_a_step_sends_its_rows_and_its_event_in_one_round_trip(org, opened, rules_pack):
    """On PostgreSQL a step's history rows, the next task's due date and notification, its event and
    the chain head's update go to the database together — sent in one pipeline, one wait for all
    their results — after the chain head is locked; the chain stays whole and the rows are there."""
    from psycopg import pq

    from workflow.models import Notifikasi, TenggatTugas

    sent = []  # (statement, whether the connection was in a pipeline when it was sent)

    def watch(execute, sql, params, many, context):
        sent.append((sql, connection.connection.pgconn.pipeline_status != pq.PipelineStatus.OFF))
        return execute(sql, params, many, context)

    skp = Skp.objects.get(pegawai=org.pelaksana)
    with connection.execute_wrapper(watch):
        svc.plan_submit(skp=skp, by=org.pelaksana.user, pendekatan="kuantitatif", rows=rows(3))
    piped = [i for i, (_sql, in_pipeline) in enumerate(sent) if in_pipeline]
    assert piped == list(range(piped[0], piped[-1] + 1))  # one pipeline: consecutive statements
    together = " ".join(sent[i][0] for i in piped)
    for table in ("workflow_auditevent", "workflow_historicalskp", "workflow_historicaltask"):
        assert f'INSERT INTO "{table}"' in together
    for table in ("workflow_tenggattugas", "workflow_notifikasi"):
        assert f'INSERT INTO "{table}"' in together
    assert 'UPDATE "workflow_auditchainhead"' in together
    assert "FOR UPDATE" in sent[piped[0] - 1][0]  # the head, locked just before
    assert not any('"workflow_auditevent"' in sql for sql, in_pipeline in sent if not in_pipeline)
    approve = Task.objects.get(process_id=skp.process_id, flow_task=svc._node("approve_plan"))
    assert TenggatTugas.objects.filter(task=approve).exists()
    assert Notifikasi.objects.filter(penerima=approve.owner, tautan__contains=f"/{approve.pk}/").exists()
    assert audit_verify()[1] is None


def test_a_savepoint_rolled_back_inside_a_batch_leaves_no_rows(org, three_events):
    from django.db import transaction

    from workflow.models import Instansi
    from workflow.services.audit import audit_batch

    before = Instansi.history.count()
    with transaction.atomic(), audit_batch():
        org.instansi.nama = "Tetap"
        org.instansi.save()
        audit_record(action=A.PERIOD_CREATED, obj=org.instansi, after={"kept": True})
        with pytest.raises(RuntimeError), transaction.atomic(), audit_batch():
            org.instansi.nama = "Dibatalkan"
            org.instansi.save()
            audit_record(action=A.PERIOD_CREATED, obj=org.instansi, after={"kept": False})
            raise RuntimeError("this appraisal failed; the others stand")
    assert list(
        Instansi.history.filter(history_id__gt=0).order_by("-history_id").values_list("nama", flat=True)[:1]
    ) == ["Tetap"]
    assert Instansi.history.count() == before + 1
    assert [e.after for e in AuditEvent.objects.filter(after__has_key="kept")] == [{"kept": True}]
    assert audit_verify() == (4, None)
