"""Reads of appraisals, always scoped to what the user may see: an employee their own, an assessor
their team's (the SKP they assess, or whose current assessor they are), an admin their government's."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache

from django.db.models import Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext
from viewflow.workflow.fields import get_task_ref, import_task_by_ref
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from project.prepared import Prepared, PreparedPrefetch

from ..models import Evaluasi, JendelaReview, JenisJendela, Keberatan, Periode, Rhk, Skp, StatusSkp, Unit
from .aggregates import between_writes, unit_status_counts
from .org import HOLDER_NAME_FIELDS, admin_instansi_ids, pegawai_of, person_name
from .period import period_windows


def skp_visible_to(user) -> QuerySet[Skp]:
    if not user.is_authenticated:
        return Skp.objects.none()
    ids = admin_instansi_ids(user)
    me = pegawai_of(user)
    condition = Q(pegawai__instansi_id__in=ids) if ids else Q(pk__in=[])
    if me is not None:
        # a subquery, not a join: no duplicate rows, so no DISTINCT over a whole government's
        # appraisals (an admin's list of 16,000 took seconds with it)
        held = Task.objects.filter(owner=user).values("process_id")
        condition |= Q(pegawai=me) | Q(penilai=me) | Q(process_id__in=held)
    return Skp.objects.filter(condition)


def skp_of_process(process) -> Skp | None:
    """The appraisal a process is about: its SKP, or the appealed SKP for an appeal."""
    skp = getattr(process, "skp", None)
    if skp is None:
        keberatan = getattr(process, "keberatan", None)
        skp = keberatan.skp if keberatan is not None else None
    return skp


def skp_of_task(task) -> Skp | None:
    """The appraisal a task is about: its process's SKP, or the appealed SKP for an appeal step."""
    return skp_of_process(task.process)


def running_skp(*, pegawai_id: int, periode: Periode) -> Skp | None:
    """The employee's SKP that runs to the end of the period, if any: the one a transfer closes
    (an SKP closed by a transfer ends the day before it)."""
    return (
        Skp.objects.filter(periode=periode, pegawai_id=pegawai_id, tanggal_selesai=periode.tanggal_selesai)
        .exclude(status=StatusSkp.DITUTUP)
        .select_related("periode", "pegawai", "penilai")
        .order_by("-urutan")
        .first()
    )


def last_urutan(*, pegawai_id: int, periode: Periode) -> int | None:
    """The sequence number of the employee's latest SKP in the period (None: none yet)."""
    return (
        Skp.objects.filter(periode=periode, pegawai_id=pegawai_id)
        .order_by("-urutan")
        .values_list("urutan", flat=True)
        .first()
    )


def skps_of_year(*, pegawai_id: int, periode_id: int) -> list[Skp]:
    """Every SKP of one employee in one period, in order (several after a transfer)."""
    return list(
        Skp.objects.filter(periode_id=periode_id, pegawai_id=pegawai_id)
        .select_related("periode", "hasil")
        .order_by("urutan")
    )


def skps_of_years(*, pegawai_ids, periode_id: int) -> dict[int, list[Skp]]:
    """``skps_of_year`` for many employees in one query: each one's SKP of the period, in order."""
    found: dict[int, list[Skp]] = {}
    rows = (
        Skp.objects.filter(periode_id=periode_id, pegawai_id__in=pegawai_ids)
        .select_related("periode", "hasil")
        .order_by("pegawai_id", "urutan")
    )
    for skp in rows:
        found.setdefault(skp.pegawai_id, []).append(skp)
    return found


def year_skp_count(path: str = "") -> Subquery:
    """How many SKP the employee of an SKP has in its period (several after a transfer), for
    ``annotate``: read with the rows instead of in a query of its own. ``path``: from the rows to
    the SKP (``"skp__"`` from its process)."""
    return Subquery(
        Skp.objects.filter(pegawai_id=OuterRef(f"{path}pegawai_id"), periode_id=OuterRef(f"{path}periode_id"))
        .order_by()
        .values("pegawai_id")
        .annotate(n=Count("pk"))
        .values("n"),
        output_field=IntegerField(),
    )


