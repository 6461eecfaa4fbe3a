"""Each person's home, their own appraisals, and one inbox, queue and archive across the
product's flows (appraisal, appeal, organisation achievement), filtered and a page at a time."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import JsonResponse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from ..filters import OpenTaskFilter, TaskFilter, search_q
from ..models import (
    Instansi,
    Notifikasi,
    Pegawai,
    Periode,
    Predikat,
    Skp,
    StatusKepegawaian,
    StatusPeriode,
    StatusSkp,
)
from ..selectors.appraisal import (
    APPEAL_PROCESS,
    RESULT_DETAIL,
    current_tasks,
    team_appraisals,
    team_carriers,
    team_progress,
)
from ..selectors.capaian import capaian_in_force
from ..selectors.dashboard import (
    STEPS,
    ProgressRow,
    distribution_from,
    government_counts,
    predikat_history,
    progress_per_opd,
)
from ..selectors.inbox import (
    archive_for,
    inbox_for,
    inbox_start,
    is_overdue,
    load_row_subjects,
    open_tasks_in,
    queue_for,
    subject_of,
    task_counts,
)
from ..selectors.org import admin_instansi_ids, org_snapshot, pegawai_of, person_name, team_of
from ..selectors.period import current_period
from .charts import distribution_chart, history_chart, org_label, pairs_chart, progress_chart

PAGE_SIZE = 25


def querystring(request, drop=("page",)) -> str:
    """The request's filters, to keep them when paging."""
    params = request.GET.copy()
    for key in drop:
        params.pop(key, None)
    return params.urlencode()


class CountedPaginator(Paginator):
    """A paginator told its count: a list the menu's badge has already counted in this request
    is not counted again."""

    def __init__(self, object_list, per_page, *, count: int | None = None):
        super().__init__(object_list, per_page)
        self.known_count = count

    @cached_property
    def count(self) -> int:
        return self.known_count if self.known_count is not None else Paginator.count.func(self)


def unfiltered(filterset) -> bool:
    """No filter of ``filterset`` narrows its rows (a page number alone does not)."""
    if not filterset.is_bound:
        return True
    return filterset.form.is_valid() and not any(
        value not in (None, "", False) for value in filterset.form.cleaned_data.values()
    )


def filtered_page(request, filterset, *, page_size: int = PAGE_SIZE, count: int | None = None):
    """The filtered rows a page at a time. Filter input that cannot be read is named in a message
    and left out of the filtering; a page number out of range shows the last page. ``count``: the
    number of rows when nothing is filtered, if already known."""
    if filterset.is_bound and not filterset.form.is_valid():
        messages.warning(
            request,
            _("Some filters could not be read and were ignored: %(fields)s.")
            % {
                "fields": ", ".join(
                    str(filterset.form.fields[f].label) for f in filterset.form.errors if f in filterset.form.fields
                )
            },
        )
    known = count if count is not None and unfiltered(filterset) else None
    return CountedPaginator(filterset.qs, page_size, count=known).get_page(request.GET.get("page"))


def page_rows(page, *, with_owner: bool = False) -> list[dict]:
    """A page's task rows; a page of an empty list (its count often told by the menu's badge) is
    not read, its query would be compiled for nothing."""
    return task_rows(page.object_list, with_owner=with_owner) if page.paginator.count else []


def task_rows(tasks, *, with_owner: bool = False) -> list[dict]:
    """What a task list shows of each task, from the rows the list loaded (no query per row)."""
    now = timezone.now()
    rows = []
    for task in load_row_subjects(tasks):
        node = task.flow_task
        if node is None:
            continue
        pegawai = subject_of(task)
        # a process about a unit, not a person: its organisation achievement or its calibration
        penetapan = getattr(task.process, "penetapan_capaian", None) if pegawai is None else None
        if pegawai is None and penetapan is None:
            tugas = getattr(task.process, "tugas_kalibrasi", None)
            penetapan = tugas.kalibrasi if tugas is not None else None
        tenggat = getattr(task, "tenggat", None)
        rows.append(
            {
                "task": task,
                "url": node.reverse("index", args=[task.process_id, task.pk]),
                "title": task.title,
                "flow": node.flow_class.process_title,
                "name": pegawai.nama if pegawai is not None else (penetapan.unit.nama if penetapan else "—"),
                "nip": pegawai.nip if pegawai is not None else "",
                "unit": pegawai.unit.nama if pegawai is not None else (str(penetapan.periode) if penetapan else ""),
                "due": tenggat.jatuh_tempo if tenggat is not None else None,
                "overdue": is_overdue(task, now),
                "owner": person_name(task.owner) if with_owner else "",
            }
        )
    return rows


