"""viewflow node customisations for the appraisal flows."""

from __future__ import annotations

import datetime as dt
from functools import cache, update_wrapper

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponseRedirect
from django.urls import path
from django.utils.timezone import now
from django.utils.translation import gettext as _
from viewflow.fsm import TransitionNotAllowed
from viewflow.workflow import flow
from viewflow.workflow.activation import Activation
from viewflow.workflow.context import context
from viewflow.workflow.exceptions import FlowLockFailed, FlowRuntimeError
from viewflow.workflow.nodes import FunctionActivation, IfActivation, SwitchActivation, TimerActivation, ViewActivation
from viewflow.workflow.nodes.handle import HandleActivation
from viewflow.workflow.nodes.start import StartHandleActivation
from viewflow.workflow.signals import flow_started, task_finished, task_started
from viewflow.workflow.status import STATUS

from project.prepared import Prepared

from .models import AuditAction, Pegawai, Skp
from .selectors.appraisal import skp_of_process, skp_of_task
from .selectors.capaian import capaian_barred, penetapan_of_process, penetapan_of_task
from .selectors.kalibrasi import is_calibrator, tugas_of_process
from .selectors.org import admin_instansi_ids, org_snapshot
from .services.audit import audit_batch, audit_record, defer_insert
from .services.deadlines import task_created
from .services.tasks import lock_failed_message, task_already_done_message


def _process_url(flow_task, process_pk: int) -> str:
    return flow_task.flow_class.instance.reverse("process_detail", args=[process_pk])


@cache
def _task_page_query(flow_class) -> Prepared:
    """A task of ``flow_class`` with what the permission checks and the step's page read of it
    (``task_page_related``), compiled once per connection (every step's page and POST read it)."""
    related = getattr(flow_class, "task_page_related", ("process", "owner"))
    tasks = flow_class.task_class._default_manager

    def build(pk, process_pk):
        return tasks.select_related(*related).filter(pk=pk, process_id=process_pk)[:2]

    return Prepared(build, arity=2)


def safe_task_view(flow_task, origin_view):
    """Like viewflow's task view wrapper (activation injected, flow lock and transaction on POST),
    but a task that is already done or a lock that cannot be had sends the user back to the
    appraisal with a clear message instead of a 403/500 page."""

    def view(request, *args, **kwargs):
        process_pk, task_pk = kwargs["process_pk"], kwargs["task_pk"]

        def call_with_activation():
            try:
                task = _task_page_query(flow_task.flow_class).get(int(task_pk), int(process_pk))
            except ObjectDoesNotExist:
                raise Http404 from None
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


def link_previous(task, previous) -> None:
    """``task.previous.add(previous)`` for a task just created; inside an ``audit_batch`` the link
    row goes with the batch's rows, in its round trip (nothing reads the predecessors of a task
    within the step that creates it: viewflow reads them to undo or revive a task, later)."""
    if not defer_insert(type(task).previous.through(from_task_id=task.pk, to_task_id=previous.pk)):
        task.previous.add(previous)


def _create_task(cls, flow_task, prev_activation, token, data=None, seed=None):
    """viewflow's ``Activation.create``: a new task row linked to the previous one (the link
    written as ``link_previous`` says)."""
    task = flow_task.flow_class.task_class(process=prev_activation.process, flow_task=flow_task, token=token)
    task.data = data if data is not None else {}
    task.seed = seed
    task.save()
    link_previous(task, prev_activation.task)
    return cls(task)


def subject_of_process(process):
    """What a process is about, for its audit events: the appraisal (or the appealed one), the
    unit's organisation achievement, or the unit's calibration."""
    subject = skp_of_process(process) or penetapan_of_process(process)
    if subject is None:
        tugas = tugas_of_process(process)
        subject = tugas.kalibrasi if tugas is not None else None
    return subject


def _task_state(task) -> dict:
    return {"task": task.pk, "step": str(task.title), "owner": task.owner.username if task.owner_id else None}


