"""One inbox across the product's flows: the user's open tasks (appraisal, appeal, organisation
achievement), the queue of tasks they may take, the archive of tasks they finished, and the counts
the menu shows. Each list is one query whose cost does not grow with its rows (the rows carry what
they name: the employee, the unit, the deadline)."""

from __future__ import annotations

from functools import cache

from django.db import connection
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from viewflow.workflow.fields import get_flow_ref, import_flow_by_ref
from viewflow.workflow.managers import coerce_to_related_instance
from viewflow.workflow.models import Process, Task
from viewflow.workflow.status import STATUS

from project.memo import memoized
from project.prepared import Prepared, PreparedPrefetch
from project.sql import column, placeholders, rows, table

from ..models import (
    AppealProcess,
    AppraisalProcess,
    CapaianProcess,
    Kalibrasi,
    KalibrasiProcess,
    Keberatan,
    Pegawai,
    PenetapanCapaian,
    Skp,
    TenggatTugas,
    TugasKalibrasi,
    Unit,
)
from .org import admin_instansi_ids

# The processes of the flows whose tasks people hold, each with the short name the API gives its flow.
PRODUCT_PROCESSES = {
    AppraisalProcess: "appraisal",
    AppealProcess: "appeal",
    CapaianProcess: "capaian",
    KalibrasiProcess: "kalibrasi",
}


@cache
def product_flows() -> tuple:
    """The flows whose tasks people hold, resolved from the reference viewflow stores in each
    process row (selectors sit below ``flows.py``)."""
    return tuple(import_flow_by_ref(cls.FLOW) for cls in PRODUCT_PROCESSES)


def flow_name(process) -> str:
    """The short name of the product flow ``process`` runs in (``PRODUCT_PROCESSES``), read from the
    reference viewflow stores in the row; empty for any other flow."""
    return _FLOW_NAMES.get(get_flow_ref(process.flow_class), "")


_FLOW_NAMES = {cls.FLOW: name for cls, name in PRODUCT_PROCESSES.items()}


def with_row_subjects(queryset: QuerySet[Task]) -> QuerySet[Task]:
    """What a task row names: the employee of the appraisal (or of the appealed appraisal), or the
    unit whose organisation achievement or calibration it is; the holder; the deadline. The task
    joins only its process, holder and deadline; the subjects come with ``load_row_subjects``, in
    one query per kind of process among the rows (four at most, whatever the number of rows).
    Joining all of them into the task query took PostgreSQL 5 ms to plan (18 joins) and 130 ms to
    sort the admin's 17,000 open tasks."""
    return queryset.select_related("process", "owner__pegawai", "tenggat")


# The subject of each kind of process, as ``load_row_subjects`` reads it (compiled once per
# connection: every task list reads them).
_ROW_SUBJECTS = {
    AppraisalProcess.FLOW: PreparedPrefetch(Process, "skp", lambda: Skp.objects.select_related("pegawai__unit")),
    AppealProcess.FLOW: PreparedPrefetch(
        Process, "keberatan", lambda: Keberatan.objects.select_related("skp__pegawai__unit")
    ),
    CapaianProcess.FLOW: PreparedPrefetch(
        Process, "penetapan_capaian", lambda: PenetapanCapaian.objects.select_related("unit", "periode")
    ),
    KalibrasiProcess.FLOW: PreparedPrefetch(
        Process,
        "tugas_kalibrasi",
        lambda: TugasKalibrasi.objects.select_related("kalibrasi__unit", "kalibrasi__periode"),
    ),
}


def load_row_subjects(tasks) -> list[Task]:
    """The rows of a task list (``with_row_subjects``) with their subjects: one query for each
    kind of process among them, none for the kinds that are not there (an inbox of appraisal
    tasks reads the appraisals only)."""
    tasks = list(tasks)
    by_kind: dict[str, list] = {}
    for task in tasks:
        by_kind.setdefault(get_flow_ref(task.process.flow_class), []).append(task.process)
    for ref, processes in by_kind.items():
        subject = _ROW_SUBJECTS.get(ref)
        if subject is not None:
            subject(processes)
    return tasks