# The SKP's RHK and reviews, read into its prefetch cache by the steps and by the step pages alike
# (compiled once per connection: every step asks).
PLAN_ROWS = PreparedPrefetch(Skp, "rhk_set", lambda: Rhk.objects.select_related("rhk_atasan"))
REVIEW_ROWS = PreparedPrefetch(Skp, "evaluasi_set", lambda: Evaluasi.objects.select_related("jendela"))


def rhk_of(skp: Skp) -> list[Rhk]:
    """The plan's RHK, in order, read once per SKP instance (Django's prefetch cache, so
    ``skp.rhk_set.all()`` gives the same rows); ``plan_save`` drops them when it rewrites the plan."""
    PLAN_ROWS([skp])
    return list(skp.rhk_set.all())


PLAN_APPROVED = StatusSkp.reached(StatusSkp.DISETUJUI)


@dataclass
class AssessorPlan:
    """What the RHK of a plan can support: the RHK of the assessor's approved plan in the same
    period (``choices``), and whether every core RHK must name one (``required``: the government
    asks for it and the assessor has an SKP of their own in the period; the Governor has none)."""

    required: bool = False
    assessor_skp: Skp | None = None
    choices: list[Rhk] = field(default_factory=list)

    @property
    def waiting(self) -> bool:
        """The link is required but the assessor's plan is not approved yet: the employee can save
        a draft, not submit it."""
        return self.required and not self.choices


# What ``assessor_plan`` reads on every view of the plan's page (compiled once per connection): an
# assessor's SKP of a period that are not closed (a handful at most; the dates are compared after),
# and the RHK of one approved plan.
_ASSESSOR_SKPS = Prepared(
    lambda pegawai_id, periode_id: (
        Skp.objects.filter(pegawai_id=pegawai_id, periode_id=periode_id)
        .exclude(status=StatusSkp.DITUTUP)
        .order_by("-urutan")
        .only("pk", "status", "urutan", "pegawai_id", "periode_id", "tanggal_mulai", "tanggal_selesai")
    ),
    arity=2,
)
_RHK_TO_SUPPORT = Prepared(
    lambda skp_id: Rhk.objects.filter(skp_id=skp_id).order_by("skp__urutan", "urutan", "pk"), arity=1
)


def assessor_plan(skp: Skp) -> AssessorPlan:
    """The assessor's plan as the plan of ``skp`` sees it (see ``AssessorPlan``)."""
    if skp.penilai_id is None:
        return AssessorPlan()
    theirs = [
        # the assessor's SKP covering this one's dates (after a transfer the assessor may have several)
        s
        for s in _ASSESSOR_SKPS.objects(skp.penilai_id, skp.periode_id)
        if s.tanggal_mulai <= skp.tanggal_selesai and s.tanggal_selesai >= skp.tanggal_mulai
    ]
    if not theirs:
        return AssessorPlan()
    approved = [s.pk for s in theirs if s.status in PLAN_APPROVED]
    if len(approved) == 1:  # the usual case: one plan, its read compiled once
        choices = _RHK_TO_SUPPORT.objects(approved[0])
    else:
        choices = list(Rhk.objects.filter(skp_id__in=approved).order_by("skp__urutan", "urutan", "pk"))
    return AssessorPlan(required=skp.pegawai.instansi.rhk_atasan_wajib, assessor_skp=theirs[0], choices=choices)


def staff_waiting_for(skp: Skp) -> list[Skp]:
    """While the plan of ``skp`` is not approved: the plans of the staff it assesses that cannot
    be submitted before it is (their government requires the link to the assessor's RHK)."""
    if skp.status in PLAN_APPROVED or not skp.pegawai.instansi.rhk_atasan_wajib:
        return []
    return _STAFF_WAITING.objects(skp.pegawai_id, skp.periode_id)