class AuditedCancel:
    """A flow whose processes, when cancelled (viewflow's process cancel page, under the flow's
    lock), leave an audit event besides each open task's own."""

    def cancel(self, process) -> None:
        with transaction.atomic():
            before = process.status
            super().cancel(process)
            audit_record(
                action=AuditAction.PROCESS_CANCELLED,
                obj=subject_of_process(process),
                before={"status": before},
                after={"status": process.status, "process": process.pk},
            )


class AppraisalActivation(ViewActivation):
    """A human task's activation: once the task exists — created by the flow, or revived by an
    admin — its node gives it its due date and tells its owner (``AppraisalView.on_task_created``).
    Whatever changes a task outside its own step — taken from the queue, given back, cancelled,
    undone or revived, by any page of viewflow's or of ours — leaves an audit event about the
    process's subject (``_audited``), in the transaction of the change."""

    # viewflow's transitions set the task's status to their target before they run: the status
    # before is the transition's source (for a cancel: a task nobody holds is NEW)
    def _audited(self, action, change, source: str, *args):
        before = _task_state(self.task) | {"status": source}
        with transaction.atomic():
            task = change(*args)
            after = _task_state(task or self.task) | {"status": (task or self.task).status}
            audit_record(action=action, obj=subject_of_process(self.task.process), before=before, after=after)
        return task

    @ViewActivation.status.super()
    def assign(self, user):
        self._audited(AuditAction.TASK_TAKEN, super().assign.original, STATUS.NEW, user)

    @ViewActivation.status.super()
    def unassign(self):
        self._audited(AuditAction.TASK_RETURNED, super().unassign.original, STATUS.ASSIGNED)

    @ViewActivation.status.super()
    def cancel(self):
        source = STATUS.ASSIGNED if self.task.owner_id else STATUS.NEW
        self._audited(AuditAction.TASK_CANCELLED, super().cancel.original, source)

    @ViewActivation.status.super()
    def undo(self):
        self._audited(AuditAction.TASK_UNDONE, super().undo.original, STATUS.DONE)

    @classmethod
    def create(cls, flow_task, prev_activation, token, data=None, seed=None):
        # viewflow's ViewActivation.create, with the link to the previous task from ``link_previous``
        task = flow_task.flow_class.task_class(process=prev_activation.process, flow_task=flow_task, token=token)
        task.data = data if data is not None else {}
        task.seed = seed
        activation = cls(task)
        owner_permission = flow_task.calc_owner_permission(activation)
        if owner_permission:
            task.owner_permission = owner_permission
            task.owner_permission_obj = flow_task.calc_owner_permission_obj(activation)
        owner = flow_task.calc_owner(activation)
        if owner:
            task.owner = owner
            task.status = STATUS.ASSIGNED
        task.save()
        link_previous(task, prev_activation.task)
        if flow_task._on_create is not None:
            flow_task._on_create(activation)
        flow_task.on_task_created(activation.task)
        return activation

    @ViewActivation.status.super()
    def revive(self):
        def revive():
            task = super(AppraisalActivation, self).revive.original()
            self.flow_task.on_task_created(task)
            return task

        # the cancelled (or failed) task stays as it was, marked revived; the event shows its successor
        return self._audited(AuditAction.TASK_REVIVED, revive, STATUS.CANCELED)