def in_instansi(instansi_ids) -> Q:
    """Tasks of the appraisals, appeals, organisation-achievement and calibration processes of the
    given governments."""
    return (
        Q(process__skp__pegawai__instansi_id__in=instansi_ids)
        | Q(process__keberatan__skp__pegawai__instansi_id__in=instansi_ids)
        | Q(process__penetapan_capaian__unit__instansi_id__in=instansi_ids)
        | Q(process__tugas_kalibrasi__kalibrasi__unit__instansi_id__in=instansi_ids)
    )


def _by_due(queryset: QuerySet[Task]) -> QuerySet[Task]:
    """Soonest deadline first; tasks without a deadline after them, oldest first."""
    return with_row_subjects(queryset).order_by(F("tenggat__jatuh_tempo").asc(nulls_last=True), "created", "pk")


def inbox_for(*, user) -> QuerySet[Task]:
    """The open tasks the user holds, of every flow."""
    return _by_due(Task.objects.inbox(product_flows(), user))


@cache
def _inbox_start(flows: tuple, size: int) -> Prepared:
    def build(user_pk):
        # what ``Task.objects.inbox(flows, user)`` asks, with the user as a parameter
        return _by_due(Task.objects.coerce_for(flows).filter(owner_id=user_pk, status=STATUS.ASSIGNED))[:size]

    return Prepared(build, arity=1)


def inbox_start(*, user, size: int) -> list[Task]:
    """``inbox_for(user=user)[:size]``, the inbox's first page unfiltered (the page everyone opens
    most), compiled once per connection and per set of flows the user may see."""
    flows = tuple(flow for flow in product_flows() if flow.instance.has_view_permission(user))
    return [
        coerce_to_related_instance(task, task.flow_task.flow_class.task_class)  # as viewflow's task lists do
        for task in _inbox_start(flows, size).objects(user.pk)
    ]


@cache
def owner_permissions() -> frozenset[str] | None:
    """The permissions the product's nodes ask of whoever takes their tasks from the queue
    (``.Permission(...)``; viewflow writes the node's onto each task it creates), or None when a
    node works its permission out per task."""
    found, human = set(), False
    for flow_class in product_flows():
        for node in flow_class.instance.nodes():
            if not hasattr(node, "_owner_permission"):
                continue
            human = True
            permission = node._owner_permission
            if permission is None:
                continue
            if not isinstance(permission, str):
                return None
            found.add(permission)
    # viewflow keeps it in a private attribute: should a release rename it, no node has it and
    # every permission is asked for again (correct, only slower)
    return frozenset(found) if human else None


def _visible_flows(user) -> list:
    """The product's flows whose processes ``user`` may see (what viewflow's inbox and queue ask)."""
    return [f for f in product_flows() if f.instance.has_view_permission(user)]


def _asked_permissions(user) -> list[str]:
    """Those of the user's permissions that a node asks of the queue's tasks (all of them when a
    node works its permission out per task)."""
    permissions = user.get_all_permissions()
    asked = owner_permissions()
    return sorted(asked & permissions if asked is not None else permissions)


def _queue(user) -> QuerySet[Task]:
    """viewflow's ``Task.objects.queue(product_flows(), user)``: the human tasks nobody holds of
    the flows the user may see, that ask for a permission the user has, for none, or are theirs.
    The permission test names only those of the user's permissions that a node asks for (an
    admin's query carried all fifty, each compiled and planned on every page that shows the
    queue's badge); the same tasks either way."""
    permissions = _asked_permissions(user)
    return Task.objects.filter(
        process__flow_class__in=_visible_flows(user),
        flow_task_type="HUMAN",
        status=STATUS.NEW,
    ).filter(Q(owner_permission__in=permissions) | Q(owner_permission__isnull=True) | Q(owner=user))


