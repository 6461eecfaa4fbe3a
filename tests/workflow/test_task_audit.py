"""Every change to a task outside its own step leaves an audit event: taken from the queue (one
task or many), given back, cancelled, revived, and the process cancelled — by viewflow's own pages
as much as ours. A refused attempt leaves nothing."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.contrib.auth import get_user_model
from viewflow.workflow.models import Task
from viewflow.workflow.status import PROCESS, STATUS

from tests.helpers import rows
from workflow.flows import AppraisalFlow
from workflow.models import AuditAction, AuditEvent, Skp
from workflow.services.appraisal import plan_submit
from workflow.services.audit import audit_verify

MARCH = dt.datetime(2026, 3, 2, tzinfo=dt.UTC)


@pytest.fixture
def queued(org, opened):
    """The Kepala Dinas's plan waits in the admins' queue: the Governor, who approves it, has no
    account."""
    skp = Skp.objects.get(pegawai=org.kadis)
    with time_machine.travel(MARCH, tick=False):
        plan_submit(skp=skp, by=org.kadis.user, pendekatan="kuantitatif", rows=rows())
    task = Task.objects.get(process_id=skp.process_id, flow_task=AppraisalFlow.approve_plan)
    assert task.owner_id is None and task.status == STATUS.NEW
    return skp, task


def events(action):
    return list(AuditEvent.objects.filter(action=action).order_by("seq"))


def test_taking_giving_back_cancelling_and_reviving_a_task_are_audited(client, org, bkd, queued):
    skp, task = queued
    base = f"/appraisal/{skp.process_id}/approve_plan"
    client.force_login(bkd)

    client.post(f"{base}/{task.pk}/assign/", {"_continue": "1"})
    assert Task.objects.get(pk=task.pk).owner == bkd
    (taken,) = events(AuditAction.TASK_TAKEN)
    assert taken.actor == bkd and taken.object_id == str(skp.pk) and taken.instansi_id == org.instansi.pk
    assert taken.before == {"task": task.pk, "step": "Setujui SKP", "owner": None, "status": STATUS.NEW}
    assert taken.after["owner"] == bkd.username and taken.after["status"] == STATUS.ASSIGNED

    client.post("/appraisal/inbox/unassign/", {"pk": [task.pk], "_confirm": "1"})
    assert Task.objects.get(pk=task.pk).owner_id is None
    (returned,) = events(AuditAction.TASK_RETURNED)
    assert returned.before["owner"] == bkd.username and returned.after == {
        "task": task.pk,
        "step": returned.after["step"],
        "owner": None,
        "status": STATUS.NEW,
    }

    client.post("/appraisal/queue/assign/", {"select_all": "1", "_confirm": "1"})
    assert [e.after["owner"] for e in events(AuditAction.TASK_TAKEN)] == [bkd.username, bkd.username]

    # cancelling and reviving one task is the superuser's (viewflow's manage permission without
    # an object: ``has_manage_permission``)
    root = get_user_model().objects.create_superuser("root-audit", password="x")  # noqa: S106
    assert client.post(f"{base}/{task.pk}/cancel/", {"_continue": "1"}).status_code == 403
    client.force_login(root)
    client.post(f"{base}/{task.pk}/cancel/", {"_continue": "1"})
    assert Task.objects.get(pk=task.pk).status == STATUS.CANCELED
    (cancelled,) = events(AuditAction.TASK_CANCELLED)
    assert cancelled.actor == root
    assert cancelled.before["status"] == STATUS.ASSIGNED and cancelled.after["status"] == STATUS.CANCELED

    client.post(f"{base}/{task.pk}/revive/", {"_continue": "1"})
    revived = Task.objects.get(process_id=skp.process_id, flow_task=AppraisalFlow.approve_plan, status=STATUS.NEW)
    (event,) = events(AuditAction.TASK_REVIVED)
    assert event.before["task"] == task.pk and event.after["task"] == revived.pk != task.pk

    # the audit search shows them, in Indonesian, to the admin of the government
    client.force_login(bkd)
    page = client.get("/kinerja/audit/", {"action": AuditAction.TASK_TAKEN}).content.decode()
    assert page.count("Tugas diambil dari antrean") >= 2
    for label in ("Tugas dikembalikan ke antrean", "Tugas dibatalkan", "Tugas dihidupkan kembali"):
        assert label in client.get("/kinerja/audit/").content.decode()
    assert audit_verify()[1] is None


def test_cancelling_a_process_is_audited_with_each_open_task(client, org, bkd, queued):
    skp, task = queued
    client.force_login(bkd)
    client.post(f"/appraisal/{skp.process_id}/cancel/", {"_cancel_process": "1"})
    assert skp.process.__class__.objects.get(pk=skp.process_id).status == PROCESS.CANCELED
    (process_event,) = events(AuditAction.PROCESS_CANCELLED)
    assert process_event.actor == bkd and process_event.object_id == str(skp.pk)
    assert process_event.after["status"] == PROCESS.CANCELED
    assert [e.after["task"] for e in events(AuditAction.TASK_CANCELLED)] == [task.pk]
    assert audit_verify()[1] is None


def test_a_refused_change_leaves_no_event(client, org, bkd, queued):
    """The employee, their assessor and an admin of the appraisal itself cannot take, cancel or
    cancel the process; nothing is written."""
    skp, task = queued
    before = AuditEvent.objects.count()
    for user in (org.kadis.user, org.kasi.user):
        client.force_login(user)
        for url, data in (
            (f"/appraisal/{skp.process_id}/approve_plan/{task.pk}/assign/", {"_continue": "1"}),
            (f"/appraisal/{skp.process_id}/approve_plan/{task.pk}/cancel/", {"_continue": "1"}),
            (f"/appraisal/{skp.process_id}/cancel/", {"_cancel_process": "1"}),
        ):
            assert client.post(url, data).status_code in (403, 404), (user, url)
        client.post("/appraisal/queue/assign/", {"select_all": "1", "_confirm": "1"})
    task.refresh_from_db()
    assert task.owner_id is None and task.status == STATUS.NEW
    assert AuditEvent.objects.count() == before