_STAFF_WAITING = Prepared(  # the plan page asks on every view: compiled once per connection
    lambda pegawai_id, periode_id: (
        Skp.objects.filter(
            penilai_id=pegawai_id, periode_id=periode_id, status__in=[StatusSkp.DRAFT, StatusSkp.DIKEMBALIKAN]
        )
        .select_related("pegawai")
        .order_by("pegawai__nama")
    ),
    arity=2,
)


def reviews_of(skp: Skp) -> dict[int, Evaluasi]:
    """The SKP's reviews by window, read once per SKP instance (Django's prefetch cache, like
    ``rhk_of``): one step asks several times (the service, the flow's Switch, the next task's due
    date). A review marked reviewed in memory counts at once; a new one is read again
    (``forget_reviews``)."""
    REVIEW_ROWS([skp])
    return {e.jendela_id: e for e in skp.evaluasi_set.all()}


def forget_reviews(skp: Skp) -> None:
    getattr(skp, "_prefetched_objects_cache", {}).pop("evaluasi_set", None)


def remember_review(skp: Skp, evaluasi: Evaluasi) -> None:
    """A review of ``skp`` created just now joins the ones already read (none read yet: they are
    read with it on the next ask), instead of reading them all again."""
    cached = getattr(skp, "_prefetched_objects_cache", {}).get("evaluasi_set")
    if cached is None or cached._result_cache is None:
        forget_reviews(skp)
        return
    cached._result_cache.append(evaluasi)


_FOR_PUBLICATION = Prepared(
    lambda pk: Skp.objects.select_related("hasil", "periode", "pegawai__user").filter(process_id=pk)[:2], arity=1
)


def skp_for_publication(process_id: int) -> Skp:
    """The SKP of an appraisal process with what publishing it reads (its result, period and
    employee with the account to notify), in one query (compiled once: every release reads it)."""
    return _FOR_PUBLICATION.get(int(process_id))


def current_window(skp: Skp, *, kind: str | None = None) -> JendelaReview | None:
    """The first window (of ``kind``) of the period whose review is not finished yet."""
    done = {window_id for window_id, evaluasi in reviews_of(skp).items() if evaluasi.dinilai is not None}
    return next(
        (
            w
            for w in period_windows(skp.periode_id)
            if w.pk not in done and (not kind or w.jenis == kind) and window_applies(skp, w)
        ),
        None,
    )


def window_applies(skp: Skp, window: JendelaReview) -> bool:
    """Whether ``window`` reviews part of ``skp``: a periodic window reviews the months before it
    opens, so it applies only to an SKP that had started by then (an SKP opened in the middle of
    the period skips the earlier ones); the annual window applies to every SKP."""
    return window.jenis == JenisJendela.AKHIR or window.dibuka > skp.tanggal_mulai


def review_window(skp: Skp, *, kind: str) -> JendelaReview | None:
    """The window a review of ``kind`` is about: the first not finished yet, else the last of that
    kind — the annual review that the distribution check sent back to the assessor is rated again."""
    window = current_window(skp, kind=kind)
    if window is None:
        window = next((w for w in reversed(period_windows(skp.periode_id)) if w.jenis == kind), None)
    return window


def window_opens_at(window: JendelaReview) -> dt.datetime:
    """The moment a review window opens, in the configured time zone."""
    return timezone.make_aware(dt.datetime.combine(window.dibuka, dt.time.min))


def can_view_skp(user, skp: Skp) -> bool:
    if not user.is_authenticated:
        return False
    if skp.pegawai.instansi_id in admin_instansi_ids(user):
        return True
    if _own_or_assessed(user, skp):
        return True
    # whoever holds (or held) a task of this appraisal — e.g. a Plt routed in — may see it
    return skp.process_id is not None and skp.process.task_set.filter(owner=user).exists()


def _own_or_assessed(user, skp: Skp) -> bool:
    """Whether ``user`` is the appraisal's employee or its assessor: from their employee records
    when the appraisal was read with them (an account belongs to one employee at most), else
    from the user's own record."""
    if Skp.pegawai.is_cached(skp) and (skp.penilai_id is None or Skp.penilai.is_cached(skp)):
        return user.pk == skp.pegawai.user_id or (skp.penilai_id is not None and user.pk == skp.penilai.user_id)
    me = pegawai_of(user)
    return me is not None and me.pk in (skp.pegawai_id, skp.penilai_id)


