"""Pages of the workflow app. Views stay thin: they read through selectors and write through services."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, RedirectView, TemplateView, View

from project.widgets import DateInput

from .forms import TEXT_MAX, AppealFileForm, TaskReassignForm, form_errors
from .models import NilaiPerilaku, Pegawai, PembukaanPeriode, Periode, Predikat, Rating, Skp, StatusPeriode, Unit
from .selectors.appraisal import completion_per_opd, team_progress
from .selectors.org import admin_instansi_ids, is_admin, org_snapshot, pegawai_of, team_of
from .selectors.roles import rule_admins_for, user_to_manage, user_to_revoke
from .selectors.scoring import team_distribution
from .services.roles import RoleError, rule_admin_grant, rule_admin_revoke


class HomeView(RedirectView):
    def get_redirect_url(self, *args, **kwargs):
        return reverse("appraisal:inbox")


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


def current_period(instansi_id: int) -> Periode | None:
    return (
        Periode.objects.filter(instansi_id=instansi_id, status=StatusPeriode.OPEN).order_by("-tahun").first()
        or Periode.objects.filter(instansi_id=instansi_id).order_by("-tahun").first()
    )


class TeamView(TemplateView):
    """For an assessor: each subordinate's step, counts per step, and the predikat distribution."""

    template_name = "workflow/team.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        me = pegawai_of(self.request.user)
        ctx["pegawai"] = me
        ctx["team"] = team_of(me) if me is not None else []
        if me is not None:
            periode = current_period(me.instansi_id)
            ctx["periode"] = periode
            if periode is not None:
                progress = team_progress(penilai=me, periode=periode)
                ctx["progress"] = progress
                ctx["per_step"] = progress["per_step"]
                total = sum(progress["per_predikat"].values())
                ctx["pola"] = team_distribution(
                    penilai=me,
                    periode=periode,
                    counts=progress["per_predikat"],
                    total=len(progress["skp"]),
                    scored=total,
                )
                ctx["distribusi"] = [
                    (
                        label,
                        progress["per_predikat"].get(code, 0),
                        round(100 * progress["per_predikat"].get(code, 0) / total) if total else 0,
                    )
                    for code, label in Predikat.choices
                ]
        return ctx