class AppraisalView(flow.View):
    """A human step of an appraisal: the safe wrapper above; queued tasks may be taken only by an
    admin of the appraisal's own government; and separation of duties — whoever ``barred`` names
    for the appraisal never holds or executes the step, by any route (the flow's assignment with
    delegations and acting officials, an admin's reassignment, the queue, an execution from
    code): the flow's choice passes to the next official up instead (``calc_owner``), everything
    else asks ``refusal``. Each step names when its tasks are due (``Deadline``)."""

    activation_class = AppraisalActivation

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._deadline = None

    def Deadline(self, policy):  # capitalised like viewflow's other chained node options
        """When a task of this step is due: ``policy(task)`` returns the moment, or None for no
        deadline (the policies are in ``services.deadlines``). Without one a task has no deadline."""
        self._deadline = policy
        return self

    def on_task_created(self, task) -> None:
        """A task of this step was created (or revived): it gets its due date; its owner is told."""
        task_created(task, due=self._deadline(task) if self._deadline is not None else None)

    @property
    def view_path(self):
        return path(
            f"<int:process_pk>/{self.name}/<int:task_pk>/execute/", safe_task_view(self, self.view), name="execute"
        )

    def __str__(self) -> str:
        # viewflow's bulk assign/unassign pages print the node itself: show the step's title.
        return str(self.task_title) if self.task_title else super().__str__()

    def barred(self, skp: Skp) -> list[tuple[Pegawai, str]]:
        """Who may never hold this step of ``skp``, each with the reason (a message taking the
        person's ``name``). The employee's own steps bar nobody."""
        return []

    def refusal(self, user, task) -> str | None:
        """Why ``user`` may not hold ``task`` (separation of duties), or None when they may."""
        skp = skp_of_task(task)
        if skp is None or user is None:
            return None
        for pegawai, reason in self.barred(skp):
            if pegawai.user_id is not None and pegawai.user_id == user.pk:
                return reason % {"name": pegawai.nama}
        return None

    def calc_owner(self, activation):
        owner = super().calc_owner(activation)
        skp = skp_of_process(activation.process)
        barred = self.barred(skp) if skp is not None else []
        if owner is None or all(pegawai.user_id != owner.pk for pegawai, _reason in barred):
            return owner
        # Up from the official the SKP's snapshot names (it may differ from today's chart after a move).
        penilai = skp.penilai if skp.penilai_id is not None and skp.penilai.aktif else None
        official = org_snapshot(skp.pegawai.instansi_id).official_for(
            skp.pegawai, barred={pegawai.pk for pegawai, _reason in barred}, start=penilai
        )
        return official.user if official is not None and official.user_id else None

    def can_execute(self, user, task):
        return super().can_execute(user, task) and self.refusal(user, task) is None

    def can_assign(self, user, task):
        if task.owner_id or user is None or not user.is_authenticated:
            return False
        skp = skp_of_task(task)
        return (
            skp is not None and skp.pegawai.instansi_id in admin_instansi_ids(user) and self.refusal(user, task) is None
        )


class AssessorView(AppraisalView):
    """A step of the appraisal's officials (plan approval, periodic and annual review, the response
    to an appeal): never held by the appraised employee."""

    def barred(self, skp: Skp) -> list[tuple[Pegawai, str]]:
        return [(skp.pegawai, _("%(name)s is the appraised employee: nobody acts on a step of their own appraisal."))]


class AppealDecisionView(AssessorView):
    """The appeal decision: neither the appraisee nor the assessor whose rating is appealed — unless
    the appeal was routed to that assessor as the assessor's superior too (the Governor deciding a
    JPT's appeal, by the ``KINERJA_APPEAL_SAME_OFFICIAL`` setting when it was filed)."""

    def barred(self, skp: Skp) -> list[tuple[Pegawai, str]]:
        barred = super().barred(skp)
        keberatan = getattr(skp, "keberatan", None)
        decides_own = keberatan is not None and skp.penilai_id is not None and keberatan.pemutus_id == skp.penilai_id
        if skp.penilai is not None and not decides_own:
            barred.append((skp.penilai, _("%(name)s rated this appraisal and cannot decide its appeal.")))
        return barred


class CapaianView(AppraisalView):
    """Setting a unit's organisation achievement (``flows.CapaianFlow``): held by the leader above
    the unit, never by the unit's own head (or acting head) — by any route: the flow's choice,
    an admin's reassignment, the queue (an admin of the unit's government only), execution from
    code. Due date and notification as every human step (``AppraisalView``)."""

    def refusal(self, user, task) -> str | None:
        penetapan = penetapan_of_task(task)
        if penetapan is None or user is None:
            return None
        for pegawai, reason in capaian_barred(org_snapshot(penetapan.unit.instansi_id), penetapan.unit):
            if pegawai.user_id is not None and pegawai.user_id == user.pk:
                return reason
        return None

    def calc_owner(self, activation):
        # The flow's choice (``CapaianFlow.leader_user``) already passes over the unit's heads.
        owner = flow.View.calc_owner(self, activation)
        penetapan = penetapan_of_process(activation.process)
        if owner is not None and penetapan is not None:
            barred = capaian_barred(org_snapshot(penetapan.unit.instansi_id), penetapan.unit)
            if any(pegawai.user_id == owner.pk for pegawai, _reason in barred):
                return None  # the admins' queue
        return owner

    def can_assign(self, user, task):
        if task.owner_id or user is None or not user.is_authenticated:
            return False
        penetapan = penetapan_of_task(task)
        return (
            penetapan is not None
            and penetapan.unit.instansi_id in admin_instansi_ids(user)
            and self.refusal(user, task) is None
        )


