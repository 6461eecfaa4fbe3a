"""The human steps of the appraisal flow. Each view shapes input with a form and calls one service
with the started activation; a ``ValidationError`` from the service re-renders the page with the
message and nothing saved."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from .forms import (
    AppealDecideForm,
    AppealRespondForm,
    PlanDecisionForm,
    PlanHeaderForm,
    ReviewForm,
    RhkFormSet,
    SelfReviewForm,
    form_errors,
)
from .models import EkspektasiPerilaku, JenisJendela, NilaiPerilaku, Rating
from .selectors.explanation import explain
from .services import appeal as appeal_services
from .services import appraisal as services


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

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        skp = self.skp
        ctx.update(
            {
                "skp": skp,
                "task": self.activation.task,
                "step_template": self.step_template,
                "rhk_list": list(skp.rhk_set.prefetch_related("iki_set").select_related("rhk_atasan")),
                "ekspektasi": {e.nilai: e.ekspektasi for e in skp.ekspektasi_set.all()},
                "nilai_perilaku": NilaiPerilaku.choices,
                "evaluasi_list": list(
                    skp.evaluasi_set.select_related("jendela").prefetch_related("realisasi_set", "perilaku_set")
                ),
            }
        )
        return ctx

    def done(self):
        messages.success(self.request, self.success_message)
        return HttpResponseRedirect(self.activation.flow_task.flow_class.instance.reverse("inbox"))

    def failed(self, exc: ValidationError, **context):
        for message in exc.messages:
            messages.error(self.request, message)
        return self.render_to_response(self.get_context_data(**context))


class PlanDraftView(TaskView):
    step_template = "workflow/steps/plan_draft.html"

    @property
    def success_message(self):
        return _("Your SKP was submitted to your assessor.")

    def atasan_choices(self):
        return [(r.pk, r.teks[:120]) for r in services.assessor_rhk_choices(self.skp)]

    def forms(self, data=None):
        skp = self.skp
        initial = []
        for rhk in skp.rhk_set.prefetch_related("iki_set"):
            iki = rhk.iki_set.first()
            initial.append(
                {
                    "jenis": rhk.jenis,
                    "teks": rhk.teks,
                    "rhk_atasan": rhk.rhk_atasan_id,
                    "aspek": iki.aspek if iki else "kuantitas",
                    "indikator": iki.indikator if iki else "",
                    "target": (
                        f"{iki.target_angka.normalize():f}"
                        if iki and iki.target_angka is not None
                        else (iki.target_kualitatif if iki else "")
                    ),
                    "satuan": iki.satuan if iki else "",
                }
            )
        header = PlanHeaderForm(data, initial={"pendekatan": skp.pendekatan}, prefix="skp")
        formset = RhkFormSet(data, initial=initial, prefix="rhk", form_kwargs={"atasan_choices": self.atasan_choices()})
        return header, formset

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        if "header" not in ctx:
            ctx["header"], ctx["formset"] = self.forms()
        return ctx

    def post(self, request, *args, **kwargs):
        header, formset = self.forms(request.POST)
        if not (header.is_valid() and formset.is_valid()):
            messages.error(request, _("Please correct the marked fields."))
            return self.render_to_response(self.get_context_data(header=header, formset=formset))
        rows = [
            services.RhkInput(
                jenis=f.cleaned_data["jenis"],
                teks=f.cleaned_data["teks"],
                indikator=f.cleaned_data["indikator"],
                aspek=f.cleaned_data["aspek"],
                target=f.cleaned_data["target"],
                satuan=f.cleaned_data["satuan"],
                rhk_atasan_id=f.cleaned_data.get("rhk_atasan"),
            )
            for f in formset.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE") and not f.is_blank()
        ]
        try:
            if "simpan" in request.POST:
                services.plan_save(
                    skp=self.skp, by=request.user, pendekatan=header.cleaned_data["pendekatan"], rows=rows
                )
                messages.success(request, _("Draft saved. Submit it when it is complete."))
                return HttpResponseRedirect(request.get_full_path())
            services.plan_submit(
                skp=self.skp,
                by=request.user,
                pendekatan=header.cleaned_data["pendekatan"],
                rows=rows,
                activation=self.activation,
            )
        except ValidationError as exc:
            return self.failed(exc, header=header, formset=formset)
        return self.done()


class PlanApproveView(TaskView):
    step_template = "workflow/steps/plan_approve.html"

    @property
    def success_message(self):
        return _("Your decision on the SKP was recorded.")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        if "form" not in ctx:
            initial = {f"ekspektasi_{e.nilai}": e.ekspektasi for e in EkspektasiPerilaku.objects.filter(skp=self.skp)}
            ctx["form"] = PlanDecisionForm(initial=initial)
        return ctx

    def post(self, request, *args, **kwargs):
        form = PlanDecisionForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Choose whether to approve or return the plan."))
            return self.render_to_response(self.get_context_data(form=form))
        data = form.cleaned_data
        try:
            services.plan_decide(
                skp=self.skp,
                by=request.user,
                approve=data["keputusan"] == "setujui",
                note=data["catatan"],
                expectations={v: data[f"ekspektasi_{v}"] for v in NilaiPerilaku.values},
                activation=self.activation,
            )
        except ValidationError as exc:
            return self.failed(exc, form=form)
        return self.done()


class SelfReviewView(TaskView):
    step_template = "workflow/steps/self_review.html"
    final = False

    @property
    def success_message(self):
        return _("Your self-review was sent to your assessor.")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        kind = JenisJendela.AKHIR if self.final else JenisJendela.PERIODIK
        ctx["window"] = services.current_window(self.skp, kind=kind)
        if "form" not in ctx:
            ctx["form"] = SelfReviewForm(rhk_list=ctx["rhk_list"])
        return ctx

    def post(self, request, *args, **kwargs):
        rhk_list = list(self.skp.rhk_set.prefetch_related("iki_set"))
        form = SelfReviewForm(request.POST, request.FILES, rhk_list=rhk_list)
        if not form.is_valid():
            messages.error(request, _("Please correct the marked fields."))
            return self.render_to_response(self.get_context_data(form=form))
        data = form.cleaned_data
        rows = [
            services.RealisasiInput(
                rhk_id=r.pk,
                realisasi=data[f"realisasi_{r.pk}"],
                bukti_file=data.get(f"bukti_file_{r.pk}"),
                bukti_tautan=data[f"bukti_tautan_{r.pk}"],
            )
            for r in rhk_list
        ]
        try:
            services.self_review_submit(
                skp=self.skp,
                by=request.user,
                rows=rows,
                catatan=data["catatan"],
                final=self.final,
                activation=self.activation,
            )
        except ValidationError as exc:
            return self.failed(exc, form=form)
        return self.done()


class FinalSelfReviewView(SelfReviewView):
    final = True


class ReviewView(TaskView):
    step_template = "workflow/steps/review.html"
    final = False

    @property
    def success_message(self):
        return _("Your review was recorded.")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        kind = JenisJendela.AKHIR if self.final else JenisJendela.PERIODIK
        window = services.review_window(self.skp, kind=kind)
        ctx["window"] = window
        ctx["current"] = (
            self.skp.evaluasi_set.filter(jendela=window).prefetch_related("realisasi_set", "perilaku_set").first()
        )
        ctx["realisasi"] = {r.rhk_id: r for r in ctx["current"].realisasi_set.all()} if ctx["current"] else {}
        hasil = getattr(self.skp, "hasil", None) if self.final else None
        if hasil is not None and hasil.dipublikasikan is None:
            # The distribution check sent the result back: say why, and start from the earlier ratings.
            ctx["returned"] = hasil
        if "form" not in ctx:
            initial = {}
            if "returned" in ctx and ctx["current"] is not None:
                current = ctx["current"]
                rows = [(r.rhk_id, r) for r in current.realisasi_set.all()]
                rows += [(p.nilai, p) for p in current.perilaku_set.all()]
                fields = ("rating", "umpan_balik")
                initial = {f"{field}_{key}": getattr(row, field) for key, row in rows for field in fields}
            ctx["form"] = ReviewForm(rhk_list=ctx["rhk_list"], final=self.final, initial=initial)
        ctx["form"].realisasi = ctx["realisasi"]
        ctx["expectations"] = dict(self.skp.ekspektasi_set.values_list("nilai", "ekspektasi"))
        ctx["final"] = self.final
        return ctx

    def read(self, form):
        data = form.cleaned_data
        feedback = services.FeedbackInput
        rhk = {r.pk: feedback(data[f"umpan_balik_{r.pk}"], data[f"rating_{r.pk}"]) for r in form.rhk_list}
        perilaku = {v: feedback(data[f"umpan_balik_{v}"], data[f"rating_{v}"]) for v in NilaiPerilaku.values}
        return rhk, perilaku

    def post(self, request, *args, **kwargs):
        form = ReviewForm(request.POST, rhk_list=list(self.skp.rhk_set.prefetch_related("iki_set")), final=self.final)
        if not form.is_valid():
            messages.error(request, _("Please correct the marked fields."))
            return self.render_to_response(self.get_context_data(form=form))
        rhk, perilaku = self.read(form)
        try:
            if self.final:
                data = form.cleaned_data
                services.final_review_submit(
                    skp=self.skp,
                    by=request.user,
                    rhk_feedback=rhk,
                    perilaku=perilaku,
                    rating_hasil_kerja=data["rating_hasil_kerja"],
                    alasan_hasil_kerja=data["alasan_hasil_kerja"],
                    rating_perilaku=data["rating_perilaku"],
                    alasan_perilaku=data["alasan_perilaku"],
                    activation=self.activation,
                )
            else:
                services.review_submit(
                    skp=self.skp, by=request.user, rhk_feedback=rhk, perilaku=perilaku, activation=self.activation
                )
        except ValidationError as exc:
            return self.failed(exc, form=form)
        return self.done()


class FinalReviewView(ReviewView):
    final = True

    @property
    def success_message(self):
        return _("The annual review was recorded; the result is computed by the rules.")


class AppealTaskView(TaskView):
    """Common frame of the appeal steps: the appealed appraisal, its result and trace, the reasons."""

    template_name = "workflow/task.html"

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


class AppealRespondView(AppealTaskView):
    step_template = "workflow/steps/appeal_respond.html"

    @property
    def success_message(self):
        return _("Your response was sent to the official who decides the appeal.")

    def post(self, request, *args, **kwargs):
        form = AppealRespondForm(request.POST)
        if not form.is_valid():
            return self.failed(ValidationError(form_errors(form)))
        try:
            appeal_services.appeal_respond(
                keberatan=self.keberatan,
                by=request.user,
                tanggapan=form.cleaned_data["tanggapan"],
                activation=self.activation,
            )
        except ValidationError as exc:
            return self.failed(exc)
        return self.done()


class AppealDecideView(AppealTaskView):
    step_template = "workflow/steps/appeal_decide.html"

    @property
    def success_message(self):
        return _("The appeal was decided. The decision is final.")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["ratings"] = Rating.choices
        return ctx

    def post(self, request, *args, **kwargs):
        form = AppealDecideForm(request.POST)
        if not form.is_valid():
            return self.failed(ValidationError(form_errors(form)))
        data = form.cleaned_data
        try:
            appeal_services.appeal_decide(
                keberatan=self.keberatan,
                by=request.user,
                uphold=data["keputusan"] == "kuatkan",
                alasan=data["alasan"],
                rating_hasil_kerja=data["rating_hasil_kerja"],
                rating_perilaku=data["rating_perilaku"],
                activation=self.activation,
            )
        except ValidationError as exc:
            return self.failed(exc)
        return self.done()

