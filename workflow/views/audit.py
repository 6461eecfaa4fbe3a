"""Audit pages: the timeline of one appraisal and the admins' search over the audit log (with an XLSX
and CSV export). Views stay thin: reads through ``selectors.audit``, permissions through the selectors."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.functional import cached_property
from django.views.generic import TemplateView

from ..exports import download, export_format
from ..forms import AuditSearchForm
from ..models import Skp
from ..selectors.aggregates import between_writes
from ..selectors.appraisal import can_view_skp
from ..selectors.audit import appraisal_timeline, audit_rows_of, audit_search
from ..selectors.org import admin_instansi_ids
from .exports import audit_table


class TimelineView(TemplateView):
    """Who did what when to one appraisal, with from → to changes, in people's words. Admins of
    the appraisal's government and auditors may switch to the technical view (``?tampilan=teknis``:
    the process, every node of the flow, internal numbers). Someone who may not see the appraisal
    gets 404 (its existence is not revealed either)."""

    template_name = "workflow/audit/timeline.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        skp = get_object_or_404(Skp.objects.select_related("pegawai", "periode", "process"), pk=kwargs["skp_pk"])
        if not can_view_skp(self.request.user, skp):
            raise Http404
        user = self.request.user
        may_audit = (
            user.is_superuser
            or skp.pegawai.instansi_id in admin_instansi_ids(user)
            or user.has_perm("workflow.view_auditevent")
        )
        technical = may_audit and self.request.GET.get("tampilan") == "teknis"
        # The rules editor is for admins: others read which version scored them, without a link.
        ctx.update(
            skp=skp,
            may_audit=may_audit,
            technical=technical,
            entries=appraisal_timeline(skp=skp, technical=technical),
            can_open_rules=self.request.user.has_perm("rules.manage_rules"),
        )
        return ctx


class CappedPaginator(Paginator):
    """Counts at most ``cap`` rows: the audit log of a government grows without end, and counting
    all of it on every search would make the page slower every day. Past the cap the page says
    "more than" and asks for a narrower search; the pages up to the cap stay reachable."""

    cap = 10_000

    def __init__(self, *args, key=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.key = key

    @cached_property
    def count(self) -> int:
        # COUNT over a LIMIT subquery, unordered: the database stops after cap + 1 rows instead of
        # sorting every event first. Events are only ever appended, each moving the chain's head:
        # a search (``key``) counts the same until the next one (``between_writes``).
        def load() -> int:
            return self.object_list.order_by()[: self.cap + 1].count()

        return load() if self.key is None else between_writes(("audit_count", self.key, self.cap), load)

    @property
    def capped(self) -> bool:
        return self.count > self.cap

    @cached_property
    def num_pages(self) -> int:
        return super().num_pages if not self.capped else -(-self.cap // self.per_page)

    def validate_number(self, number):
        number = super().validate_number(number)
        return min(number, self.num_pages)


class AuditSearchView(TemplateView):
    """For admins: search their government's audit events by person, object, action and date."""

    template_name = "workflow/audit/search.html"
    page_size = 50

    def dispatch(self, request, *args, **kwargs):
        if not (request.user.is_superuser or admin_instansi_ids(request.user)):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def events(self, form):
        data = form.cleaned_data if form.is_valid() else {}
        return audit_search(
            user=self.request.user,
            person=data.get("person", ""),
            obj=data.get("obj", ""),
            action=data.get("action", ""),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
        )

    def get(self, request, *args, **kwargs):
        form = AuditSearchForm(request.GET or None)
        events = self.events(form)
        fmt = export_format(request.GET.get("format"))
        if fmt is not None:
            stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
            return download(audit_table(events=events.iterator(chunk_size=2000)), fmt=fmt, filename=f"audit-{stamp}")
        # the search as the user asked it, of the governments they see: what its count depends on
        data = form.cleaned_data if form.is_valid() else {}
        user = request.user
        key = (user.pk, user.is_superuser, sorted(admin_instansi_ids(user)), sorted(data.items()))
        page = CappedPaginator(audit_rows_of(events), self.page_size, key=repr(key)).get_page(request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        return self.render_to_response(self.get_context_data(form=form, page=page, query=query.urlencode()))
