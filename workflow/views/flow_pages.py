"""viewflow's flow pages, scoped per object: every list shows only the appraisals the user may see
and the process pages check the object, not just the flow."""

from __future__ import annotations

import hashlib

from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import get_script_prefix, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _
from viewflow.utils import viewprop
from viewflow.workflow import chart
from viewflow.workflow.flow import views
from viewflow.workflow.status import STATUS

from ..dates import local_date
from ..models import Predikat, StatusSkp
from ..selectors.appraisal import skp_visible_to, skps_of_year, year_skp_count
from ..selectors.calendar import appeal_in_working_days
from ..selectors.capaian import penetapan_visible_to
from ..selectors.explanation import explain, explain_annual, explain_periodic
from ..selectors.kalibrasi import tugas_visible_to
from ..selectors.org import HOLDER_NAME_FIELDS, admin_instansi_ids, person_name
from ..selectors.scoring import annual_predikat, credit_points_of
from ..services.appeal import appeal_deadline
from ..services.audit import audit_batch
from .dokumen import document_links


class TaskColumns:
    """Columns of viewflow's task lists with headers in the user's language, the step's title
    rather than the node's code name, and people by name rather than by login. What a row's
    summary names (the employee of the appraisal or of the appealed appraisal) comes with the
    list's one query."""

    @viewprop
    def queryset(self):
        return super().queryset.select_related(
            "process__skp__pegawai",
            "process__keberatan__skp__pegawai",
            "process__penetapan_capaian__unit",
            "process__penetapan_capaian__periode",
            "owner__pegawai",
            "tenggat",
        )

    def task_title(self, task):
        return task.title

    task_title.short_description = _("Task")
    flow_task = task_title  # the same column under the name viewflow's task list asks for

    def brief(self, task):
        return task.brief

    brief.short_description = _("Summary")

    def process_summary(self, task):
        url = self.request.resolver_match.flow_viewset.reverse("process_detail", args=[task.process_id])
        return format_html('<a href="{}">{}</a>', url, task.process.coerced.brief)

    process_summary.short_description = _("Appraisal")

    def owner(self, task):
        return person_name(task.owner)

    owner.short_description = _("Owner")

    def due(self, task):
        tenggat = getattr(task, "tenggat", None)
        return local_date(tenggat.jatuh_tempo) if tenggat is not None else "—"

    due.short_description = _("Due")


class ProcessColumns:
    def get_queryset(self):
        return super().get_queryset().select_related("skp__pegawai", "keberatan__skp__pegawai")

    def process_id(self, process):
        url = self.request.resolver_match.flow_viewset.reverse("process_detail", args=[process.pk])
        return format_html('<a href="{}">{}</a>', url, process.pk)

    process_id.short_description = _("No.")

    def brief(self, process):
        return process.brief

    brief.short_description = _("Summary")

    def active_tasks(self, process):
        return process.active_tasks_count

    active_tasks.short_description = _("Open tasks")


# Open tasks (inbox, queue): what to do, for whom, by when.
OPEN_TASK_COLUMNS = ("task_id", "task_title", "brief", "due", "created")


class InboxView(TaskColumns, views.FlowInboxListView):
    """One flow's inbox (the product's one inbox across the flows is ``inbox.TaskListPage``)."""

    columns = OPEN_TASK_COLUMNS


class ArchiveView(TaskColumns, views.FlowArchiveListView):
    columns = ("task_id", "task_title", "brief", "created", "finished", "process_summary")


class QueueView(TaskColumns, views.FlowQueueListView):
    columns = OPEN_TASK_COLUMNS


class ScopedQueueView(QueueView):
    @viewprop
    def queryset(self):
        return super().queryset.filter(process__skp__pegawai__instansi_id__in=admin_instansi_ids(self.request.user))