class KalibrasiView(AppraisalView):
    """A unit's calibration task (``flows.KalibrasiFlow``): held only by whoever may calibrate the
    unit — its head or acting head, an admin of its government — by any route (the flow's choice,
    an admin's reassignment, the queue, execution from code). Inside the calibration, nobody
    changes their own result (``selectors.kalibrasi.may_change``)."""

    def refusal(self, user, task) -> str | None:
        tugas = tugas_of_process(task.process)
        if tugas is None or user is None or is_calibrator(user, tugas.kalibrasi.unit):
            return None
        return _("Only the head of %(unit)s or an admin of its government calibrates the unit.") % {
            "unit": tugas.kalibrasi.unit.nama
        }

    def calc_owner(self, activation):
        # The flow's choice (``KalibrasiFlow.calibrator_user``) is the unit's head; none: the queue.
        return flow.View.calc_owner(self, activation)

    def can_assign(self, user, task):
        if task.owner_id or user is None or not user.is_authenticated:
            return False
        tugas = tugas_of_process(task.process)
        return tugas is not None and tugas.kalibrasi.unit.instansi_id in admin_instansi_ids(user)


# --- automatic steps without a savepoint of their own ---------------------------------------------
#
# viewflow runs each Function, If and Switch node inside a savepoint, so that a failure can be kept
# on the task (marked ERROR) while the rest of the transaction goes on — which happens only where
# viewflow does not propagate the exception (a timer or an event firing). Where it propagates (a
# step run by a person or by code), the failure unwinds the whole step anyway and the savepoint
# only costs two round trips per node. These run the node's own code unchanged, with a savepoint
# exactly where viewflow's failure handling needs one (what the node calls still makes its own).


def _own_savepoint() -> bool:
    return not context.propagate_exception


# --- automatic steps written once ----------------------------------------------------------------
#
# Where the failure propagates (see above), an automatic node (Function, If, Switch) is done within
# the same call that creates it: stock viewflow inserts its task row NEW, links it to its
# predecessor and updates it DONE a moment later, in the transaction of the human step (or the
# release) that reached it, never seen by anyone in between. Here its row is inserted once, when
# the node is done, already DONE with its start and finish (its history row records that state;
# the technical history still lists every node passed, the process page every step). The node
# names, the diagram and every process in the database stay as they are. Where viewflow keeps a
# failure on the task (a timer or an event firing), the node gets its row first, as stock
# viewflow does.


class WrittenOnceActivationMixin:
    _kinerja_saved_prev = None  # the task before this one (this one created without a row yet)
    _kinerja_rowless = False  # created without a row: compared and hashed by identity

    @classmethod
    def create(cls, flow_task, prev_activation, token, data=None, seed=None):
        if _own_savepoint():  # a failure stays on the task: it needs its row
            return _create_task(cls, flow_task, prev_activation, token, data=data, seed=seed)
        task = flow_task.flow_class.task_class(process=prev_activation.process, flow_task=flow_task, token=token)
        task.data = data if data is not None else {}
        task.seed = seed
        activation = cls(task)
        activation._kinerja_saved_prev = prev_activation.task
        activation._kinerja_rowless = True
        return activation

    # viewflow keeps activations in sets, hashed by their task: a task without a row has no pk
    def __eq__(self, other):
        if self._kinerja_rowless or getattr(other, "_kinerja_rowless", False):
            return self is other
        return super().__eq__(other)

    def __hash__(self):
        return id(self) if self._kinerja_rowless else super().__hash__()