class TaskListPage(TemplateView):
    """One of the user's task lists across every flow: ``inbox`` (held), ``queue`` (to take),
    ``archive`` (done)."""

    template_name = "workflow/inbox.html"
    kind = "inbox"
    titles = {
        "inbox": gettext_lazy("Inbox"),
        "queue": gettext_lazy("Queue"),
        "archive": gettext_lazy("Archive"),
    }

    def rows(self):
        user = self.request.user
        if self.kind == "queue":
            return queue_for(user=user)
        if self.kind == "archive":
            return archive_for(user=user)
        return inbox_for(user=user)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        filterset = TaskFilter(self.request.GET or None, queryset=self.rows(), request=self.request)
        # the menu's badges count the inbox and the queue (once per request): the pager uses them
        badge = task_counts(user=self.request.user).get(self.kind) if self.kind != "archive" else None
        page = filtered_page(self.request, filterset, count=badge)
        if self.kind == "inbox" and not filterset.is_bound and page.paginator.count:
            rows = task_rows(inbox_start(user=self.request.user, size=page.paginator.per_page))
        else:
            rows = page_rows(page)
        ctx.update(
            {
                "kind": self.kind,
                "title": self.titles[self.kind],
                "filter": filterset,
                "page": page,
                "rows": rows,
                "query": querystring(self.request),
                "is_admin": bool(admin_instansi_ids(self.request.user)),
            }
        )
        return ctx


