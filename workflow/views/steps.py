"""The human steps of the appraisal and appeal flows. Each step page declares its form and the one
service it calls (``ServiceTaskView``); the base does the rest: a bound form, the service with the
started activation, and on a ``ValidationError`` the page again with the message and nothing saved."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from project.prepared import PreparedPrefetch

from ..forms import (
    AppealDecideForm,
    AppealRespondForm,
    PlanDecisionForm,
    PlanForm,
    ReviewForm,
    RhkForm,
    SelfReviewForm,
    form_errors,
)
from ..models import (
    AppraisalProcess,
    Evaluasi,
    JenisJendela,
    NilaiPerilaku,
    PredikatOrganisasi,
    Rating,
    RealisasiRhk,
    Rhk,
    Skp,
)
from ..models.choices import KeputusanKeberatan, KeputusanRencana
from ..selectors.appraisal import PLAN_ROWS, REVIEW_ROWS, assessor_plan, staff_waiting_for
from ..selectors.explanation import explain
from ..selectors.scoring import final_ratings, unit_head_rating
from ..services import appeal as appeal_services
from ..services import appraisal as services
from ..services.tasks import flow_of

# The rows a step's page shows beside the SKP's RHK and reviews, read compiled once per connection.
_IKI_OF_RHK = PreparedPrefetch(Rhk, "iki_set")
_REALISASI = PreparedPrefetch(Evaluasi, "realisasi_set")
_PERILAKU = PreparedPrefetch(Evaluasi, "perilaku_set")
_EKSPEKTASI = PreparedPrefetch(Skp, "ekspektasi_set")
_REALISASI_IKI = PreparedPrefetch(Evaluasi, "realisasi_iki_set")


class TaskView(TemplateView):
    """Common frame: the SKP of the task, its process and a success redirect to the inbox."""

    template_name = "workflow/task.html"
    step_template = ""
    success_message = ""

    @property
    def activation(self):
        return self.request.activation

    @property
    def skp(self):
        return self.activation.process.skp

    def _shared(self, read: PreparedPrefetch, queryset, then=()) -> list:
        """The SKP's rows that ``read`` reads into its prefetch cache (and ``then`` into theirs),
        where the services and the selectors (``rhk_of``, ``reviews_of``) read them with the same
        read: once per request instead of once by the page and again by the step. After a POST
        the rows a service held may have been changed in memory by a step that then failed: the
        page reads its own (``queryset``)."""
        skp = self.skp
        if self.request.method != "GET" and read.cache_name in getattr(skp, "_prefetched_objects_cache", {}):
            return list(queryset.filter(skp=skp))
        read([skp])
        rows = list(getattr(skp, read.name).all())
        for nested in then:
            nested(rows)
        return rows

    @cached_property
    def rhk_list(self):
        return self._shared(
            PLAN_ROWS, Rhk.objects.select_related("rhk_atasan").prefetch_related("iki_set"), then=(_IKI_OF_RHK,)
        )

    @cached_property
    def evaluasi_list(self):
        return self._shared(
            REVIEW_ROWS,
            Evaluasi.objects.select_related("jendela").prefetch_related("realisasi_set", "perilaku_set"),
            then=(_REALISASI, _PERILAKU),
        )

    @cached_property
    def ekspektasi_list(self):
        _EKSPEKTASI([self.skp])
        return list(self.skp.ekspektasi_set.all())

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        skp = self.skp
        ctx.update(
            {
                "skp": skp,
                "task": self.activation.task,
                "step_template": self.step_template,
                "rhk_list": self.rhk_list,
                # a step reads the reviews and the expectations only where it shows them (``current``,
                # ``expectations``): a plan step has none to show, and its page one query fewer each
            }
        )
        return ctx

    def done(self):
        # To the product's one inbox across the flows (where the person finds the next task; the
        # flow's own inbox page costs twice its queries), with the success message.
        messages.success(self.request, str(self.success_message))
        return HttpResponseRedirect(reverse("kinerja:inbox"))

    def failed(self, exc: ValidationError, **context):
        for message in exc.messages:
            messages.error(self.request, message)
        return self.render_to_response(self.get_context_data(**context))


class ServiceTaskView(TaskView):
    """A step page: ``form_class`` shapes the input, ``submit`` calls the step's service.

    POST: an invalid form shows the page again with the fields marked and ``invalid_message``; a
    ``ValidationError`` from the service shows it again with the service's messages; otherwise
    ``submit``'s response, or the success message and the inbox."""

    form_class: type = None
    invalid_message = gettext_lazy("Please correct the marked fields.")

    def get_form_kwargs(self) -> dict:
        """Keyword arguments of the form, bound or not."""
        return {}

    def get_initial(self) -> dict:
        """Initial values of the unbound form."""
        return {}

    def get_form(self, data=None, files=None):
        kwargs = self.get_form_kwargs()
        if data is None:
            kwargs["initial"] = self.get_initial()
        return self.form_class(data, files, **kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        if "form" not in ctx:
            ctx["form"] = self.get_form()
        return ctx

    def submit(self, form):
        """Call the step's service with the valid form; return a response to leave the page other
        than by ``done`` (or nothing)."""
        raise NotImplementedError

    def form_invalid(self, form):
        messages.error(self.request, str(self.invalid_message))
        return self.render_to_response(self.get_context_data(form=form))

    def post(self, request, *args, **kwargs):
        form = self.get_form(request.POST, request.FILES)
        if not form.is_valid():
            return self.form_invalid(form)
        try:
            response = self.submit(form)
        except ValidationError as exc:
            return self.failed(exc, form=form)
        return response or self.done()


def _number(value) -> str:
    return f"{value.normalize():f}"


class PlanDraftView(ServiceTaskView):
    step_template = "workflow/steps/plan_draft.html"
    form_class = PlanForm
    success_message = gettext_lazy("Your SKP was submitted to your assessor.")

    @cached_property
    def assessor_plan(self):
        return assessor_plan(self.skp)

    def get_form_kwargs(self):
        initial = []
        for rhk in self.rhk_list:
            row = {"jenis": rhk.jenis, "teks": rhk.teks, "rhk_atasan": rhk.rhk_atasan_id}
            for (_n, suffix), iki in zip(RhkForm.slots(), rhk.iki_set.all(), strict=False):
                row |= {
                    f"aspek{suffix}": iki.aspek,
                    f"indikator{suffix}": iki.indikator,
                    f"target{suffix}": _number(iki.target_angka)
                    if iki.target_angka is not None
                    else iki.target_kualitatif,
                    f"satuan{suffix}": iki.satuan,
                }
            initial.append(row)
        atasan_choices = [(r.pk, f"{r.urutan}. {r.teks[:120]}") for r in self.assessor_plan.choices]
        return {"pendekatan": self.skp.pendekatan, "rows": initial, "atasan_choices": atasan_choices}

    def get_form(self, data=None, files=None):
        return self.form_class(data, files, **self.get_form_kwargs())

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["header"], ctx["formset"] = ctx["form"].header, ctx["form"].formset
        ctx["link"] = self.assessor_plan
        ctx["staff_waiting"] = staff_waiting_for(self.skp)
        ctx["max_iki"] = services.MAX_IKI
        return ctx

    def form_invalid(self, form):
        for message in form.errors():
            messages.error(self.request, message)
        return super().form_invalid(form)

    def submit(self, form):
        rows = form.inputs()
        pendekatan = form.header.cleaned_data["pendekatan"]
        if "simpan" in self.request.POST:
            services.plan_save(
                skp=self.skp, by=self.request.user, pendekatan=pendekatan, rows=rows, link=self.assessor_plan
            )
            messages.success(self.request, _("Draft saved. Submit it when it is complete."))
            return HttpResponseRedirect(self.request.get_full_path())
        services.plan_submit(
            skp=self.skp,
            by=self.request.user,
            pendekatan=pendekatan,
            rows=rows,
            activation=self.activation,
            link=self.assessor_plan,  # read for the form's choices, in this transaction
        )
        return None


class PlanApproveView(ServiceTaskView):
    step_template = "workflow/steps/plan_approve.html"
    form_class = PlanDecisionForm
    invalid_message = gettext_lazy("Choose whether to approve or return the plan.")
    success_message = gettext_lazy("Your decision on the SKP was recorded.")

    def get_initial(self):
        return {f"ekspektasi_{e.nilai}": e.ekspektasi for e in self.ekspektasi_list}

    def get_form_kwargs(self):
        return {"required_values": services.required_expectations(self.skp)}

    def submit(self, form):
        data = form.cleaned_data
        services.plan_decide(
            skp=self.skp,
            by=self.request.user,
            approve=data["keputusan"] == KeputusanRencana.SETUJUI,
            note=data["catatan"],
            expectations={v: data[f"ekspektasi_{v}"] for v in NilaiPerilaku.values},
            activation=self.activation,
        )


class SelfReviewView(ServiceTaskView):
    step_template = "workflow/steps/self_review.html"
    form_class = SelfReviewForm
    success_message = gettext_lazy("Your self-review was sent to your assessor.")
    final = False

    def get_form_kwargs(self):
        return {"rhk_list": self.rhk_list}

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        kind = JenisJendela.AKHIR if self.final else JenisJendela.PERIODIK
        ctx["window"] = services.current_window(self.skp, kind=kind)
        return ctx

    def submit(self, form):
        data = form.cleaned_data
        rows = [
            services.RealisasiInput(
                rhk_id=r.pk,
                realisasi=data[f"realisasi_{r.pk}"],
                bukti_file=data.get(f"bukti_file_{r.pk}"),
                bukti_tautan=data[f"bukti_tautan_{r.pk}"],
                iki=form.iki_values(r),
            )
            for r in form.rhk_list
        ]
        services.self_review_submit(
            skp=self.skp,
            by=self.request.user,
            rows=rows,
            catatan=data["catatan"],
            final=self.final,
            activation=self.activation,
        )


class FinalSelfReviewView(SelfReviewView):
    final = True


class ReviewView(ServiceTaskView):
    step_template = "workflow/steps/review.html"
    form_class = ReviewForm
    success_message = gettext_lazy("Your review was recorded.")
    final = False

    @cached_property
    def window(self):
        return services.review_window(self.skp, kind=JenisJendela.AKHIR if self.final else JenisJendela.PERIODIK)

    @cached_property
    def current(self):
        """This window's review so far (the self-review, and the ratings if the result came back)."""
        # From the reviews the page lists anyway; their indicator rows point at the plan's indicators.
        current = next((ev for ev in self.evaluasi_list if self.window and ev.jendela_id == self.window.pk), None)
        if current is not None:
            _REALISASI_IKI([current])
            iki = {i.pk: i for r in self.rhk_list for i in r.iki_set.all()}
            for row in current.realisasi_iki_set.all():
                if row.iki_id in iki:
                    row.iki = iki[row.iki_id]
        return current

    @cached_property
    def returned(self):
        """The result the distribution check sent back to the assessor (annual review only)."""
        hasil = getattr(self.skp, "hasil", None) if self.final else None
        return hasil if hasil is not None and hasil.dipublikasikan is None else None

    def get_form_kwargs(self):
        return {"rhk_list": self.rhk_list, "final": self.final}

    def get_initial(self):
        # A result sent back starts from the earlier ratings.
        if self.returned is None or self.current is None:
            return {}
        rows = [(r.rhk_id, r) for r in self.current.realisasi_set.all()]
        rows += [(p.nilai, p) for p in self.current.perilaku_set.all()]
        return {f"{field}_{key}": getattr(row, field) for key, row in rows for field in ("rating", "umpan_balik")}

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["window"] = self.window
        ctx["current"] = self.current
        ctx["realisasi"] = {r.rhk_id: r for r in self.current.realisasi_set.all()} if self.current else {}
        ctx["realisasi_iki"] = {r.iki_id: r for r in self.current.realisasi_iki_set.all()} if self.current else {}
        if self.returned is not None:
            ctx["returned"] = self.returned  # the page says why the result came back
        ctx["form"].realisasi = ctx["realisasi"]
        ctx["expectations"] = {e.nilai: e.ekspektasi for e in self.ekspektasi_list}
        ctx["final"] = self.final
        if self.final:  # a unit head's work-result rating follows their unit's organisation predikat
            head = unit_head_rating(self.skp)
            ctx["unit_head"] = head and {
                "organisasi": dict(PredikatOrganisasi.choices).get(head.predikat_organisasi),
                "rating": dict(Rating.choices).get(head.rating),
                "tetap": head.tetap,
            }
        return ctx

    def feedback(self, form):
        data = form.cleaned_data
        rhk = {r.pk: services.FeedbackInput(data[f"umpan_balik_{r.pk}"], data[f"rating_{r.pk}"]) for r in form.rhk_list}
        perilaku = {
            v: services.FeedbackInput(data[f"umpan_balik_{v}"], data[f"rating_{v}"]) for v in NilaiPerilaku.values
        }
        return rhk, perilaku

    def submit(self, form):
        rhk, perilaku = self.feedback(form)
        data = form.cleaned_data
        services.review_submit(
            skp=self.skp,
            by=self.request.user,
            rhk_feedback=rhk,
            perilaku=perilaku,
            rating_hasil_kerja=data["rating_hasil_kerja"],
            alasan_hasil_kerja=data["alasan_hasil_kerja"],
            rating_perilaku=data["rating_perilaku"],
            alasan_perilaku=data["alasan_perilaku"],
            activation=self.activation,
        )


class FinalReviewView(ReviewView):
    final = True
    success_message = gettext_lazy("The annual review was recorded; the result is computed by the rules.")

    def submit(self, form):
        rhk, perilaku = self.feedback(form)
        data = form.cleaned_data
        services.final_review_submit(
            skp=self.skp,
            by=self.request.user,
            rhk_feedback=rhk,
            perilaku=perilaku,
            rating_hasil_kerja=data["rating_hasil_kerja"],
            alasan_hasil_kerja=data["alasan_hasil_kerja"],
            rating_perilaku=data["rating_perilaku"],
            alasan_perilaku=data["alasan_perilaku"],
            activation=self.activation,
        )


class AppealTaskView(ServiceTaskView):
    """Common frame of the appeal steps: the appealed appraisal, its result and trace, the reasons.
    Their pages mark no fields: each error of the form is a message."""

    @property
    def keberatan(self):
        return self.activation.process.keberatan

    @property
    def skp(self):
        return self.keberatan.skp

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["keberatan"] = self.keberatan
        ctx["hasil"] = self.skp.hasil
        ctx["penjelasan"] = explain(self.skp.hasil, keberatan=self.keberatan)
        return ctx

    def form_invalid(self, form):
        return self.failed(ValidationError(form_errors(form)), form=form)


class AppealRespondView(AppealTaskView):
    step_template = "workflow/steps/appeal_respond.html"
    form_class = AppealRespondForm
    success_message = gettext_lazy("Your response was sent to the official who decides the appeal.")

    def submit(self, form):
        appeal_services.appeal_respond(
            keberatan=self.keberatan,
            by=self.request.user,
            tanggapan=form.cleaned_data["tanggapan"],
            activation=self.activation,
        )


class AppealDecideView(AppealTaskView):
    step_template = "workflow/steps/appeal_decide.html"
    form_class = AppealDecideForm
    success_message = gettext_lazy("The appeal was decided. The decision is final.")

    def get_form_kwargs(self):
        return {"rhk_list": self.rhk_list}

    def get_initial(self):
        rhk_ratings, _perilaku = final_ratings(self.skp)  # the assessor's ratings, to change
        return {f"rating_{pk}": rating for pk, rating in rhk_ratings.items()}

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["ratings"] = Rating.choices
        ctx["appraisal_url"] = flow_of(AppraisalProcess).instance.reverse("process_detail", args=[self.skp.process_id])
        ctx["realisasi"] = {
            r.rhk_id: r
            for r in RealisasiRhk.objects.filter(evaluasi__skp=self.skp, evaluasi__jendela__jenis=JenisJendela.AKHIR)
        }
        return ctx

    def submit(self, form):
        data = form.cleaned_data
        appeal_services.appeal_decide(
            keberatan=self.keberatan,
            by=self.request.user,
            uphold=data["keputusan"] == KeputusanKeberatan.KUATKAN,
            alasan=data["alasan"],
            rating_hasil_kerja=data["rating_hasil_kerja"],
            rating_perilaku=data["rating_perilaku"],
            rhk_ratings=form.rhk_ratings(),
            activation=self.activation,
        )
