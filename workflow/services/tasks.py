"""Driving viewflow tasks from services, the same way for web requests and for code.

A web request arrives with an activation already started by the task view wrapper (under the flow
lock, inside a transaction). Code (bulk actions, the demo simulation, benchmarks) has none: then we
take the flow lock, check the task is still open and that ``by`` may execute it — viewflow
transitions do not check permissions themselves — and start it here.
"""

from __future__ import annotations

import random
import time
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, connection, transaction
from django.utils.translation import gettext as _
from viewflow.workflow import lock
from viewflow.workflow.exceptions import FlowLockFailed
from viewflow.workflow.fields import import_flow_by_ref
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from project.memo import step_memo
from project.prepared import Prepared

from .audit import acting_as, audit_batch


@cache
def flow_of(process_class):
    """The flow whose processes are ``process_class`` rows (``AppraisalProcess``, ``AppealProcess``),
    resolved from the reference viewflow stores in each of them, as viewflow resolves a loaded
    row's ``flow_class``. Services name their steps through it and never import ``flows.py``, which
    imports the services its nodes call."""
    return import_flow_by_ref(process_class.FLOW)


# The process a ``StartHandle`` run is creating, in this transaction (see ``process_starting``).
_starting: ContextVar[list | None] = ContextVar("kinerja_process_starting", default=None)


@contextmanager
def process_starting():
    """Around a ``StartHandle`` run (``node.run(...)``) inside a transaction: the process it creates
    is a row no other transaction can see until this one commits, so the flow lock on it
    (``FlowLock``) is taken without a savepoint and a SELECT ... FOR UPDATE of its own."""
    token = _starting.set([])
    try:
        yield
    finally:
        _starting.reset(token)


class FlowLock(lock.SelectForUpdateLock):
    """viewflow's ``SELECT ... FOR UPDATE NOWAIT`` lock on the process row, with its retries (the
    statement compiled once per connection: ``project.prepared``), except on a process being
    created by the current transaction (``process_starting``): the start node saves the process
    and then locks it; that first lock names the new row, which nobody else can lock or even see
    yet, and it and any later lock of the same row inside the run are already held in every sense
    that matters."""

    @contextmanager
    def __call__(self, flow_class, process_pk):
        fresh = _starting.get()
        if fresh is not None and connection.in_atomic_block and (not fresh or fresh[0] == process_pk):
            if not fresh:
                fresh.append(process_pk)
            yield
            return
        query = _process_lock_query(flow_class.process_class, self.nowait)
        for attempt in range(self.attempts):  # viewflow's retry: a short, growing, jittered wait
            with transaction.atomic():
                try:
                    query.rows(int(process_pk))
                except DatabaseError:
                    if attempt == self.attempts - 1:
                        raise FlowLockFailed(f"Lock failed for {flow_class}") from None
                    time.sleep(((attempt + 1) * random.random() + 2**attempt) / 2.5)  # noqa: S311
                else:
                    yield
                    return


@cache
def _process_lock_query(process_class, nowait: bool) -> Prepared:
    """``SELECT ... FOR UPDATE [NOWAIT]`` of a process row, as viewflow's lock sends it, compiled once."""
    return Prepared(
        lambda pk: process_class._default_manager.filter(pk=pk).select_for_update(nowait=nowait).values_list("pk")[:1],
        arity=1,
    )


def task_already_done_message() -> str:
    return _("This task is no longer open: it has already been completed or moved on.")


def lock_failed_message() -> str:
    return _("Someone else is working on this appraisal right now. Please try again in a moment.")


@cache
def _open_task_query(node) -> Prepared:
    """The read of ``node``'s open task in a process, compiled once (it runs in every step)."""

    def build(process_pk):
        tasks = Task.objects.filter(
            process_id=process_pk, flow_task=node, status__in=[STATUS.NEW, STATUS.ASSIGNED]
        ).select_related("owner", "process")
        return (tasks if tasks.ordered else tasks.order_by("pk"))[:1]  # as ``first()`` orders

    return Prepared(build, arity=1)


def open_task(process_pk: int, node) -> Task | None:
    """The open (new or assigned) task of ``node`` in the process, with its owner and process."""
    return _open_task_query(node).first(int(process_pk))


@contextmanager
def task_execution(*, process_pk: int, node, by, activation=None, skp=None):
    """Yield a started activation of the open ``node`` task of the process; on a clean exit the task
    is completed and the flow moves on. Raises ``ValidationError`` with a clear message when the task
    is already done or the lock cannot be had, ``PermissionDenied`` when ``by`` may not act.
    ``skp``, when given, is the instance the flow's handlers see as ``process.skp``, so what the
    service just wrote is not read back."""
    if activation is not None:
        if activation.flow_task != node:
            raise PermissionDenied
        with step_memo():
            yield activation
            activation.execute()
        return
    flow_class = node.flow_class
    try:
        # The flow lock opens the transaction; the step's history rows and audit events are
        # written together at its end (see ``audit.audit_batch``).
        with (
            step_memo(),
            flow_class.lock(process_pk),
            transaction.atomic(savepoint=False),
            acting_as(by),
            audit_batch(),
        ):
            task = open_task(process_pk, node)
            if task is None or task.status != STATUS.ASSIGNED:
                raise ValidationError(task_already_done_message(), code="task_done")
            if skp is not None:
                task.process.skp = skp  # the permission check reads it too (separation of duties)
            if not node.can_execute(by, task):
                raise PermissionDenied
            started = node.activation_class(task)
            if skp is not None:
                started.process.skp = skp
            started.start(None)
            yield started
            started.execute()
    except FlowLockFailed:
        raise ValidationError(lock_failed_message(), code="locked") from None
