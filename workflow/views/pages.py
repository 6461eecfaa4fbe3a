"""The employee's and the assessor's own pages: home, profile, team, delegation, notifications."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import FormView, TemplateView

from ..exports import download, export_format
from ..forms import DelegationForm
from ..models import Delegasi, Notifikasi, Pegawai, Predikat, Skp, StatusSkp
from ..selectors.appraisal import team_progress, team_rows
from ..selectors.capaian import capaian_in_force
from ..selectors.kalibrasi import is_calibrator, level_distribution
from ..selectors.org import is_admin, org_snapshot, pegawai_of, team_of
from ..selectors.period import current_period
from ..selectors.scoring import annual_predikat, team_distribution
from ..services.delegation import delegation_create
from .exports import team_table


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
            snap = org_snapshot(me.instansi_id)
            ctx["penilai"] = snap.assessor_of(me)
            ctx["atasan_penilai"] = snap.assessor_superior_of(me)
            ctx["unit_path"] = list(reversed([me.unit, *me.unit.ancestors()]))
            ctx["my_skp"] = list(Skp.objects.filter(pegawai=me).select_related("periode").order_by("-periode__tahun"))
        return ctx


TEAM_PAGE = 50


def predikat_of(skp) -> str | None:
    hasil = getattr(skp, "hasil", None)  # a missing result raises on access
    return hasil.predikat if hasil is not None else None


class TeamView(TemplateView):
    """For an assessor: each subordinate's step, counts per step, and the predikat distribution."""

    template_name = "workflow/team.html"

    def get(self, request, *args, **kwargs):
        fmt = export_format(request.GET.get("format"))
        if fmt is None:
            return super().get(request, *args, **kwargs)
        # the download holds what the page shows: someone who assesses no one has nothing to take
        ctx = self.get_context_data(**kwargs)
        skp = ctx.get("progress", {}).get("skp", [])
        if not ctx["team"] and not skp:
            raise PermissionDenied
        me, periode = ctx["pegawai"], ctx.get("periode")
        stem = f"tim-{me.nip or me.pk}" + (f"-{periode.tahun}" if periode is not None else "")
        return download(team_table(team=ctx["team"], skp=skp), fmt=fmt, filename=stem)

    def search(self) -> dict:
        """The team lists' filters: name or NIP, step, predikat (unreadable values match nothing
        special: they are ignored)."""
        get = self.request.GET
        return {
            "q": (get.get("q") or "")[:100].strip(),
            "langkah": (get.get("langkah") or "")[:255],
            "predikat": get.get("predikat") if get.get("predikat") in dict(Predikat.choices) else "",
        }

    def matches(self, pegawai) -> bool:
        text = self.search()["q"]
        if not text:
            return True
        return text.lower() in pegawai.nama.lower() or (pegawai.nip or "").startswith(text.replace(" ", ""))

    def filtered(self, skp: list) -> list:
        wanted = self.search()
        return [
            item
            for item in skp
            if self.matches(item.pegawai)
            and (not wanted["langkah"] or item.step == wanted["langkah"])
            and (not wanted["predikat"] or predikat_of(item) == wanted["predikat"])
        ]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        me = pegawai_of(self.request.user)
        ctx["pegawai"] = me
        ctx["team"] = team_of(me) if me is not None else []
        ctx["search"] = self.search()
        ctx["predikat_choices"] = Predikat.choices
        ctx["query"] = "&".join(f"{k}={quote(v)}" for k, v in ctx["search"].items() if v)
        ctx["team_page"] = Paginator([p for p in ctx["team"] if self.matches(p)], TEAM_PAGE).get_page(
            self.request.GET.get("page")
        )
        if me is not None:
            periode = current_period(me.instansi_id)
            ctx["periode"] = periode
            if periode is not None:
                # each member's number of SKP in the period read with the rows (several after a
                # transfer), their open tasks and the SKP of those with several: kept between writes
                team, tasks, years = team_rows(penilai=me, periode=periode)
                progress = team_progress(penilai=me, periode=periode, skp=team, tasks=tasks)
                ctx["progress"] = progress
                ctx["per_step"] = progress["per_step"]
                total = sum(progress["per_predikat"].values())
                ctx["capaian"] = capaian_in_force(periode=periode, instansi_id=me.instansi_id, unit_id=me.unit_id)
                # An SKP closed without a result (a transfer before its plan was approved) never counts.
                counted = [s for s in progress["skp"] if s.status != StatusSkp.DITUTUP]
                ctx["pola"] = team_distribution(
                    penilai=me,
                    periode=periode,
                    counts=progress["per_predikat"],
                    total=len(counted),
                    scored=total,
                )
                # At the OPD or unit level the pattern applies to the whole unit, not to the team.
                ctx["tingkat"] = [
                    (view, is_calibrator(self.request.user, view.unit))
                    for view in level_distribution(periode=periode, skps=progress["skp"])
                ]
                # Employees with several SKP this year: the year's predikat and the table that decided.
                labels = dict(Predikat.choices)
                for item in progress["skp"]:
                    if item.year_skps > 1:
                        item.annual = annual_predikat(
                            pegawai_id=item.pegawai_id, periode=periode, skps=years.get(item.pegawai_id, [])
                        )
                        item.annual_label = labels.get(item.annual.predikat, "") if item.annual else ""
                ctx["skp_page"] = Paginator(self.filtered(progress["skp"]), TEAM_PAGE).get_page(
                    self.request.GET.get("page")
                )
                ctx["steps"] = [label for label, _n in progress["per_step"]]
                ctx["distribusi"] = [
                    (
                        label,
                        progress["per_predikat"].get(code, 0),
                        round(100 * progress["per_predikat"].get(code, 0) / total) if total else 0,
                    )
                    for code, label in Predikat.choices
                ]
        return ctx


class DelegationView(FormView):
    """An assessor delegates their appraisal tasks to a named official for a date range."""

    template_name = "workflow/delegation.html"

    def get_form(self, form_class=None):
        form = DelegationForm(self.request.POST or None)
        me = pegawai_of(self.request.user)
        if me is not None:
            form.fields["penerima"].queryset = (
                Pegawai.objects.filter(instansi_id=me.instansi_id, aktif=True, user__isnull=False)
                .exclude(pk=me.pk)
                .order_by("nama")
            )
        return form

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        me = pegawai_of(self.request.user)
        ctx["delegations"] = Delegasi.objects.filter(pemberi=me).select_related("penerima") if me else []
        return ctx

    def form_valid(self, form):
        me = pegawai_of(self.request.user)
        if me is None:
            raise PermissionDenied
        try:
            delegation_create(pemberi=me, by=self.request.user, **form.cleaned_data)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(self.request, message)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("Delegation recorded: new appraisal tasks go to %(name)s on those dates.")
            % {"name": form.cleaned_data["penerima"].nama},
        )
        return HttpResponseRedirect(reverse("kinerja:delegation"))


class NotificationsView(TemplateView):
    template_name = "workflow/notifications.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["items"] = list(Notifikasi.objects.filter(penerima=self.request.user)[:100])
        return ctx

    def post(self, request, *args, **kwargs):
        Notifikasi.objects.filter(penerima=request.user, dibaca__isnull=True).update(dibaca=timezone.now())
        return HttpResponseRedirect(reverse("kinerja:notifications"))