def can_view_appeal(user, keberatan: Keberatan) -> bool:
    """The appeal's page and attachment: whoever may see the appealed appraisal, the official
    who decides it, and whoever holds (or held) a task of the appeal."""
    if not user.is_authenticated:
        return False
    if can_view_skp(user, keberatan.skp):
        return True
    if keberatan.pemutus is not None and keberatan.pemutus.user_id == user.pk:
        return True
    return keberatan.process_id is not None and keberatan.process.task_set.filter(owner=user).exists()


# A result's rule trace and facts (JSON, kilobytes each): read by the pages that explain one
# result, left out where a list shows only its predikat.
RESULT_DETAIL = ("hasil__trace", "hasil__fakta")
# The appeal's process of an appraisal (None without an appeal): what the lists of appraisals need of
# the appeal, one column instead of the whole row (``annotate(appeal_process_id=APPEAL_PROCESS)``).
APPEAL_PROCESS = F("keberatan__process_id")


def team_progress(*, penilai, periode: Periode, skp: list[Skp] | None = None, tasks: dict | None = None) -> dict:
    """The assessor's team in one period: each SKP with its current step (``step``) and who holds
    that step (``holder``), counts per step in the flow's order, and the predikat distribution of
    the results. The step is the open task of the process that carries the appraisal now: its own
    process until publication, the appeal's while it is under appeal; a final result (or any other
    without an open task) shows its status — the appraisal's appeal-window timer may still be
    waiting after an appeal made the result final. ``skp`` and ``tasks``: the team's appraisals
    (as ``team_appraisals`` reads them) and their open tasks (``current_tasks``, or ``HeldTask``
    by process as ``team_rows`` keeps them), when the caller read them already."""
    if skp is None:
        skp = list(team_appraisals(penilai=penilai, periode=periode))
    if not skp:
        return {"skp": [], "per_step": [], "per_predikat": {}}
    carriers = {item.pk: _team_carrier(item) for item in skp}
    open_tasks = tasks if tasks is not None else current_tasks([pk for pk in carriers.values() if pk])
    per_step: dict[str, int] = {}
    order: dict[str, tuple] = {}
    per_predikat: dict[str, int] = {}
    for item in skp:
        task = open_tasks.get(carriers[item.pk])
        if task is not None and not isinstance(task, HeldTask):
            task = HeldTask.of(task)
        item.step = str(task.title) if task is not None else item.get_status_display()
        item.holder_id = task.owner_id if task is not None else None
        item.holder_name = task.holder_name if task is not None else ""
        per_step[item.step] = per_step.get(item.step, 0) + 1
        appealed = item.status in _AFTER_PUBLICATION
        order.setdefault(item.step, (appealed, _position(task.flow_task) if task is not None else 1000))
        hasil = getattr(item, "hasil", None)
        if hasil is not None:
            per_predikat[hasil.predikat] = per_predikat.get(hasil.predikat, 0) + 1
    steps = sorted(per_step.items(), key=lambda pair: (order[pair[0]], pair[0]))
    return {"skp": skp, "per_step": steps, "per_predikat": per_predikat}


@dataclass(frozen=True)
class HeldTask:
    """What the team's lists show of an appraisal's open task, in plain values that can be kept
    between writes (``team_rows``): its node by viewflow's reference, its holder by id and name."""

    node_ref: str
    owner_id: int | None
    holder_name: str

    @classmethod
    def of(cls, task: Task) -> HeldTask:
        return cls(node_ref=get_task_ref(task.flow_task), owner_id=task.owner_id, holder_name=person_name(task.owner))

    @property
    def flow_task(self):
        return _node(self.node_ref)

    @property
    def title(self):
        node = self.flow_task  # as viewflow's ``Task.title``
        return node.task_title or gettext(str(node))


