"""viewflow node customisations for the appraisal flows."""

from __future__ import annotations

from functools import update_wrapper

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path
from viewflow.fsm import TransitionNotAllowed
from viewflow.workflow import flow
from viewflow.workflow.exceptions import FlowLockFailed
from viewflow.workflow.status import STATUS

from .services.audit import audit_batch
from .services.tasks import lock_failed_message, task_already_done_message


def _process_url(flow_task, process_pk: int) -> str:
    return flow_task.flow_class.instance.reverse("process_detail", args=[process_pk])


def safe_task_view(flow_task, origin_view):
    """Like viewflow's task view wrapper (activation injected, flow lock and transaction on POST),
    but a task that is already done or a lock that cannot be had sends the user back to the
    appraisal with a clear message instead of a 403/500 page."""

    def view(request, *args, **kwargs):
        process_pk, task_pk = kwargs["process_pk"], kwargs["task_pk"]

        def call_with_activation():
            task = get_object_or_404(flow_task.flow_class.task_class, pk=task_pk, process_id=process_pk)
            if task.flow_task != flow_task:
                raise Http404
            if not flow_task.flow_class.instance.has_view_permission(request.user, task.process):
                raise PermissionDenied
            if task.status not in (STATUS.ASSIGNED, STATUS.STARTED):
                messages.warning(request, task_already_done_message())
                return HttpResponseRedirect(_process_url(flow_task, process_pk))
            request.activation = flow_task.activation_class(task)
            if not flow_task.can_execute(request.user, task):
                raise PermissionDenied
            request.activation.start(request)
            return origin_view(request, *args, **kwargs)

        try:
            if request.method == "POST":
                with flow_task.flow_class.lock(process_pk), transaction.atomic(savepoint=False), audit_batch():
                    return call_with_activation()
            return call_with_activation()
        except TransitionNotAllowed:
            messages.warning(request, task_already_done_message())
        except FlowLockFailed:
            messages.error(request, lock_failed_message())
        return HttpResponseRedirect(_process_url(flow_task, process_pk))

    update_wrapper(view, origin_view)
    return view


class AppraisalView(flow.View):
    """A human step of an appraisal: the safe wrapper above, and queued tasks may be taken only by
    an admin of the appraisal's own government."""

    @property
    def view_path(self):
        return path(
            f"<int:process_pk>/{self.name}/<int:task_pk>/execute/", safe_task_view(self, self.view), name="execute"
        )

    def can_assign(self, user, task):
        from .selectors.appraisal import skp_of_task
        from .selectors.org import admin_instansi_ids

        if task.owner_id or user is None or not user.is_authenticated:
            return False
        skp = skp_of_task(task)
        return skp is not None and skp.pegawai.instansi_id in admin_instansi_ids(user)


class AppealDecisionView(AppraisalView):
    """The appeal decision: never executed or taken by the assessor whose rating is appealed
    (separation of duties), even when an admin or a setting routes it to someone else."""

    def _is_original_assessor(self, user, task) -> bool:
        keberatan = getattr(task.process, "keberatan", None)
        penilai = keberatan.skp.penilai if keberatan is not None else None
        return penilai is not None and penilai.user_id == getattr(user, "pk", None)

    def can_execute(self, user, task):
        return super().can_execute(user, task) and not self._is_original_assessor(user, task)

    def can_assign(self, user, task):
        if task.owner_id or user is None or not user.is_authenticated or self._is_original_assessor(user, task):
            return False
        from .selectors.org import admin_instansi_ids

        keberatan = getattr(task.process, "keberatan", None)
        return keberatan is not None and keberatan.skp.pegawai.instansi_id in admin_instansi_ids(user)
