"""The government admin's pages inside the product (the Django admin is ``workflow/admin/``):
completion per OPD, opening a period, overdue tasks and their reassignment, the rule admins, the
holiday calendar."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import FormView, TemplateView

from ..exports import download, export_format
from ..filters import search_q
from ..forms import (
    ApiTokenIssueForm,
    CapaianStartForm,
    HolidayLoadForm,
    MutasiForm,
    OpenPeriodForm,
    RuleAdminForm,
    TaskReassignForm,
)
from ..models import Instansi, PembukaanPeriode, Periode, Predikat, Skp
from ..selectors.api_token import tokens_administered_by
from ..selectors.appraisal import completion_per_opd, opd_list, opd_of_units, period_results
from ..selectors.calendar import holidays_of_year
from ..selectors.capaian import capaian_progress
from ..selectors.dashboard import progress_per_opd
from ..selectors.keadaan import exclusions_of
from ..selectors.org import admin_instansi_ids
from ..selectors.roles import rule_admins_for, user_to_manage, user_to_revoke
from ..selectors.rule_impact import results_by_version, versions_of_period
from ..services.api_token import api_token_issue, api_token_revoke
from ..services.capaian import capaian_tasks_open
from ..services.deadlines import overdue_tasks
from ..services.delegation import tasks_reassign
from ..services.holidays import HolidayFileError, holiday_years, holidays_load
from ..services.mutasi import outcome_message, pegawai_transfer
from ..services.period_open import period_open
from ..services.roles import RoleError, rule_admin_grant, rule_admin_revoke
from .charts import over_time_chart, progress_chart
from .exports import progress_table, results_table


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

    def chosen_period(self, periods: list[Periode]) -> Periode | None:
        """The period asked for (``?periode=``) among the admin's, else the latest; a period of
        another government is not found (404), never shown."""
        chosen = self.request.GET.get("periode")
        if not chosen:
            return periods[0] if periods else None
        periode = next((p for p in periods if str(p.pk) == chosen), None)
        if periode is None:
            raise Http404
        return periode


class RekapView(AdminOnlyMixin, TemplateView):
    """For an admin: completion per OPD in one period of their government (``?format=xlsx|csv``
    downloads it)."""

    template_name = "workflow/rekap.html"

    def get(self, request, *args, **kwargs):
        fmt = export_format(request.GET.get("format"))
        if fmt is not None:
            periode = self.chosen_period(list(self.periods()))
            if periode is None:
                raise Http404
            table = progress_table(rows=completion_per_opd(periode=periode), periode=periode)
            return download(table, fmt=fmt, filename=f"progres-opd-{periode.instansi.kode}-{periode.tahun}")
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        periods = list(self.periods())
        periode = self.chosen_period(periods)
        ctx.update({"periods": periods, "periode": periode})
        if periode is not None:
            ctx["rows"] = completion_per_opd(periode=periode)
            ctx["progress"] = progress_chart(
                "progress", _("Appraisals per step in each OPD"), progress_per_opd(periode=periode), _("OPD")
            )
            ctx["over_time"] = over_time_chart(
                "over-time",
                _("Appeals and overdue tasks per month"),
                Skp.objects.filter(periode=periode),
                scope=("periode", periode.pk),
            )
            ctx["query"] = f"periode={periode.pk}"
            ctx["jobs"] = PembukaanPeriode.objects.filter(periode=periode).annotate(
                dikecualikan=Count("pengecualian_set")
            )[:5]
        return ctx


class ResultsView(AdminOnlyMixin, TemplateView):
    """For an admin: the results of one period of their government, filtered by OPD and predikat
    and searched by name or NIP, a page at a time (``?format=xlsx|csv`` downloads every row the filters keep)."""

    template_name = "workflow/results.html"
    page_size = 50

    def filters(self):
        periods = list(self.periods())
        periode = self.chosen_period(periods)
        opds = opd_list(instansi_id=periode.instansi_id) if periode is not None else []
        chosen_opd = self.request.GET.get("opd", "")
        opd = next((u for u in opds if str(u.pk) == chosen_opd), None)
        if chosen_opd and opd is None:
            raise Http404
        predikat = self.request.GET.get("predikat", "")
        if predikat not in Predikat.values:
            predikat = ""
        return periods, periode, opds, opd, predikat

    def get(self, request, *args, **kwargs):
        periods, periode, opds, opd, predikat = self.filters()
        results = (
            period_results(periode=periode, opd_id=opd.pk if opd else None, predikat=predikat)
            if periode is not None
            else None
        )
        text = (request.GET.get("q") or "")[:100].strip()
        if results is not None and text:
            results = results.filter(search_q("pegawai__", text))
        fmt = export_format(request.GET.get("format"))
        if fmt is not None:
            if periode is None:
                raise Http404
            table = results_table(
                results=results.iterator(chunk_size=2000), opd_of=opd_of_units(instansi_id=periode.instansi_id)
            )
            name = "-".join(
                str(part)
                for part in ("hasil", periode.instansi.kode, periode.tahun, opd.kode if opd else "", predikat)
                if part
            )
            return download(table, fmt=fmt, filename=name)
        query = request.GET.copy()
        query.pop("page", None)
        query.pop("format", None)
        opd_map = opd_of_units(instansi_id=periode.instansi_id) if periode is not None else {}
        page = Paginator(results, self.page_size).get_page(request.GET.get("page")) if results is not None else None
        for s in page or []:
            s.opd = opd_map.get(s.unit_id)
        ctx = self.get_context_data(
            periods=periods,
            periode=periode,
            opds=opds,
            opd=opd,
            predikat=predikat,
            predikat_choices=Predikat.choices,
            page=page,
            q=text,
            query=query.urlencode(),
        )
        return self.render_to_response(ctx)


class OpenPeriodView(AdminOnlyMixin, FormView):
    """Open a period: one appraisal per active employee, created in the background."""

    template_name = "workflow/open_period.html"

    def get_form(self, form_class=None):
        return OpenPeriodForm(self.request.POST or None, user=self.request.user)

    def form_valid(self, form):
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


class CapaianStartView(AdminOnlyMixin, FormView):
    """The organisation's achievement: per open period, how many units get a task, how many tasks
    are running and how many achievements are set; and starting the tasks now (they also start
    by themselves when the annual review window opens)."""

    template_name = "workflow/capaian_start.html"

    def get_form(self, form_class=None):
        return CapaianStartForm(self.request.POST or None, user=self.request.user)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["rows"] = [(p, capaian_progress(p)) for p in self.periods()]
        return ctx

    def form_valid(self, form):
        try:
            job = capaian_tasks_open(periode=form.cleaned_data["periode"], by=self.request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
            return self.form_invalid(form)
        return HttpResponseRedirect(reverse("kinerja:open_period_status", args=[job.pk]))


class MutasiView(AdminOnlyMixin, FormView):
    """A transfer (mutasi): an employee of the admin's government moves to another unit or position
    from an effective date. The running SKP closes the day before (the old assessor rates the months
    served) and the next SKP, with the new assessor, starts on it — the service the Django admin and
    the organisation import call too."""

    template_name = "workflow/mutasi.html"

    def get_form(self, form_class=None):
        initial = {"tanggal": timezone.localdate()}
        return MutasiForm(self.request.POST or None, user=self.request.user, initial=initial)

    def form_valid(self, form):
        data = form.cleaned_data
        pegawai = data["pegawai"]
        try:
            outcome = pegawai_transfer(
                pegawai=pegawai,
                unit=data["unit"],
                jabatan=data["jabatan"],
                tanggal=data["tanggal"],
                by=self.request.user,
                alasan=data["alasan"],
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for name, errors in exc.error_dict.items():
                    form.add_error(name if name in form.fields else None, errors)
            else:
                form.add_error(None, exc)
            return self.form_invalid(form)
        messages.success(
            self.request,
            " ".join(
                part
                for part in (
                    _("%(name)s now holds %(post)s in %(unit)s.")
                    % {"name": pegawai.nama, "post": data["jabatan"].nama, "unit": data["unit"].nama},
                    outcome_message(outcome),
                )
                if part
            ),
        )
        return HttpResponseRedirect(reverse("kinerja:mutasi"))


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
                    "dikecualikan": job.pengecualian_set.count(),
                }
            )
        # The employees left out (leave, suspension), with the reason: a page at a time.
        excluded = Paginator(exclusions_of(job), 50).get_page(request.GET.get("page"))
        return self.render_to_response(self.get_context_data(job=job, excluded=excluded))


class OverdueView(AdminOnlyMixin, TemplateView):
    """Admins: open tasks past their due date (or all open ones with ``?semua=1``), held or waiting
    in the queue, searched by name or NIP a page at a time, with reassignment of one or many."""

    template_name = "workflow/overdue.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ids = admin_instansi_ids(self.request.user)
        ctx["all_open"] = self.request.GET.get("semua") == "1"
        rows = overdue_tasks(instansi_ids=ids, overdue_only=not ctx["all_open"])
        ctx["q"] = (self.request.GET.get("q") or "")[:100].strip()
        if ctx["q"]:
            rows = rows.filter(
                search_q("task__process__skp__pegawai__", ctx["q"])
                | search_q("task__process__keberatan__skp__pegawai__", ctx["q"])
            )
        ctx["page"] = Paginator(rows, 50).get_page(self.request.GET.get("page"))
        ctx["overdue"] = list(ctx["page"].object_list)
        ctx["query"] = "&".join(
            part for part in ("semua=1" if ctx["all_open"] else "", f"q={quote(ctx['q'])}" if ctx["q"] else "") if part
        )
        form = ctx.setdefault("form", TaskReassignForm(instansi_ids=ids))
        ctx["selected"] = set(form.data.getlist("tugas")) if form.is_bound else set()
        return ctx

    def post(self, request, *args, **kwargs):
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


class HolidaysView(AdminOnlyMixin, FormView):
    """The admin's holiday calendar: the holidays of a year in their government, and loading the
    national holidays and cuti bersama of a year from the file shipped in ``config/hari-libur/``
    (again is safe: dates already there are kept). Regional holidays are added in the Django admin."""

    template_name = "workflow/holidays.html"

    def get_form(self, form_class=None):
        return HolidayLoadForm(self.request.POST or None, user=self.request.user, years=holiday_years())

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        governments = list(Instansi.objects.filter(pk__in=admin_instansi_ids(self.request.user)).order_by("nama"))
        chosen = self.request.GET.get("instansi")
        instansi = next((i for i in governments if str(i.pk) == chosen), governments[0] if governments else None)
        years = holiday_years()
        try:
            tahun = int(self.request.GET.get("tahun", ""))
        except ValueError:
            tahun = years[0] if years else None
        if tahun is not None and not 1900 <= tahun <= 2999:
            tahun = None
        ctx.update({"governments": governments, "instansi": instansi, "tahun": tahun, "years": years})
        if instansi is not None and tahun is not None:
            ctx["holidays"] = list(holidays_of_year(instansi_id=instansi.pk, tahun=tahun))
        return ctx

    def form_valid(self, form):
        instansi, tahun = form.cleaned_data["instansi"], form.cleaned_data["tahun"]
        try:
            report = holidays_load(instansi=instansi, tahun=tahun, by=self.request.user)
        except HolidayFileError as exc:
            for message in exc.messages:
                form.add_error(None, message)
            return self.form_invalid(form)
        if report.added:
            text = _("%(count)d holiday(s) of %(year)s added to the calendar of %(name)s; %(kept)d already there.")
        else:
            text = _("The holidays of %(year)s were already in the calendar of %(name)s; nothing changed.")
        messages.success(
            self.request, text % {"count": len(report.added), "kept": len(report.kept), "year": tahun, "name": instansi}
        )
        return HttpResponseRedirect(f"{reverse('kinerja:holidays')}?instansi={instansi.pk}&tahun={tahun}")


class ScoredByVersionView(AdminOnlyMixin, TemplateView):
    """For an admin: which version of the scoring rules scored whom in one period (a version
    published in the middle of a period splits its results), paged, one version at a time."""

    template_name = "workflow/rekap_versi.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        periods = list(self.periods())
        chosen = self.request.GET.get("periode")
        periode = next((p for p in periods if str(p.pk) == chosen), periods[0] if periods else None)
        version = (self.request.GET.get("versi") or "")[:50]
        ctx.update({"periods": periods, "periode": periode, "versi": version})
        if periode is not None:
            ctx["versions"] = versions_of_period(periode)
            ctx["page"] = Paginator(results_by_version(periode, version or None), 50).get_page(
                self.request.GET.get("page")
            )
        return ctx


class ApiTokenView(AdminOnlyMixin, FormView):
    """The tokens of the REST API of the admin's government, a page at a time, and the form that
    issues one (through ``api_token_issue``). The new token's secret is shown once, on the answer
    to the form, and never stored nor shown again."""

    template_name = "workflow/api_tokens.html"
    form_class = ApiTokenIssueForm
    page_size = 25

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        tokens = tokens_administered_by(self.request.user)
        ctx["page"] = Paginator(tokens, self.page_size).get_page(self.request.GET.get("page"))
        ctx["now"] = timezone.now()
        return ctx

    def form_valid(self, form):
        data = form.cleaned_data
        user = None
        if data["pengguna"]:
            user = user_to_manage(by=self.request.user, identifier=data["pengguna"])
            if user is None:
                form.add_error("pengguna", _("No user with that NIP or username in your government."))
                return self.form_invalid(form)
        try:
            token, secret = api_token_issue(
                by=self.request.user,
                instansi=data["instansi"],
                scopes=data["scopes"],
                nama=data["nama"],
                user=user,
                days=data["hari"],
            )
        except ValidationError as exc:
            field = {"scopes": "scopes", "nama": "nama", "user": "pengguna", "days": "hari"}.get(exc.code)
            for message in exc.messages:
                form.add_error(field, message)
            return self.form_invalid(form)
        response = self.response_class(
            request=self.request,
            template=["workflow/api_token_issued.html"],
            context={"token": token, "secret": secret},
            using=self.template_engine,
        )
        response["Cache-Control"] = "no-store"  # the secret must not stay in a cache
        return response


class ApiTokenRevokeView(AdminOnlyMixin, TemplateView):
    """Revoking one token of the admin's government: a confirmation page (GET), then the POST.
    Another government's token is not found."""

    template_name = "workflow/api_token_revoke.html"

    def token(self):
        return get_object_or_404(tokens_administered_by(self.request.user), pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "token": self.token()}

    def post(self, request, *args, **kwargs):
        token = api_token_revoke(token=self.token(), by=request.user)
        messages.success(request, _("The token %(token)s is revoked.") % {"token": str(token)})
        return HttpResponseRedirect(reverse("kinerja:api_tokens"))