class ListScopedBulkAction:
    """viewflow's bulk actions on tasks act on the posted ``pk`` values — or, with ``select_all``,
    on every row — of the whole task table, both flows and every government. Here their rows are
    the rows of one of the user's own lists of this flow (``list_view``: the viewset's inbox or
    queue page, built for this request), so the confirmation lists, and the action touches, nothing
    the user's list does not show. Each task is still checked by its node (``allowed``); one the
    user may not act on is left as it is and counted, instead of failing the whole batch."""

    flow_class = None  # given by the viewset (it passes the keyword arguments a view declares)
    list_view: str = ""

    @cached_property
    def list_rows(self):
        view = getattr(self.viewset, self.list_view)(flow_class=self.flow_class, viewset=self.viewset)
        view.setup(self.request)
        return view.queryset

    def get_queryset(self):
        self.queryset = self.list_rows
        return super().get_queryset()

    def allowed(self, user, task) -> bool:
        raise NotImplementedError

    def act(self, activation) -> None:
        raise NotImplementedError

    def form_valid(self, form):
        user, done, left = self.request.user, 0, 0
        # each task's audit event (``AppraisalActivation``) goes into one chain append
        with transaction.atomic(), audit_batch():
            for task in self.get_queryset():
                with task.activation() as activation:
                    if self.allowed(user, activation.task):
                        self.act(activation)
                        done += 1
                    else:
                        left += 1
        messages.success(self.request, self.done_message % {"count": done})
        if left:
            messages.warning(
                self.request,
                gettext("%(count)d task(s) left as they were: you may not act on them.") % {"count": left},
            )
        return HttpResponseRedirect(self.get_success_url())


class BulkAssignView(ListScopedBulkAction, views.BulkAssignTasksActionView):
    """Take tasks from the queue (admins: their government's tasks nobody holds)."""

    list_view = "queue_view_class"
    done_message = _("%(count)d task(s) taken from the queue.")

    def allowed(self, user, task) -> bool:
        return task.flow_task.can_assign(user, task)

    def act(self, activation) -> None:
        activation.assign(self.request.user)


class BulkUnassignView(ListScopedBulkAction, views.BulkUnassignTasksActionView):
    """Give tasks of one's own inbox back to the queue."""

    list_view = "inbox_view_class"
    done_message = _("%(count)d task(s) returned to the queue.")

    def allowed(self, user, task) -> bool:
        return task.flow_task.can_unassign(user, task)

    def act(self, activation) -> None:
        activation.unassign()


class ScopedProcessListView(ProcessColumns, views.DashboardProcessListView):
    def get_queryset(self):
        return super().get_queryset().filter(skp__in=skp_visible_to(self.request.user)).order_by("-created")


class ScopedTaskListView(TaskColumns, views.DashboardTaskListView):
    @viewprop
    def queryset(self):
        return super().queryset.filter(process__skp__in=skp_visible_to(self.request.user))


class DashboardRedirectView(views.DashboardView):
    """The kanban dashboard lists every process of the flow; send people to their own home (their
    SKP, tasks, team and, for an admin, their government's progress)."""

    def get(self, request, *args, **kwargs):
        return HttpResponseRedirect(reverse("kinerja:index"))


class ScopedChartView(views.FlowChartView):
    def dispatch(self, request, *args, **kwargs):
        process_pk = kwargs.get("process_pk")
        if process_pk is not None:
            process = self.flow_class.process_class._default_manager.filter(pk=process_pk).first()
            if process is None or not self.flow_class.instance.has_view_permission(request.user, process):
                raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        """A process's chart (the image on the appraisal page, fetched on every view of it) drawn
        once per flow, language and state of its steps: the SVG depends on nothing else, so the
        drawing is cached under those (one query for the steps' states on each request)."""
        process_pk = kwargs.get("process_pk")
        if process_pk is None or request.GET.get("format") == "bpmn":
            return super().get(request, *args, **kwargs)
        flow_class = self.flow_class
        tasks = flow_class.task_class._default_manager.filter(
            process_id=process_pk, process__flow_class=flow_class
        ).order_by("flow_task", "created")
        states: dict = {}
        for flow_task, status in tasks.values_list("flow_task", "status"):  # as viewflow's calc_cell_status
            if not (states.get(flow_task) is not None and status == STATUS.NEW):
                states[flow_task] = status
        key = (
            "kinerja-chart:"
            + hashlib.sha256(
                repr(
                    (flow_class.instance.flow_label, get_language(), sorted((str(n), s) for n, s in states.items()))
                ).encode()
            ).hexdigest()
        )
        svg = cache.get(key)
        if svg is None:
            grid = chart.calc_layout_data(flow_class)
            for node in grid.nodes:
                if node in states:
                    grid[node].status = states[node]
            svg = chart.grid_to_svg(grid)
            cache.set(key, svg, 3600)
        return HttpResponse(svg, content_type="image/svg+xml")


STEP_ROW_FIELDS = (
    "flow_task",
    "status",
    "created",
    "finished",
    "process_id",
    *HOLDER_NAME_FIELDS,
)


# Each step's page URL, worked out once per process and node by reversing the node's pattern with
# two marks in place of the process and task ids: a page lists a dozen steps, each a different node.
_PROCESS_MARK, _TASK_MARK = "9876543210123", "3210123456789"
_step_urls: dict[tuple, str] = {}