class OpenTasksView(TemplateView):
    """Admins: every open task of their governments ("Semua tugas terbuka"), filtered by step,
    OPD, unit, holder and overdue, searched by name or NIP, a page at a time. The overdue page
    (with reassignment) keeps its own route."""

    template_name = "workflow/open_tasks.html"

    def dispatch(self, request, *args, **kwargs):
        if not admin_instansi_ids(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ids = admin_instansi_ids(self.request.user)
        filterset = OpenTaskFilter(self.request.GET or None, queryset=open_tasks_in(instansi_ids=ids), instansi_ids=ids)
        page = filtered_page(self.request, filterset, page_size=50)
        ctx.update(
            {
                "filter": filterset,
                "page": page,
                "rows": page_rows(page, with_owner=True),
                "query": querystring(self.request),
            }
        )
        return ctx


def my_appraisals(pegawai: Pegawai, *, skp: list[Skp] | None = None, tasks: dict | None = None) -> list[Skp]:
    """The employee's own appraisals across periods, newest first, each with its open step
    (``step``, ``holder_name``, ``due``): two queries whatever their number. ``skp`` and
    ``tasks``: the appraisals (as ``own_appraisals`` reads them) and their open tasks, when the
    caller read them already."""
    if skp is None:
        skp = list(own_appraisals(pegawai).order_by(*OWN_ORDER))
    carriers = {item.pk: _own_carrier(item) for item in skp}
    if tasks is None:
        tasks = current_tasks([pk for pk in carriers.values() if pk])
    now = timezone.now()
    for item in skp:
        task = tasks.get(carriers[item.pk])
        item.open_task = task
        item.step = str(task.title) if task is not None else ""
        item.holder_name = person_name(task.owner) if task is not None else ""
        item.mine = task is not None and task.owner_id == pegawai.user_id
        item.task_url = task.flow_task.reverse("index", args=[task.process_id, task.pk]) if task is not None else ""
        tenggat = getattr(task, "tenggat", None)
        item.due = tenggat.jatuh_tempo if tenggat is not None else None
        item.overdue = item.due is not None and item.due < now
    return skp


OWN_ORDER = ("-periode__tahun", "-urutan")  # newest first


def own_appraisals(pegawai: Pegawai):
    """The employee's own appraisals with what ``my_appraisals`` shows of them (unordered)."""
    return (
        Skp.objects.filter(pegawai=pegawai)
        .select_related("periode", "hasil")
        .defer(*RESULT_DETAIL)
        .annotate(appeal_process_id=APPEAL_PROCESS)
    )


def _own_carrier(item: Skp) -> int | None:
    """The process whose open task ``my_appraisals`` shows: the appeal's while under appeal."""
    appealed = item.status == StatusSkp.KEBERATAN and item.appeal_process_id is not None
    return item.appeal_process_id if appealed else item.process_id


def home_appraisals(pegawai: Pegawai, periode: Periode) -> tuple[list[Skp], list[Skp], dict]:
    """A unit head's own appraisals (``my_appraisals``' order) and the team's in ``periode``
    (``team_progress``'), with the open tasks of both: in two queries instead of four. Where
    a row is both (an employee assessing themselves) the team is read on its own, in its order."""
    mine, team, both = [], [], False
    rows = (
        Skp.objects.filter(Q(pegawai=pegawai) | Q(penilai=pegawai, periode=periode))
        .select_related("periode", "pegawai", "hasil")
        .defer(*RESULT_DETAIL)
        .annotate(appeal_process_id=APPEAL_PROCESS)
        # the team's by name; the employee's own (one name) newest first: as the two lists order them
        .order_by("pegawai__nama", *OWN_ORDER)
    )
    for item in rows:
        if item.pegawai_id == pegawai.pk:
            mine.append(item)
            both = both or (item.penilai_id == pegawai.pk and item.periode_id == periode.pk)
        else:
            team.append(item)
    if both:
        team = list(team_appraisals(penilai=pegawai, periode=periode))
    carriers = [c for c in map(_own_carrier, mine) if c] + team_carriers(team)
    return mine, team, current_tasks(carriers)


class MySkpView(TemplateView):
    """ "SKP saya": the signed-in employee's own appraisals across periods."""

    template_name = "workflow/my_skp.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        me = pegawai_of(self.request.user)
        ctx["pegawai"] = me
        ctx["skp_list"] = my_appraisals(me) if me is not None else []
        if me is not None:
            ctx["history"] = history_chart(
                "history", _("My predikat over the periods"), predikat_history(pegawai_id=me.pk)
            )
        return ctx


class HomeView(TemplateView):
    """Each person's home: their own SKP (status, next step, deadline), their tasks and latest
    notifications; an assessor also sees the team at a glance, an admin the progress of their
    government."""

    template_name = "workflow/home.html"
    task_count = 5

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        me = pegawai_of(user)
        ids = admin_instansi_ids(user)
        ctx["pegawai"] = me
        ctx["counts"] = task_counts(user=user, instansi_ids=ids)
        # an empty inbox (the badge's count) is not read: its query would be compiled for nothing
        ctx["tasks"] = task_rows(inbox_start(user=user, size=self.task_count)) if ctx["counts"]["inbox"] else []
        ctx["notifications"] = list(Notifikasi.objects.filter(penerima=user)[:5])
        if me is not None:
            periode = current_period(me.instansi_id)
            heads = periode is not None and bool(org_snapshot(me.instansi_id).units_headed_by(me.pk))
            if heads:  # their own appraisals and their team's, read together
                mine, team, open_tasks = home_appraisals(me, periode)
                ctx["my_skp"] = my_appraisals(me, skp=mine, tasks=open_tasks)[:3]
            else:
                ctx["my_skp"] = my_appraisals(me)[:3]
            ctx["history"] = history_chart(
                "home-history", _("My predikat over the periods"), predikat_history(pegawai_id=me.pk)
            )
            if periode is not None:
                # A unit's head: their appraisals of the period say who is assessed, the org chart
                # is asked only when there are none yet (an assessor sees a team of zero appraisals
                # too). Anyone else: the org chart (an assessor named by override), as before.
                progress = None
                if heads:
                    progress = team_progress(penilai=me, periode=periode, skp=team, tasks=open_tasks)
                    show = bool(progress["skp"]) or bool(team_of(me))
                else:
                    show = bool(team_of(me))
                if show:
                    ctx["team"] = team_glance(penilai=me, periode=periode, progress=progress)
        if ids:
            ctx["government"] = government_summary(instansi_ids=ids)
        return ctx


def team_glance(*, penilai, periode: Periode, progress: dict | None = None) -> dict:
    """The assessor's team on their home: its size, the appraisals per step (a chart and a table)
    and the predikat distribution against the pattern of the assessor's unit, counted from the
    team's rows already read (``progress``, from ``team_progress``; no query per member)."""
    if progress is None:
        progress = team_progress(penilai=penilai, periode=periode)
    labels = dict(Predikat.choices)
    counted = sum(1 for skp in progress["skp"] if skp.status != StatusSkp.DITUTUP)
    # no result yet: no distribution to draw, no pattern to look up; the unit chain's achievement
    # in force is kept between writes (``capaian_in_force``, as the team page reads it)
    in_force = (
        capaian_in_force(periode=periode, instansi_id=penilai.instansi_id, unit_id=penilai.unit_id)
        if progress["per_predikat"]
        else None
    )
    organisasi = in_force.capaian.predikat if in_force is not None else None
    found = distribution_from(counts=progress["per_predikat"], total=counted, periode=periode, organisasi=organisasi)
    return {
        "periode": periode,
        "size": len(progress["skp"]),
        "per_step": progress["per_step"],
        "per_predikat": [(labels.get(code, code), n) for code, n in progress["per_predikat"].items()],
        "steps_chart": pairs_chart("home-team-steps", _("My team per step"), progress["per_step"], _("Step"))
        if progress["per_step"]
        else None,
        "distribution": found,
        "organisasi_label": found.organisasi and org_label(found.organisasi),
        "distribution_chart": distribution_chart("home-team-distribution", _("My team's predikat distribution"), found)
        if found.scored
        else None,
    }


def government_summary(*, instansi_ids) -> dict:
    """An admin's compact view of their governments' open periods: appraisals per status, the
    open and overdue tasks, and the progress as stacked bars per step — per OPD for one
    government (its open period), per government for several. One grouped query counts the
    appraisals; the per-OPD bars add the OPD list and one more grouped query. The queries over
    the whole government run again only after a write (``selectors.dashboard.government_counts``)."""
    counts, tasks = government_counts(instansi_ids=instansi_ids)
    per_instansi: dict[int, dict[str, int]] = {}
    per_status: dict[str, int] = {}
    for instansi_id, status, n in counts:
        per_status[status] = per_status.get(status, 0) + n
        if status in STEPS:
            row = per_instansi.setdefault(instansi_id, {})
            row[status] = row.get(status, 0) + n
    if len(per_instansi) == 1:
        periode = (
            Periode.objects.filter(instansi_id=next(iter(per_instansi)), status=StatusPeriode.OPEN)
            .order_by("-tahun")
            .first()
        )
        rows = progress_per_opd(periode=periode) if periode is not None else []
        progress = progress_chart("home-progress", _("Appraisals per step in each OPD"), rows, _("OPD"))
    elif per_instansi:
        names = dict(Instansi.objects.filter(pk__in=list(per_instansi)).values_list("pk", "nama"))
        rows = sorted(
            (ProgressRow(unit=None, label=names[pk], per_step=steps) for pk, steps in per_instansi.items()),
            key=lambda r: r.label,
        )
        progress = progress_chart("home-progress", _("Appraisals per step in each government"), rows, _("Government"))
    else:
        progress = None
    labels = dict(StatusSkp.choices)
    total = sum(per_status.values())
    done = sum(n for status, n in per_status.items() if status in StatusSkp.reached(StatusSkp.DIPUBLIKASIKAN))
    return {
        "total": total,
        "published": done,
        "percent": round(100 * done / total) if total else 0,
        "per_status": [(labels[code], per_status[code]) for code in StatusSkp.values if code in per_status],
        "tasks": tasks,
        "progress_chart": progress,
    }


class PegawaiAutocompleteView(View):
    """The people pickers' search (reassignment, delegation): active employees with an account,
    of the admin's governments (an admin) or of the user's own government (an assessor choosing
    a delegate), by name or NIP; the JSON the Django admin's autocomplete widget reads."""

    page_size = 20

    def get(self, request, *args, **kwargs):
        ids = admin_instansi_ids(request.user)
        if request.GET.get("untuk") == "mutasi":
            # the transfer page (admins): anyone of their governments who can move, account or not
            if not ids:
                raise PermissionDenied
            people = Pegawai.objects.filter(instansi_id__in=ids, aktif=True).exclude(
                status_kepegawaian=StatusKepegawaian.PEJABAT_NEGARA
            )
        else:
            if not ids:
                me = pegawai_of(request.user)
                if me is None:
                    raise PermissionDenied
                ids = {me.instansi_id}
            people = Pegawai.objects.filter(instansi_id__in=ids, aktif=True, user__isnull=False).exclude(
                user=request.user
            )
        people = people.select_related("jabatan").order_by("nama", "pk")
        text = (request.GET.get("term") or "")[:100].strip()
        if text:
            people = people.filter(search_q("", text))
        try:
            number = max(1, int(request.GET.get("page") or 1))
        except ValueError:
            number = 1
        start = (number - 1) * self.page_size
        found = list(people[start : start + self.page_size + 1])
        return JsonResponse(
            {
                "results": [
                    {"id": str(p.pk), "text": f"{p.nama} — {p.nip or '—'} — {p.jabatan.nama}"}
                    for p in found[: self.page_size]
                ],
                "pagination": {"more": len(found) > self.page_size},
            }
        )
