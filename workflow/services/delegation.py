"""Moving work between people: an admin reassigns open tasks, an assessor delegates for a while."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from ..models import Delegasi, Pegawai
from ..models.audit import AuditAction
from ..selectors.appraisal import skp_of_task
from ..selectors.capaian import penetapan_of_task
from ..selectors.org import admin_instansi_ids
from .audit import audit_record
from .deadlines import notify_assigned


def _task_instansi(task: Task) -> int | None:
    skp = skp_of_task(task)
    if skp is None and (penetapan := penetapan_of_task(task)) is not None:
        return penetapan.unit.instansi_id
    return skp.pegawai.instansi_id if skp is not None else None


def tasks_reassign(*, task_ids: list[int], to: Pegawai, by, reason: str) -> int:
    """Give open tasks (one or many) to ``to``, with a reason recorded on each task's history.
    Everything is checked first; nothing changes if anything is wrong."""
    allowed = admin_instansi_ids(by)
    errors = []
    if not reason.strip():
        errors.append(_("Write the reason for the reassignment."))
    if not to.aktif or to.user_id is None or not to.user.is_active:
        errors.append(_("%(name)s is not an active employee with an account; choose someone else.") % {"name": to.nama})
    if to.instansi_id not in allowed:
        errors.append(_("%(name)s belongs to another government.") % {"name": to.nama})
    tasks = list(Task.objects.filter(pk__in=task_ids).select_related("process", "owner"))
    if not tasks:
        errors.append(_("Choose at least one task."))
    for task in tasks:
        if _task_instansi(task) not in allowed:
            raise PermissionDenied
        if task.status not in (STATUS.NEW, STATUS.ASSIGNED):
            errors.append(_("Task #%(id)s is no longer open.") % {"id": task.pk})
        elif to.user_id is not None and (refusal := task.flow_task.refusal(to.user, task)) is not None:
            errors.append(refusal)  # separation of duties, as the step's node defines it
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        for task in tasks:
            with task.flow_task.flow_class.lock(task.process_id):
                task.refresh_from_db()
                before = {"owner": task.owner.username if task.owner_id else None, "status": task.status}
                task.owner = to.user
                task.status = STATUS.ASSIGNED
                task._history_user = by
                task._change_reason = reason.strip()[:100]
                task.save(update_fields=["owner", "status"])
                audit_record(
                    action=AuditAction.TASK_REASSIGNED,
                    obj=skp_of_task(task) or penetapan_of_task(task),
                    by=by,
                    reason=reason.strip(),
                    before=before,
                    after={
                        "owner": to.user.username,
                        "status": task.status,
                        "task": task.pk,
                        "step": str(task.title),
                    },
                )
                notify_assigned(task)
    return len(tasks)


@transaction.atomic
def delegation_create(
    *, pemberi: Pegawai, penerima: Pegawai, mulai: dt.date, selesai: dt.date, alasan: str, by
) -> Delegasi:
    """An assessor names an official to receive their appraisal tasks for a date range."""
    if not alasan.strip():
        raise ValidationError(_("Write the reason for the delegation."))
    delegation = Delegasi(pemberi=pemberi, penerima=penerima, mulai=mulai, selesai=selesai, alasan=alasan.strip())
    delegation.full_clean()
    delegation._history_user = by
    delegation.save()
    audit_record(
        action=AuditAction.DELEGATION_CREATED,
        obj=pemberi,
        by=by,
        reason=delegation.alasan,
        after={"penerima": penerima.nama, "mulai": mulai, "selesai": selesai},
    )
    return delegation
