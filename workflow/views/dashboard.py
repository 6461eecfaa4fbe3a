"""Dashboards with charts (``views.charts``): the admin's drill-down of progress (OPD → unit →
employee) with each unit's predikat distribution against its pattern, and each person's own charts
(the assessor's team, the employee's predikat over the periods)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from ..models import Skp, Unit
from ..selectors.dashboard import (
    distribution_of,
    employees_of,
    predikat_history,
    progress_below,
    step_counts,
    unit_skps,
)
from ..selectors.distribution import recorded_predikat
from ..selectors.org import admin_instansi_ids, pegawai_of, team_of
from ..selectors.period import current_period
from ..selectors.scoring import predikat_organisasi_of
from .admin_pages import AdminOnlyMixin
from .charts import distribution_chart, history_chart, org_label, over_time_chart, progress_chart, steps_chart


class UnitProgressView(AdminOnlyMixin, TemplateView):
    """For an admin: one unit of their government in one period — its sub-units' progress per step
    (each links one level down), its own staff with their step and predikat, and the predikat
    distribution of the unit against the bounds of its pattern."""

    template_name = "workflow/rekap_unit.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        unit = get_object_or_404(Unit, pk=kwargs["unit_pk"], instansi_id__in=admin_instansi_ids(self.request.user))
        periods = [p for p in self.periods() if p.instansi_id == unit.instansi_id]
        periode = self.chosen_period(periods)
        if periode is None:
            raise Http404
        rows = progress_below(periode=periode, unit=unit)
        for row in rows:
            if row.unit is not None and row.unit.pk == unit.pk:
                row.label = _("Own staff of %(unit)s") % {"unit": unit.nama}
        organisasi = recorded_predikat(periode=periode, unit=unit) or predikat_organisasi_of(
            periode=periode, instansi_id=unit.instansi_id, unit_id=unit.pk
        )
        skps = unit_skps(periode=periode, unit=unit)
        found = distribution_of(skps=skps, periode=periode, organisasi=organisasi)
        ancestors, parent = [], unit.parent
        while parent is not None and parent.parent_id is not None:
            ancestors.insert(0, parent)
            parent = parent.parent
        ctx.update(
            unit=unit,
            ancestors=ancestors,
            periods=periods,
            periode=periode,
            rows=rows,
            progress=progress_chart("progress", _("Appraisals per step"), rows, _("Unit")),
            employees=employees_of(periode=periode, unit=unit),
            distribution=found,
            distribution_chart=distribution_chart("distribution", _("Predikat distribution"), found),
            organisasi_label=found.organisasi and org_label(found.organisasi),
            over_time=over_time_chart("over-time", _("Appeals and overdue tasks per month"), skps),
        )
        return ctx


class ChartsView(TemplateView):
    """Each person's charts: the assessor's team (per step, its predikat distribution against the
    pattern, appeals and overdue tasks per month) and the employee's own predikat over the
    periods. An admin finds their government's charts on the progress page."""

    template_name = "workflow/charts.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        me = pegawai_of(self.request.user)
        is_admin = bool(admin_instansi_ids(self.request.user))
        if me is None and not is_admin:
            raise PermissionDenied
        ctx["is_admin"] = is_admin
        ctx["pegawai"] = me
        if me is None:
            return ctx
        periode = current_period(me.instansi_id)
        ctx["periode"] = periode
        if periode is not None and team_of(me):
            team = Skp.objects.filter(penilai=me, periode=periode)
            ctx["team_steps"] = steps_chart("team-steps", _("My team per step"), step_counts(team))
            organisasi = predikat_organisasi_of(periode=periode, instansi_id=me.instansi_id, unit_id=me.unit_id)
            found = distribution_of(skps=team, periode=periode, organisasi=organisasi)
            ctx["team_distribution"] = found
            ctx["organisasi_label"] = found.organisasi and org_label(found.organisasi)
            ctx["team_chart"] = distribution_chart("team-distribution", _("My team's predikat distribution"), found)
            ctx["team_over_time"] = over_time_chart(
                "team-over-time",
                _("Appeals and overdue tasks of my team per month"),
                team,
                scope=("team", me.pk, periode.pk),
            )
        ctx["history"] = history_chart("history", _("My predikat over the periods"), predikat_history(pegawai_id=me.pk))
        return ctx