class AdminOnlyMixin:
    def dispatch(self, request, *args, **kwargs):
        if not admin_instansi_ids(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def periods(self):
        return (
            Periode.objects.filter(instansi_id__in=admin_instansi_ids(self.request.user))
            .select_related("instansi")
            .order_by("-tahun", "instansi__nama")
        )


class RekapView(AdminOnlyMixin, TemplateView):
    """For an admin: completion per OPD in one period of their government."""

    template_name = "workflow/rekap.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        periods = list(self.periods())
        chosen = self.request.GET.get("periode")
        periode = next((p for p in periods if str(p.pk) == chosen), periods[0] if periods else None)
        ctx.update({"periods": periods, "periode": periode})
        if periode is not None:
            ctx["rows"] = completion_per_opd(periode=periode)
            ctx["jobs"] = PembukaanPeriode.objects.filter(periode=periode)[:5]
        return ctx


class OpenPeriodForm(forms.Form):
    periode = forms.ModelChoiceField(queryset=Periode.objects.none(), label=gettext_lazy("Period"))
    unit = forms.ModelChoiceField(
        queryset=Unit.objects.none(),
        required=False,
        label=gettext_lazy("Only this unit and the units below it (optional)"),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        ids = admin_instansi_ids(user)
        self.fields["periode"].queryset = Periode.objects.filter(instansi_id__in=ids).exclude(
            status=StatusPeriode.CLOSED
        )
        self.fields["unit"].queryset = Unit.objects.filter(instansi_id__in=ids, aktif=True)


class OpenPeriodView(AdminOnlyMixin, FormView):
    """Open a period: one appraisal per active employee, created in the background."""

    template_name = "workflow/open_period.html"

    def get_form(self, form_class=None):
        return OpenPeriodForm(self.request.POST or None, user=self.request.user)

    def form_valid(self, form):
        from .services.period_open import period_open

        periode, unit = form.cleaned_data["periode"], form.cleaned_data["unit"]
        if unit is not None and unit.instansi_id != periode.instansi_id:
            form.add_error("unit", _("The unit belongs to another government."))
            return self.form_invalid(form)
        try:
            job = period_open(periode=periode, by=self.request.user, unit=unit)
        except ValidationError as exc:
            form.add_error(None, exc)
            return self.form_invalid(form)
        return HttpResponseRedirect(reverse("kinerja:open_period_status", args=[job.pk]))


class OpenPeriodStatusView(AdminOnlyMixin, TemplateView):
    template_name = "workflow/open_period_status.html"

    def get(self, request, *args, job_pk, **kwargs):
        job = get_object_or_404(
            PembukaanPeriode.objects.select_related("periode"),
            pk=job_pk,
            periode__instansi_id__in=admin_instansi_ids(request.user),
        )
        if request.GET.get("format") == "json":
            return JsonResponse(
                {
                    "status": job.status,
                    "total": job.total,
                    "diproses": job.diproses,
                    "dibuat": job.dibuat,
                    "persen": job.persen,
                }
            )
        return self.render_to_response(self.get_context_data(job=job))


class SuggestView(View):
    """The rules' suggestions for the ratings the assessor has chosen so far (annual review page)."""

    def post(self, request, skp_pk):
        from .selectors.appraisal import rhk_of
        from .selectors.scoring import predikat_preview, rulebook_for, suggest_ratings
        from .services.tasks import open_task

        skp = get_object_or_404(Skp.objects.select_related("periode", "pegawai", "penilai"), pk=skp_pk)
        from .flows import AppraisalFlow

        task = open_task(skp.process_id, AppraisalFlow.final_review) if skp.process_id else None
        if task is None or task.owner_id != request.user.pk:
            raise PermissionDenied
        labels = dict(Rating.choices)

        def rating(name: str) -> str:  # anything but a known rating counts as not chosen yet
            value = request.POST.get(name, "")
            return value if value in labels else ""

        rhk = {r.pk: rating(f"rating_{r.pk}") for r in rhk_of(skp)}  # the rules read the same rows
        perilaku = {v: rating(f"rating_{v}") for v in NilaiPerilaku.values}
        context = {"complete": all(rhk.values()) and all(perilaku.values())}
        data = {}
        if context["complete"]:
            book = rulebook_for(skp)  # one version for the suggestion and the preview
            suggestion = suggest_ratings(skp=skp, rhk_ratings=rhk, perilaku_ratings=perilaku, book=book)
            # the predikat the ratings the assessor keeps (the suggestion, or their own choice) give
            preview = predikat_preview(
                skp=skp,
                book=book,
                hasil_kerja=rating("rating_hasil_kerja") or suggestion.hasil_kerja,
                perilaku=rating("rating_perilaku") or suggestion.perilaku,
            )
            context.update(
                hasil_kerja=labels.get(suggestion.hasil_kerja, suggestion.hasil_kerja),
                perilaku=labels.get(suggestion.perilaku, suggestion.perilaku),
                preview={**preview, "predikat": dict(Predikat.choices).get(preview["predikat"])},
            )
            data = {"hasil_kerja": suggestion.hasil_kerja, "perilaku": suggestion.perilaku,
                    "predikat": preview["predikat"]}
        html = render_to_string("workflow/includes/suggestion.html", context, request=request)
        return JsonResponse({"html": html, **data})

    def get(self, request, skp_pk):
        messages.info(request, _("Open the annual review task to see the suggestions."))
        return HttpResponseRedirect(reverse("kinerja:index"))


class AppealFileView(View):
    """The employee files a keberatan against their published result."""

    template_name = "workflow/appeal_file.html"

    def get_skp(self, request, skp_pk):
        skp = get_object_or_404(Skp.objects.select_related("pegawai", "periode"), pk=skp_pk)
        if skp.pegawai.user_id != request.user.pk:
            raise PermissionDenied
        return skp

    def render(self, request, skp, **extra):
        from django.shortcuts import render

        from .services.appeal import appeal_deadline, appeal_handler

        hasil = getattr(skp, "hasil", None)
        ctx = {"skp": skp, "hasil": hasil, **extra}
        if hasil is not None and hasil.dipublikasikan:
            ctx["deadline"] = appeal_deadline(skp)
            ctx["handler"], ctx["routing_note"] = appeal_handler(skp)
        return render(request, self.template_name, ctx)

    def get(self, request, skp_pk):
        return self.render(request, self.get_skp(request, skp_pk))

    def post(self, request, skp_pk):
        from .flows import AppealFlow
        from .services.appeal import appeal_file

        skp = self.get_skp(request, skp_pk)
        form = AppealFileForm(request.POST, request.FILES)
        try:
            if not form.is_valid():
                raise ValidationError(form_errors(form))
            keberatan = appeal_file(
                skp=skp, by=request.user, alasan=form.cleaned_data["alasan"], lampiran=form.cleaned_data["lampiran"]
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            return self.render(request, skp, alasan=form.data.get("alasan", "")[:TEXT_MAX])
        messages.success(request, _("Your appeal was filed; the official who decides it has been notified."))
        return HttpResponseRedirect(AppealFlow.instance.reverse("process_detail", args=[keberatan.process_id]))


class OverdueView(AdminOnlyMixin, TemplateView):
    """Admins: open tasks past their due date (or all open ones with ``?semua=1``), held or waiting
    in the queue, with reassignment of one or many."""

    template_name = "workflow/overdue.html"

    def get_context_data(self, **kwargs):
        from .services.deadlines import overdue_tasks

        ctx = super().get_context_data(**kwargs)
        ids = admin_instansi_ids(self.request.user)
        ctx["all_open"] = self.request.GET.get("semua") == "1"
        ctx["overdue"] = list(overdue_tasks(instansi_ids=ids, overdue_only=not ctx["all_open"])[:500])
        form = ctx.setdefault("form", TaskReassignForm(instansi_ids=ids))
        ctx["selected"] = set(form.data.getlist("tugas")) if form.is_bound else set()
        return ctx

    def post(self, request, *args, **kwargs):
        from .services.delegation import tasks_reassign

        form = TaskReassignForm(request.POST, instansi_ids=admin_instansi_ids(request.user))
        if form.is_valid():
            to = form.cleaned_data["kepada"]
            try:
                count = tasks_reassign(
                    task_ids=[task.pk for task in form.cleaned_data["tugas"]],
                    to=to,
                    by=request.user,
                    reason=form.cleaned_data["alasan"],
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(
                    request, _("%(count)d task(s) reassigned to %(name)s.") % {"count": count, "name": to.nama}
                )
                return HttpResponseRedirect(reverse("kinerja:overdue"))
        return self.render_to_response(self.get_context_data(form=form))


class DelegationForm(forms.Form):
    penerima = forms.ModelChoiceField(queryset=Pegawai.objects.none(), label=gettext_lazy("Delegate"))
    mulai = forms.DateField(label=gettext_lazy("From"), widget=DateInput())
    selesai = forms.DateField(label=gettext_lazy("Until"), widget=DateInput())
    alasan = forms.CharField(label=gettext_lazy("Reason"), max_length=255)


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
        from .models import Delegasi

        ctx = super().get_context_data(**kwargs)
        me = pegawai_of(self.request.user)
        ctx["delegations"] = Delegasi.objects.filter(pemberi=me).select_related("penerima") if me else []
        return ctx

    def form_valid(self, form):
        from .services.delegation import delegation_create

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
        from .models import Notifikasi

        ctx = super().get_context_data(**kwargs)
        ctx["items"] = list(Notifikasi.objects.filter(penerima=self.request.user)[:100])
        return ctx

    def post(self, request, *args, **kwargs):
        from django.utils import timezone

        from .models import Notifikasi

        Notifikasi.objects.filter(penerima=request.user, dibaca__isnull=True).update(dibaca=timezone.now())
        return HttpResponseRedirect(reverse("kinerja:notifications"))


class RuleAdminForm(forms.Form):
    pengguna = forms.CharField(label=gettext_lazy("NIP or username"), max_length=150)


class RuleAdminsView(AdminOnlyMixin, FormView):
    """A government admin grants and revokes the rule-admin role ("Admin Aturan") for the people
    of their own government. The role is the rules editor's one permission: no staff status, no
    other right."""

    template_name = "workflow/rule_admins.html"
    form_class = RuleAdminForm

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["rule_admins"] = rule_admins_for(by=self.request.user)
        return ctx

    def post(self, request, *args, **kwargs):
        if "cabut" in request.POST:
            return self.change(user_to_revoke(by=request.user, pk=request.POST["cabut"]), grant=False)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        return self.change(user_to_manage(by=self.request.user, identifier=form.cleaned_data["pengguna"]), grant=True)

    def change(self, user, *, grant: bool):
        try:
            if user is None:
                raise RoleError(_("No user with that NIP or username in your government."))
            changed = (rule_admin_grant if grant else rule_admin_revoke)(user=user, by=self.request.user)
        except RoleError as exc:
            for message in exc.messages:
                messages.error(self.request, message)
            return HttpResponseRedirect(reverse("kinerja:rule_admins"))
        name = str(user.get_full_name() or user.get_username())
        if grant:
            text = _("%(name)s is now a rule admin.") if changed else _("%(name)s already is a rule admin.")
        else:
            text = _("%(name)s is no longer a rule admin.")
        messages.success(self.request, text % {"name": name})
        return HttpResponseRedirect(reverse("kinerja:rule_admins"))
