"""Audit pages: the timeline of one appraisal and the admins' search over the audit log (with a CSV
export). Views stay thin: reads through ``selectors.audit``, permissions through the selectors."""

from __future__ import annotations

import csv
import json

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.views.generic import TemplateView

from ..forms import AuditSearchForm
from ..models import Skp
from ..selectors.appraisal import can_view_skp
from ..selectors.audit import appraisal_timeline, audit_search
from ..selectors.org import admin_instansi_ids


class TimelineView(TemplateView):
    """Who did what when to one appraisal, with from → to changes. Someone who may not see the
    appraisal gets 404 (its existence is not revealed either)."""

    template_name = "workflow/audit/timeline.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        skp = get_object_or_404(Skp.objects.select_related("pegawai", "periode", "process"), pk=kwargs["skp_pk"])
        if not can_view_skp(self.request.user, skp):
            raise Http404
        # The rules editor is for admins: others read which version scored them, without a link.
        ctx.update(
            skp=skp,
            entries=appraisal_timeline(skp=skp),
            can_open_rules=self.request.user.has_perm("rules.manage_rules"),
        )
        return ctx


CSV_COLUMNS = [
    "seq",
    "time",
    "actor",
    "action",
    "object_type",
    "object_id",
    "object",
    "reason",
    "before",
    "after",
    "request_id",
    "ip",
    "hash",
]


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
        if request.GET.get("format") == "csv":
            return self.csv(events)
        page = Paginator(events, self.page_size).get_page(request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        return self.render_to_response(self.get_context_data(form=form, page=page, query=query.urlencode()))

    def csv(self, events) -> HttpResponse:
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.csv"'
        response.write("\ufeff")  # so spreadsheet programs read UTF-8
        writer = csv.writer(response)
        writer.writerow(CSV_COLUMNS)
        for e in events.iterator(chunk_size=2000):
            writer.writerow(
                [
                    e.seq,
                    timezone.localtime(e.time).isoformat(),
                    e.actor_repr,
                    e.action,
                    e.content_type.model if e.content_type_id else "",
                    e.object_id,
                    _csv_safe(e.object_repr),
                    _csv_safe(e.reason),
                    json.dumps(e.before, ensure_ascii=False),
                    json.dumps(e.after, ensure_ascii=False),
                    e.request_id,
                    e.ip or "",
                    e.hash,
                ]
            )
        return response


def _csv_safe(text: str) -> str:
    """Cells starting with a formula character are prefixed so spreadsheets show, not run, them."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@") else text