def queue_for(*, user, instansi_ids: set[int] | None = None) -> QuerySet[Task]:
    """Tasks nobody holds yet that the user may take: an admin's, of their own governments only."""
    ids = admin_instansi_ids(user) if instansi_ids is None else instansi_ids
    if not ids:
        return Task.objects.none()
    return _by_due(_queue(user).filter(in_instansi(ids)))


def archive_for(*, user) -> QuerySet[Task]:
    """The tasks the user finished, newest first."""
    return with_row_subjects(Task.objects.archive(product_flows(), user)).order_by("-finished", "-pk")


def open_tasks_in(*, instansi_ids) -> QuerySet[Task]:
    """Every open human task of the given governments (the admin's "all open tasks")."""
    return _by_due(
        Task.objects.filter(
            process__flow_class__in=product_flows(),
            flow_task_type="HUMAN",
            status__in=[STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED],
        ).filter(in_instansi(instansi_ids))
    )


def task_counts(*, user, instansi_ids: set[int] | None = None) -> dict[str, int]:
    """The menu's badges: open tasks held, of them overdue, and the queue (admins). One query for
    the inbox, one more for an admin's queue."""
    if not user.is_authenticated:
        return {"inbox": 0, "overdue": 0, "queue": 0}
    ids = frozenset(admin_instansi_ids(user) if instansi_ids is None else instansi_ids)
    # the home page shows them and so does the menu: counted once per request and set of governments
    return memoized(("task_counts", user.pk, ids), lambda: _task_counts(user, ids))


def _task_counts(user, ids) -> dict[str, int]:
    counts = inbox_counts(user, timezone.now())
    counts["queue"] = queue_count(user, ids) if ids else 0
    return counts


def queue_count(user, instansi_ids) -> int:
    """``_queue(user).filter(in_instansi(instansi_ids)).count()``: the menu's queue badge on every
    page of an admin, so sent as SQL text (``project.sql``; its query joins ten tables, whose
    compiling cost more than its running; ``tests/workflow/test_sql_reads.py`` holds it to the ORM's
    count)."""
    flows = [get_flow_ref(f) for f in _visible_flows(user)]
    ids = sorted(instansi_ids)
    if not flows or not ids:
        return 0
    permissions = _asked_permissions(user)
    t, p = table(Task), table(Process)
    skp, pegawai, appeal, unit = table(Skp), table(Pegawai), table(Keberatan), table(Unit)
    capaian, tugas, kalibrasi = table(PenetapanCapaian), table(TugasKalibrasi), table(Kalibrasi)
    in_ids = placeholders(ids)
    pid = f"{p}.{column(Process, 'id')}"
    sql = (
        f"SELECT COUNT(*) FROM {t} INNER JOIN {p} ON {t}.{column(Task, 'process')} = {pid}"  # noqa: S608 - names from the models, values bound
        # the appraisal's employee; the appealed appraisal's; the unit of an achievement; of a calibration
        f" LEFT OUTER JOIN {skp} s1 ON s1.{column(Skp, 'process')} = {pid}"
        f" LEFT OUTER JOIN {pegawai} e1 ON e1.{column(Pegawai, 'id')} = s1.{column(Skp, 'pegawai')}"
        f" LEFT OUTER JOIN {appeal} k ON k.{column(Keberatan, 'process')} = {pid}"
        f" LEFT OUTER JOIN {skp} s2 ON s2.{column(Skp, 'id')} = k.{column(Keberatan, 'skp')}"
        f" LEFT OUTER JOIN {pegawai} e2 ON e2.{column(Pegawai, 'id')} = s2.{column(Skp, 'pegawai')}"
        f" LEFT OUTER JOIN {capaian} c ON c.{column(PenetapanCapaian, 'process')} = {pid}"
        f" LEFT OUTER JOIN {unit} u1 ON u1.{column(Unit, 'id')} = c.{column(PenetapanCapaian, 'unit')}"
        f" LEFT OUTER JOIN {tugas} tk ON tk.{column(TugasKalibrasi, 'process')} = {pid}"
        f" LEFT OUTER JOIN {kalibrasi} kb ON kb.{column(Kalibrasi, 'id')} = tk.{column(TugasKalibrasi, 'kalibrasi')}"
        f" LEFT OUTER JOIN {unit} u2 ON u2.{column(Unit, 'id')} = kb.{column(Kalibrasi, 'unit')}"
        f" WHERE {t}.{column(Task, 'flow_task_type')} = %s AND {t}.{column(Task, 'status')} = %s"
        f" AND {p}.{column(Process, 'flow_class')} IN ({placeholders(flows)})"
        f" AND ({t}.{column(Task, 'owner_permission')} IS NULL OR {t}.{column(Task, 'owner')} = %s"
        + (f" OR {t}.{column(Task, 'owner_permission')} IN ({placeholders(permissions)})" if permissions else "")
        + f") AND (e1.{column(Pegawai, 'instansi')} IN ({in_ids}) OR e2.{column(Pegawai, 'instansi')} IN ({in_ids})"
        f" OR u1.{column(Unit, 'instansi')} IN ({in_ids}) OR u2.{column(Unit, 'instansi')} IN ({in_ids}))"
    )
    params = ["HUMAN", STATUS.NEW, *flows, user.pk, *permissions, *ids, *ids, *ids, *ids]
    return rows(sql, params)[0][0]