def _complete(self):
    """Activation.complete of the automatic nodes below: a task created without a row is inserted
    now, DONE, and linked to its predecessor; one with a row completes as viewflow does."""
    if not self._kinerja_rowless:
        return super(WrittenOnceActivationMixin, self).complete.original()
    self.task.finished = now()
    self.task.save()
    link_previous(self.task, self._kinerja_saved_prev)
    task_finished.send(sender=self.flow_class, process=self.process, task=self.task)


_complete.__name__ = "complete"  # viewflow finds the transition it overrides by this name
_written_once_complete = Activation.status.super()(_complete)


class LeanFunctionActivation(WrittenOnceActivationMixin, FunctionActivation):
    @FunctionActivation.status.super()
    def activate(self):
        with self.exception_guard(), transaction.atomic(savepoint=_own_savepoint()):
            self.task.started = now()
            task_started.send(sender=self.flow_class, process=self.process, task=self.task)
            self.flow_task._func(self)

    complete = _written_once_complete


class LeanIfActivation(WrittenOnceActivationMixin, IfActivation):
    @IfActivation.status.super()
    def activate(self):
        with self.exception_guard(), transaction.atomic(savepoint=_own_savepoint()):
            self._condition_result = self.flow_task._condition(self)

    complete = _written_once_complete


class LeanSwitchActivation(WrittenOnceActivationMixin, SwitchActivation):
    @SwitchActivation.status.super()
    def activate(self):
        with self.exception_guard(), transaction.atomic(savepoint=_own_savepoint()):
            for node, cond in self.flow_task._branches:
                if cond:
                    if cond(self):
                        self.next_task = node
                        break
                else:
                    self.next_task = node
            if not self.next_task:
                raise FlowRuntimeError(f"No next task available for {self.flow_task.name}")

    complete = _written_once_complete


class LeanTimerActivation(TimerActivation):
    """A timer scheduled inside a step that propagates its failure: no savepoint of its own (the
    due moment is stored on its row as viewflow does); its link to the previous task as
    ``link_previous`` says."""

    @classmethod
    def create(cls, flow_task, prev_activation, token, data=None, seed=None):
        return _create_task(cls, flow_task, prev_activation, token, data=data, seed=seed)

    @TimerActivation.status.super()
    def activate(self):
        with self.exception_guard(), transaction.atomic(savepoint=_own_savepoint()):
            delay = self.flow_task._delay
            if callable(delay):
                delay = delay(self)
            if isinstance(delay, dt.timedelta):
                delay = now() + delay
            if not isinstance(delay, dt.datetime):
                raise ValueError(f"Timer delay must be a timedelta or datetime, got {delay!r}")
            self.task.scheduled = delay
            self.task.save()


class LeanStartHandleActivation(StartHandleActivation):
    """A process started from code (``StartHandle``) inside the caller's transaction, without
    viewflow's savepoint around it: a start that fails unwinds to the caller's own savepoint (one
    per appraisal opened, or one per chunk of openings), which holds the SKP's insert as well."""

    @StartHandleActivation.status.super()
    def execute(self):
        task_started.send(sender=self.flow_class, process=self.process, task=self.task)
        with transaction.atomic(savepoint=False):
            self.process.save()
            with self.flow_class.lock(self.process.pk):
                self.complete()
                flow_started.send(sender=self.flow_class, process=self.process, task=self.task)
                self.activate_next()


class LeanHandleActivation(HandleActivation):
    """A task waiting for an event from code (``Handle``), linked to the previous task as
    ``link_previous`` says."""

    @classmethod
    def create(cls, flow_task, prev_activation, token, data=None, seed=None):
        return _create_task(cls, flow_task, prev_activation, token, data=data, seed=seed)


class Handle(flow.Handle):
    activation_class = LeanHandleActivation


class StartHandle(flow.StartHandle):
    activation_class = LeanStartHandleActivation


class Function(flow.Function):
    activation_class = LeanFunctionActivation


class If(flow.If):
    activation_class = LeanIfActivation


class Switch(flow.Switch):
    activation_class = LeanSwitchActivation


class Timer(flow.Timer):
    activation_class = LeanTimerActivation