def step_url(node, process_pk: int, task_pk: int, namespace: str | None) -> str:
    """``node.reverse("index", args=[process_pk, task_pk], current_app=namespace)``."""
    key = (node.flow_class, node.name, namespace, get_script_prefix())
    pattern = _step_urls.get(key)
    if pattern is None:
        marked = node.reverse("index", args=[int(_PROCESS_MARK), int(_TASK_MARK)], current_app=namespace)
        escaped = marked.replace("{", "{{").replace("}", "}}")
        pattern = _step_urls[key] = escaped.replace(_PROCESS_MARK, "{0}", 1).replace(_TASK_MARK, "{1}", 1)
    return pattern.format(process_pk, task_pk)


class ProcessPageMixin:
    """What every process page shows around its content: the steps so far, each with the name of
    the person who held it, and whether the user may manage (cancel) the process."""

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        # only what a step's row shows (its title comes from its node): the row reads fewer
        # columns of three tables, compiled and turned into objects on every view
        tasks = ctx["task_list"].select_related("owner__pegawai").only(*STEP_ROW_FIELDS)
        user, namespace = self.request.user, getattr(self.request.resolver_match, "namespace", None)

        def link(task) -> str:
            # what the template's ``has_perm`` and ``reverse`` tags did per row, without the tags
            node = task.flow_task
            if node is None or not node.has_view_permission(user):
                return ""
            return step_url(node, self.object.pk, task.pk, namespace)

        ctx["task_rows"] = [(task, person_name(task.owner), link(task)) for task in tasks]
        ctx["can_manage"] = self.flow_class.instance.has_manage_permission(self.request.user, self.object)
        return ctx


class AppraisalDetailView(ProcessPageMixin, views.DetailProcessView):
    """The appraisal page: the chart of where the process is, the plan, the reviews and the result
    with its explanation."""

    template_name = "workflow/process_detail.html"

    def get_queryset(self):
        # the appraisal with what the permission check, the documents and the result read of it:
        # one query instead of five
        return (
            super()
            .get_queryset()
            .select_related("skp__pegawai", "skp__penilai", "skp__periode", "skp__hasil", "skp__keberatan")
            .annotate(year_skps=year_skp_count("skp__"))
        )

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        skp = getattr(self.object, "skp", None)
        ctx["skp"] = skp
        if skp is not None:
            ctx["rhk_list"] = list(skp.rhk_set.prefetch_related("iki_set").select_related("rhk_atasan"))
            ctx["ekspektasi"] = list(skp.ekspektasi_set.all())
            ctx["evaluasi_list"] = list(
                skp.evaluasi_set.select_related("jendela", "hasil_periodik").prefetch_related(
                    "realisasi_set", "perilaku_set", "realisasi_iki_set"
                )
            )
            # Each review's rows point at the plan's RHK and indicators, already loaded above.
            rhk_by_id = {r.pk: r for r in ctx["rhk_list"]}
            iki_by_id = {i.pk: i for r in ctx["rhk_list"] for i in r.iki_set.all()}
            for ev in ctx["evaluasi_list"]:
                # each RHK's row lists its indicators' achievements: grouped here once, not
                # searched for among all of the review's indicators in every row of the template
                iki_rows: dict[int, list] = {}
                for row in ev.realisasi_iki_set.all():
                    if row.iki_id in iki_by_id:
                        row.iki = iki_by_id[row.iki_id]
                    iki_rows.setdefault(row.iki.rhk_id, []).append(row)
                for row in ev.realisasi_set.all():
                    if row.rhk_id in rhk_by_id:
                        row.rhk = rhk_by_id[row.rhk_id]
                    row.iki_rows = iki_rows.get(row.rhk_id, [])
            ctx["dokumen"] = document_links(self.request.user, skp, ctx["evaluasi_list"])
            # A year of several SKP (a transfer, an appointment): the year's predikat and why.
            # The year's SKP read once for the year's predikat and the credit points.
            # (most years have one SKP: this one, read above with its period and result)
            several = getattr(self.object, "year_skps", None) != 1
            year = skps_of_year(pegawai_id=skp.pegawai_id, periode_id=skp.periode_id) if several else [skp]
            annual = annual_predikat(pegawai_id=skp.pegawai_id, periode=skp.periode, skps=year)
            if annual is not None:
                ctx["annual"] = annual
                ctx["annual_label"] = dict(Predikat.choices).get(annual.predikat, "")
                ctx["annual_penjelasan"] = explain_annual(annual)
            periodic = [ev.hasil_periodik for ev in ctx["evaluasi_list"] if hasattr(ev, "hasil_periodik")]
            ctx["penjelasan_periodik"] = explain_periodic(periodic)
            hasil = getattr(skp, "hasil", None)
            me = self.request.user
            # The employee sees the result only once it is published; assessors and admins earlier.
            if hasil is not None and (hasil.dipublikasikan or skp.pegawai.user_id != me.pk):
                ctx["hasil"] = hasil
                ctx["appeal"] = getattr(skp, "keberatan", None)
                ctx["penjelasan"] = explain(hasil, keberatan=ctx["appeal"])
                ctx["angka_kredit"] = credit_points_of(
                    pegawai_id=skp.pegawai_id,
                    periode_id=skp.periode_id,
                    published_only=skp.pegawai.user_id == me.pk,
                    skps=year,
                )
                if (
                    ctx["appeal"] is None
                    and hasil.dipublikasikan
                    and skp.pegawai.user_id == me.pk
                    and skp.status == StatusSkp.DIPUBLIKASIKAN
                ):
                    ctx["appeal_deadline"] = appeal_deadline(skp)
                    ctx["appeal_working_days"] = appeal_in_working_days(skp)
                    ctx["can_appeal"] = timezone.now() <= ctx["appeal_deadline"]
        return ctx


