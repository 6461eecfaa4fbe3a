"""The rules' suggestions on the annual review page, updated as the assessor rates, and on the
appeal decision page, updated as the deciding official changes ratings."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import View

from ..models import AppealProcess, AppraisalProcess, Keberatan, NilaiPerilaku, Predikat, Rating, Skp
from ..selectors.appraisal import rhk_of
from ..selectors.scoring import final_ratings, predikat_preview, rulebook_for, suggest_ratings
from ..services.tasks import flow_of, open_task


class SuggestView(View):
    """The rules' suggestions for the ratings the assessor has chosen so far (annual review page)."""

    def post(self, request, skp_pk):
        skp = get_object_or_404(Skp.objects.select_related("periode", "pegawai", "penilai"), pk=skp_pk)
        task = open_task(skp.process_id, flow_of(AppraisalProcess).final_review) if skp.process_id else None
        stored = {}
        if task is None or task.owner_id != request.user.pk:
            # the official deciding an appeal changes some ratings; the others stay the assessor's
            keberatan = Keberatan.objects.filter(skp=skp).first()
            task = open_task(keberatan.process_id, flow_of(AppealProcess).decide) if keberatan else None
            if task is None or task.owner_id != request.user.pk:
                raise PermissionDenied
            rhk_ratings, perilaku_ratings = final_ratings(skp)
            stored = {f"rating_{key}": value for key, value in (*rhk_ratings.items(), *perilaku_ratings.items())}
        labels = dict(Rating.choices)

        def rating(name: str) -> str:  # anything but a known rating counts as not chosen yet
            value = request.POST.get(name, "")
            return value if value in labels else stored.get(name, "")

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
            data = {
                "hasil_kerja": suggestion.hasil_kerja,
                "perilaku": suggestion.perilaku,
                "predikat": preview["predikat"],
            }
        html = render_to_string("workflow/includes/suggestion.html", context, request=request)
        return JsonResponse({"html": html, **data})

    def get(self, request, skp_pk):
        messages.info(request, _("Open the annual review task to see the suggestions."))
        return HttpResponseRedirect(reverse("kinerja:index"))
