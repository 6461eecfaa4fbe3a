"""Pages of the workflow app. Views stay thin: they read through selectors."""

from django.views.generic import TemplateView
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from .selectors.org import OrgSnapshot, is_admin, pegawai_of, team_of


class InboxView(TemplateView):
    """The user's open tasks (Kotak masuk). Filled by the appraisal flows."""

    template_name = "workflow/inbox.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["tasks"] = (
            Task.objects.filter(owner=self.request.user, status=STATUS.ASSIGNED)
            .select_related("process")
            .order_by("-created")
        )
        ctx["pegawai"] = pegawai_of(self.request.user)
        return ctx


class ProfileView(TemplateView):
    """The signed-in employee's place in the organisation: unit, position, assessor and the
    assessor's superior as the org chart resolves them today."""

    template_name = "workflow/profile.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        me = pegawai_of(self.request.user)
        ctx["pegawai"] = me
        ctx["is_admin"] = is_admin(self.request.user)
        if me is not None:
            snap = OrgSnapshot.load(me.instansi)
            ctx["penilai"] = snap.assessor_of(me)
            ctx["atasan_penilai"] = snap.assessor_superior_of(me)
            ctx["unit_path"] = list(reversed([me.unit, *me.unit.ancestors()]))
        return ctx


class TeamView(TemplateView):
    """The employees the signed-in official assesses (empty for anyone else)."""

    template_name = "workflow/team.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        me = pegawai_of(self.request.user)
        ctx["pegawai"] = me
        ctx["team"] = team_of(me) if me is not None else []
        return ctx