class ScopedAppealQueueView(QueueView):
    @viewprop
    def queryset(self):
        return super().queryset.filter(
            process__keberatan__skp__pegawai__instansi_id__in=admin_instansi_ids(self.request.user)
        )


class ScopedAppealListView(ProcessColumns, views.DashboardProcessListView):
    def get_queryset(self):
        me = self.request.user
        return (
            super()
            .get_queryset()
            .filter(Q(keberatan__skp__in=skp_visible_to(me)) | Q(keberatan__pemutus__user=me))
            .distinct()
            .order_by("-created")
        )


class ScopedAppealTaskListView(TaskColumns, views.DashboardTaskListView):
    @viewprop
    def queryset(self):
        return super().queryset.filter(process__keberatan__skp__in=skp_visible_to(self.request.user))


class AppealDetailView(ProcessPageMixin, views.DetailProcessView):
    """The appeal page: the appealed result, both sides and the final decision."""

    template_name = "workflow/appeal_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        keberatan = getattr(self.object, "keberatan", None)
        ctx["keberatan"] = keberatan
        if keberatan is not None:
            ctx["skp"] = keberatan.skp
            ctx["hasil"] = keberatan.skp.hasil
            ctx["penjelasan"] = explain(keberatan.skp.hasil, keberatan=keberatan)
        return ctx


# --- the organisation's achievement (``flows.CapaianFlow``) -------------------------------------


class ScopedCapaianQueueView(QueueView):
    @viewprop
    def queryset(self):
        return super().queryset.filter(
            process__penetapan_capaian__unit__instansi_id__in=admin_instansi_ids(self.request.user)
        )


class ScopedCapaianListView(ProcessColumns, views.DashboardProcessListView):
    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .filter(penetapan_capaian__in=penetapan_visible_to(self.request.user))
            .select_related("penetapan_capaian__unit", "penetapan_capaian__periode")
            .order_by("-created")
        )


class ScopedCapaianTaskListView(TaskColumns, views.DashboardTaskListView):
    @viewprop
    def queryset(self):
        return super().queryset.filter(process__penetapan_capaian__in=penetapan_visible_to(self.request.user))


# --- the calibration of a unit's results (``flows.KalibrasiFlow``) -----------------------------


class ScopedKalibrasiQueueView(QueueView):
    @viewprop
    def queryset(self):
        return super().queryset.filter(
            process__tugas_kalibrasi__kalibrasi__unit__instansi_id__in=admin_instansi_ids(self.request.user)
        )


class ScopedKalibrasiListView(ProcessColumns, views.DashboardProcessListView):
    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .filter(tugas_kalibrasi__in=tugas_visible_to(self.request.user))
            .select_related("tugas_kalibrasi__kalibrasi__unit", "tugas_kalibrasi__kalibrasi__periode")
            .order_by("-created")
        )


class ScopedKalibrasiTaskListView(TaskColumns, views.DashboardTaskListView):
    @viewprop
    def queryset(self):
        return super().queryset.filter(process__tugas_kalibrasi__in=tugas_visible_to(self.request.user))