@lru_cache(maxsize=256)
def _node(ref: str):
    return import_task_by_ref(ref)


def team_rows(*, penilai, periode: Periode) -> tuple[list[Skp], dict[int, HeldTask], dict[int, list[Skp]]]:
    """The team page's rows, kept between audited writes (``between_writes``: every step, transfer,
    delegation and result writes an audit event): the appraisals ``penilai`` assesses in
    ``periode`` as ``team_appraisals`` reads them, each with its number of SKP in the period
    (``year_skps``), the open task of each by process (``HeldTask``), and every SKP of the period
    of the members with several (``skps_of_years``, for the year's predikat). Three queries on the
    first view after a write, none on the next ones."""

    def load():
        team = list(team_appraisals(penilai=penilai, periode=periode).annotate(year_skps=year_skp_count()))
        tasks = {pk: HeldTask.of(task) for pk, task in current_tasks(team_carriers(team)).items()}
        several = {s.pegawai_id for s in team if s.year_skps > 1}
        years = skps_of_years(pegawai_ids=several, periode_id=periode.pk) if several else {}
        return team, tasks, years

    return between_writes(("team_rows", periode.pk, penilai.pk), load)


def team_appraisals(*, penilai, periode: Periode) -> QuerySet[Skp]:
    """The appraisals ``penilai`` assesses in ``periode``, by the employee's name, with what the
    team's lists show (``team_progress``)."""
    return (
        Skp.objects.filter(penilai=penilai, periode=periode)
        .select_related("pegawai", "hasil")
        .defer(*RESULT_DETAIL)
        .annotate(appeal_process_id=APPEAL_PROCESS)
        .order_by("pegawai__nama")
    )


_AFTER_PUBLICATION = frozenset(StatusSkp.reached(StatusSkp.KEBERATAN))


def _team_carrier(item: Skp) -> int | None:
    """The process carrying a team member's appraisal now: its own until publication, the
    appeal's while under appeal, none after."""
    if item.status not in _AFTER_PUBLICATION:
        return item.process_id
    return item.appeal_process_id if item.status == StatusSkp.KEBERATAN else None


def team_carriers(skp: list[Skp]) -> list[int]:
    """The processes whose open task ``team_progress`` shows for ``skp``."""
    return [pk for pk in map(_team_carrier, skp) if pk]


def _position(node) -> int:
    """Where ``node`` is declared in its flow: steps are listed in the order the flow runs them."""
    return list(vars(node.flow_class)).index(node.name) if node.name in vars(node.flow_class) else 999


# What the lists of appraisals show of an open task: its step, state, holder (named) and due date.
# Read with only these columns: a task row, its holder and their employee record are wide.
CURRENT_TASK_FIELDS = (
    "flow_task",
    "flow_task_type",
    "status",
    "created",
    "process_id",
    *HOLDER_NAME_FIELDS,
    "tenggat__jatuh_tempo",
    "tenggat__task_id",
)


def current_tasks(process_ids: list[int]) -> dict:
    """The open task of each process (a person's task before a waiting timer), with its holder and
    its due date (``tenggat``, when it has one): one query for all of them."""

    found: dict = {}
    tasks = (
        Task.objects.filter(
            process_id__in=process_ids, status__in=[STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED, STATUS.SCHEDULED]
        )
        .select_related("owner__pegawai", "tenggat")
        .only(*CURRENT_TASK_FIELDS)
        .order_by("created")
    )
    for task in tasks:
        if task.flow_task is None:
            continue
        held = found.get(task.process_id)
        if held is None or (held.owner_id is None and task.owner_id is not None):
            found[task.process_id] = task
    return found


def completion_per_opd(*, periode: Periode) -> list[dict]:
    """For the admin page: per OPD (top-level unit under the government), how many appraisals
    exist and how many reached each milestone (by stage reached: a result under appeal or final
    has been approved and published). Added up again only after a write (``between_writes``):
    the sums walk every unit of the government."""
    return between_writes(("completion_per_opd", periode.pk), lambda: _completion_per_opd(periode))


