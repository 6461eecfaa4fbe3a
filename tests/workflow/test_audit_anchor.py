"""The audit log's tail: TRUNCATE is refused, the chain head is anchored outside the table so
deleting the newest events (and rewinding the head) is found, and the production role setup of the
README leaves the application role unable to change, delete, truncate or unprotect the events."""

import io
import re

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from workflow.models import AuditAction, AuditChainHead, AuditEvent
from workflow.services.audit import audit_record, audit_verify

pytestmark = pytest.mark.django_db


@pytest.fixture
def anchor(settings, tmp_path):
    path = tmp_path / "audit-anchor"
    settings.KINERJA_AUDIT_ANCHOR = str(path)
    return path


@pytest.fixture
def committed_events(org, anchor, django_capture_on_commit_callbacks):
    """Five events, each appended and committed on its own (the anchor is written on commit)."""
    events = []
    for n in range(5):
        with django_capture_on_commit_callbacks(execute=True):
            events.append(audit_record(action=AuditAction.PERIOD_CREATED, obj=org.instansi, after={"n": n}))
    return events


def verify(*args):
    out = io.StringIO()
    call_command("audit_verify", *args, stdout=out)
    return out.getvalue()


def as_owner_of_the_log(*statements, params=None):
    """Run ``statements`` as the owner of the audit table would: the owner may switch its trigger off
    (on SQLite nothing guards the table)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # ALTER TABLE refuses pending FK checks
            cursor.execute("ALTER TABLE workflow_auditevent DISABLE TRIGGER USER")
        for sql in statements:
            cursor.execute(sql, params or [])
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE workflow_auditevent ENABLE TRIGGER USER")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def rewind_to(event):
    """Delete every event after ``event`` and point the chain head at it: the chain itself is intact."""
    as_owner_of_the_log("DELETE FROM workflow_auditevent WHERE seq > %s", params=[event.seq])
    AuditChainHead.objects.filter(pk=1).update(seq=event.seq, hash=event.hash)


def test_each_commit_writes_the_chain_head_to_the_anchor(committed_events, anchor):
    lines = anchor.read_text().splitlines()
    assert [line.split()[:2] for line in lines] == [[str(e.seq), e.hash] for e in committed_events]
    assert "anchor" in verify() and audit_verify() == (5, None)


def test_an_event_rolled_back_leaves_no_anchor(org, anchor, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        audit_record(action=AuditAction.PERIOD_CREATED, obj=org.instansi)
        raise RuntimeError("the change failed")
    assert not anchor.exists()
    assert audit_verify() == (0, None)


def test_deleting_the_newest_events_and_rewinding_the_head_fails_verify(committed_events):
    rewind_to(committed_events[2])
    # The table on its own is consistent again: the head matches the chain's end.
    head = AuditChainHead.objects.get(pk=1)
    assert (head.seq, AuditEvent.objects.count()) == (3, 3)
    with pytest.raises(CommandError) as caught:
        verify()
    assert caught.value.returncode == 1
    message = str(caught.value)
    assert "anchor" in message and "number 5" in message and "ends at number 3" in message


def test_a_rewound_chain_grown_past_the_old_head_fails_verify(
    org, committed_events, django_capture_on_commit_callbacks
):
    rewind_to(committed_events[2])
    for n in range(4):  # the application appends on top of the rewound head, past number 5
        with django_capture_on_commit_callbacks(execute=True):
            audit_record(action=AuditAction.PERIOD_CREATED, obj=org.instansi, after={"again": n})
    assert AuditEvent.objects.count() == 7
    with pytest.raises(CommandError, match="number 4 differs from the anchor") as caught:
        verify()
    assert caught.value.returncode == 1


def test_a_missing_anchor_fails_verify(committed_events, anchor):
    anchor.unlink()
    with pytest.raises(CommandError, match="anchor .* is missing") as caught:
        verify()
    assert caught.value.returncode == 1


def test_verify_reads_the_anchor_named_on_the_command_line(committed_events, anchor, tmp_path, settings):
    copy = tmp_path / "elsewhere"
    copy.write_text(anchor.read_text())
    settings.KINERJA_AUDIT_ANCHOR = ""
    rewind_to(committed_events[3])
    assert audit_verify() == (4, None)  # without an anchor only the table is checked
    with pytest.raises(CommandError, match="number 5"):
        verify("--anchor", str(copy))


# --- PostgreSQL: TRUNCATE and the production roles ---------------------------------------------


@pytest.mark.postgres
def test_postgres_refuses_truncate_of_events(committed_events):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # else TRUNCATE stops at the pending FK checks
        cursor.execute("TRUNCATE workflow_auditevent")
    assert AuditEvent.objects.count() == 5


def readme_grants(app_role: str) -> list[str]:
    """The grants the README tells the owner to run after each migrate, for ``app_role``."""
    readme = (django_settings.BASE_DIR / "README.md").read_text()
    block = next(b for b in re.findall(r"```sql\n(.*?)```", readme, re.S) if "REVOKE" in b)
    return [s.strip().replace("kinerja_app", app_role) for s in block.split(";") if s.strip()]


def refused(cursor, sql, match):
    with pytest.raises(DatabaseError, match=match), transaction.atomic():
        cursor.execute(sql)


@pytest.mark.postgres
def test_the_readme_roles_let_the_app_append_but_not_change_truncate_or_unprotect_the_log(org, committed_events):
    # Roles are cluster-wide: these are created inside the test's transaction and vanish with it.
    suffix = connection.settings_dict["NAME"].replace("-", "_")
    owner, app = f"kinerja_owner_{suffix}", f"kinerja_app_{suffix}"
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # ALTER TABLE refuses pending FK checks
        cursor.execute(f"CREATE ROLE {owner} NOLOGIN")
        cursor.execute(f"CREATE ROLE {app} NOLOGIN")
        cursor.execute(f"ALTER TABLE workflow_auditevent OWNER TO {owner}")
        for sql in readme_grants(app):
            cursor.execute(sql)
        cursor.execute(f"SET ROLE {app}")
        try:
            # Appending works: the insert, the chain head's update, the lookups around them.
            event = audit_record(action=AuditAction.PERIOD_CREATED, obj=org.instansi, after={"as": "app"})
            assert AuditEvent.objects.filter(pk=event.pk).exists()
            denied = "permission denied"
            refused(cursor, "UPDATE workflow_auditevent SET reason = 'x'", denied)
            refused(cursor, "DELETE FROM workflow_auditevent", denied)
            refused(cursor, "TRUNCATE workflow_auditevent", denied)
            refused(cursor, "ALTER TABLE workflow_auditevent DISABLE TRIGGER USER", "must be owner")
            refused(cursor, "ALTER TABLE workflow_auditevent DISABLE TRIGGER ALL", "must be owner")
            refused(cursor, "DROP TRIGGER workflow_auditevent_append_only ON workflow_auditevent", "must be owner")
            refused(cursor, "SET session_replication_role = replica", "permission denied")
        finally:
            cursor.execute("RESET ROLE")
    assert AuditEvent.objects.count() == 6 and audit_verify() == (6, None)