def inbox_counts(user, now) -> dict[str, int]:
    """viewflow's ``Task.objects.inbox(product_flows(), user)`` counted, with those due before
    ``now`` (``overdue``): the menu's badges on every page, so sent as SQL text (``project.sql``;
    ``tests/workflow/test_sql_reads.py`` holds it to the ORM's count)."""
    flows = [get_flow_ref(f) for f in _visible_flows(user)]
    if not flows:
        return {"inbox": 0, "overdue": 0}
    task, process, due = table(Task), table(Process), table(TenggatTugas)
    sql = (
        f"SELECT COUNT(*), SUM(CASE WHEN {due}.{column(TenggatTugas, 'jatuh_tempo')} < %s THEN 1 ELSE 0 END)"  # noqa: S608 - names from the models, values bound
        f" FROM {task} INNER JOIN {process} ON {process}.{column(Process, 'id')} = {task}.{column(Task, 'process')}"
        f" LEFT OUTER JOIN {due} ON {due}.{column(TenggatTugas, 'task')} = {task}.{column(Task, 'id')}"
        f" WHERE {process}.{column(Process, 'flow_class')} IN ({placeholders(flows)})"
        f" AND {task}.{column(Task, 'owner')} = %s AND {task}.{column(Task, 'status')} = %s"
    )
    params = [connection.ops.adapt_datetimefield_value(now), *flows, user.pk, STATUS.ASSIGNED]
    inbox, overdue = rows(sql, params)[0]
    return {"inbox": inbox, "overdue": overdue or 0}


def is_overdue(task, now=None) -> bool:
    tenggat = getattr(task, "tenggat", None)
    return tenggat is not None and task.finished is None and tenggat.jatuh_tempo < (now or timezone.now())


def subject_of(task):
    """The employee a task is about (``Pegawai``), or ``None`` for a unit's achievement task."""
    process = task.process
    skp = getattr(process, "skp", None)
    if skp is not None:
        return skp.pegawai
    keberatan = getattr(process, "keberatan", None)
    if keberatan is not None:
        return keberatan.skp.pegawai
    return None


def unit_of(task):
    pegawai = subject_of(task)
    if pegawai is not None:
        return pegawai.unit
    penetapan = getattr(task.process, "penetapan_capaian", None)
    return penetapan.unit if penetapan is not None else None