def _completion_per_opd(periode: Periode) -> list[dict]:
    units = {u.pk: u for u in Unit.objects.filter(instansi_id=periode.instansi_id)}

    def opd_of(unit_id):
        unit = units.get(unit_id)
        while unit is not None and unit.parent_id is not None and units[unit.parent_id].parent_id is not None:
            unit = units[unit.parent_id]
        return unit

    rows: dict[int, dict] = {}
    # closed appraisals (a transfer closed them without a result) are left out: nothing to complete
    approved, published = set(StatusSkp.reached(StatusSkp.DISETUJUI)), set(StatusSkp.reached(StatusSkp.DIPUBLIKASIKAN))
    for unit_id, status, n in unit_status_counts(periode_id=periode.pk):
        opd = opd_of(unit_id)
        if opd is None:
            continue
        row = rows.setdefault(opd.pk, {"unit": opd, "total": 0, "approved": 0, "published": 0})
        row["total"] += n
        if status in approved:
            row["approved"] += n
        if status in published:
            row["published"] += n
    result = sorted(rows.values(), key=lambda r: r["unit"].nama)
    for row in result:
        row["approved_pct"] = round(100 * row["approved"] / row["total"]) if row["total"] else 0
        row["published_pct"] = round(100 * row["published"] / row["total"]) if row["total"] else 0
    return result


def tasks_in(instansi_ids) -> QuerySet[Task]:
    """Tasks of the appraisals (and of the appeals against them) of employees of the given
    governments: what an admin of those governments may see and manage."""
    return Task.objects.filter(
        Q(process__skp__pegawai__instansi_id__in=instansi_ids)
        | Q(process__keberatan__skp__pegawai__instansi_id__in=instansi_ids)
        | Q(process__penetapan_capaian__unit__instansi_id__in=instansi_ids)
    )


def opd_list(*, instansi_id: int) -> list[Unit]:
    """The OPD of a government: the units right under its root unit, by name."""
    return list(
        Unit.objects.filter(instansi_id=instansi_id, parent__isnull=False, parent__parent__isnull=True).order_by("nama")
    )


def opd_of_units(*, instansi_id: int) -> dict[int, Unit]:
    """Each unit of a government mapped to its OPD (the root maps to itself): one query."""
    units = {u.pk: u for u in Unit.objects.filter(instansi_id=instansi_id)}
    found: dict[int, Unit] = {}
    for pk, unit in units.items():
        top = unit
        while top.parent_id is not None and units[top.parent_id].parent_id is not None:
            top = units[top.parent_id]
        found[pk] = top
    return found


def unit_ids_of_opd(*, opd_id: int) -> list[int]:
    """The units of the OPD ``opd_id`` (itself included) by walking its government's tree of ids:
    one query of two columns, however many units the government has."""
    instansi_id = Unit.objects.filter(pk=opd_id).values_list("instansi_id", flat=True).first()
    if instansi_id is None:
        return []
    parent = dict(Unit.objects.filter(instansi_id=instansi_id).values_list("pk", "parent_id"))
    found = []
    for pk in parent:
        top = pk
        while parent.get(top) is not None and parent.get(parent[top]) is not None:
            top = parent[top]
        if top == opd_id:
            found.append(pk)
    return found


def period_results(*, periode: Periode, opd_id: int | None = None, predikat: str = "") -> QuerySet[Skp]:
    """The scored appraisals of a period (for its government's admin: check access first), with
    their result, employee and unit in the same query; optionally of one OPD and one predikat."""
    results = (
        Skp.objects.filter(periode=periode, hasil__isnull=False)
        .select_related("pegawai", "hasil", "unit")
        .order_by("unit_nama", "pegawai__nama", "pk")
    )
    if opd_id is not None:
        opd_map = opd_of_units(instansi_id=periode.instansi_id)
        results = results.filter(unit_id__in=[pk for pk, opd in opd_map.items() if opd.pk == opd_id])
    if predikat:
        results = results.filter(hasil__predikat=predikat)
    return results
