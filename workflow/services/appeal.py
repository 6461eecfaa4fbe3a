"""Appeals (keberatan): filing within the window, routing to the assessor's superior with
separation of duties, the assessor's response, and the final decision."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..dates import local_date
from ..models import (
    AppealProcess,
    AppraisalProcess,
    JenisJendela,
    Keberatan,
    Pegawai,
    Rating,
    RealisasiRhk,
    Skp,
    StatusKeberatan,
    StatusSkp,
)
from ..models.audit import AuditAction
from ..selectors.calendar import day_kind, days_after
from ..selectors.org import org_snapshot
from ..selectors.scoring import RuleBook, final_ratings, policy, suggest_ratings
from ..uploads import evidence_problem, original_name
from .audit import acting_as, audit_record
from .notify import notify, process_link
from .scoring import appraisal_rescore
from .tasks import flow_of, task_execution
from .transition import skp_transition

__all__ = ["policy"]  # read by the appeal steps' deadlines, from selectors


def _node(name: str):
    """A step of the appeal flow (see ``services.tasks.flow_of``)."""
    return getattr(flow_of(AppealProcess), name)


def appeal_deadline(skp: Skp, book: RuleBook | None = None) -> dt.datetime:
    """The end of the last day an appeal may be filed: ``hari_keberatan`` days after the result
    was published, calendar or working days as ``jenis_hari_keberatan`` says (``book``: the rules
    that scored it, when the caller has them)."""
    published = timezone.localtime(skp.hasil.dipublikasikan)
    rules_ = policy(skp, book)
    last_day = days_after(
        instansi_id=skp.pegawai.instansi_id,
        start=published.date(),
        days=int(rules_["hari_keberatan"]),
        kind=day_kind(rules_),
    )
    return timezone.make_aware(dt.datetime.combine(last_day, dt.time.max))


def appeal_handler(skp: Skp) -> tuple[Pegawai | None, str]:
    """Who decides: the Atasan Pejabat Penilai, never the assessor who rated (separation of
    duties) — except where both are one official: JPT, whom the Governor assesses and, as their
    superior, also hears on appeal (shared/domain.md §4). There the ``KINERJA_APPEAL_SAME_OFFICIAL``
    setting decides: "same" (the default) that official, "admin" the government admins' (BKD) queue.
    The returned note says so on the page, and says when the official has no account yet (the
    appeal then waits in the admins' queue until they have one or an admin takes it)."""
    # The SKP's own snapshot names the superior (the employee may have moved since), with a Plt/Plh
    # standing in for that post — passed over, for the next official up, when that is the appraisee.
    # Today's chart decides only when the snapshot names nobody still active.
    snap = org_snapshot(skp.pegawai.instansi_id)
    named = skp.atasan_penilai if skp.atasan_penilai_id is not None and skp.atasan_penilai.aktif else None
    if named is None:
        superior = snap.assessor_superior_of(skp.pegawai)
    else:
        chain = (snap.stand_in_for(p) for p in (named, *snap.officials_above(named)))
        superior = next((p for p in chain if p.pk != skp.pegawai_id), None)
    if superior is None:
        return None, _("The appraisal has no assessor's superior; the appeal goes to the government admins (BKD).")
    if superior.pk != skp.penilai_id:
        return superior, _no_account_note(superior)
    if settings.KINERJA_APPEAL_SAME_OFFICIAL == "admin":
        return None, _(
            "The assessor's superior is the assessor; by setting, the appeal goes to the government admins (BKD)."
        )
    note = _("The assessor is also the assessor's superior; as the rules say, %(name)s decides the appeal.") % {
        "name": superior.nama
    }
    return superior, " ".join(filter(None, [note, _no_account_note(superior)]))


def _no_account_note(official: Pegawai) -> str:
    if official.user_id is not None:
        return ""
    return _("%(name)s has no user account yet, so the appeal waits in the government admins' (BKD) queue.") % {
        "name": official.nama
    }


def appeal_file(*, skp: Skp, by, alasan: str, lampiran=None) -> Keberatan:
    """The employee appeals a published result. Refused with a clear message when it is not theirs,
    not published, past the window, already appealed, or has no reasons."""
    if skp.pegawai.user_id != getattr(by, "pk", None):
        raise PermissionDenied(_("Only the appraised employee can file an appeal."))
    errors = []
    if not alasan.strip():
        errors.append(_("Write the reasons for your appeal."))
    if (problem := evidence_problem(lampiran)) is not None:
        errors.append(problem)
    if errors:
        raise ValidationError(errors)
    try:
        # filed from code too (no request names the employee): ``by`` is the actor of every row
        with transaction.atomic(), acting_as(by):
            skp = Skp.objects.select_for_update(of=("self",)).select_related("periode", "pegawai").get(pk=skp.pk)
            if Keberatan.objects.filter(skp=skp).exists():
                raise ValidationError(_("An appeal against this result has already been filed; only one is allowed."))
            hasil = getattr(skp, "hasil", None)
            if hasil is None or hasil.dipublikasikan is None or skp.status != StatusSkp.DIPUBLIKASIKAN:
                if skp.status == StatusSkp.FINAL:
                    raise ValidationError(_("The appeal window has closed; the result is final."))
                raise ValidationError(_("Only a published result can be appealed."))
            deadline = appeal_deadline(skp)
            if timezone.now() > deadline:
                raise ValidationError(_("The appeal window closed on %(date)s.") % {"date": local_date(deadline)})
            handler, note = appeal_handler(skp)
            keberatan = Keberatan(
                skp=skp,
                alasan=alasan.strip(),
                predikat_semula=hasil.predikat,
                penanggap=skp.penilai,
                pemutus=handler,
                catatan_pemutus=note,
            )
            if lampiran is not None:
                keberatan.lampiran = lampiran
                keberatan.lampiran_nama = original_name(lampiran.name)
            keberatan.save()
            skp_transition(
                skp=skp,
                action=AuditAction.APPEAL_FILED,
                by=by,
                status=StatusSkp.KEBERATAN,
                reason=keberatan.alasan,
                before={"predikat": hasil.predikat},
                after={"pemutus": keberatan.pemutus_id, "catatan_pemutus": keberatan.catatan_pemutus},
            )
            _node("start").run(keberatan=keberatan)
    except IntegrityError:
        raise ValidationError(_("An appeal against this result has already been filed; only one is allowed.")) from None
    return keberatan


def appeal_respond(*, keberatan: Keberatan, by, tanggapan: str, activation=None) -> None:
    """The assessor answers the appeal (hearing both sides)."""
    if not tanggapan.strip():
        raise ValidationError(_("Write your response to the appeal."))
    with task_execution(process_pk=keberatan.process_id, node=_node("respond"), by=by, activation=activation):
        keberatan.tanggapan_penilai = tanggapan.strip()
        keberatan.status = StatusKeberatan.MENUNGGU_KEPUTUSAN
        keberatan.save(update_fields=["tanggapan_penilai", "status"])
        audit_record(
            action=AuditAction.APPEAL_RESPONDED,
            obj=keberatan.skp,
            by=by,
            reason=tanggapan.strip(),
            after={"keberatan": keberatan.status},
        )


def appeal_decide(
    *,
    keberatan: Keberatan,
    by,
    uphold: bool,
    alasan: str,
    rating_hasil_kerja: str = "",
    rating_perilaku: str = "",
    rhk_ratings: dict[int, str] | None = None,
    activation=None,
) -> None:
    """Uphold the result, or change the ratings: the disputed RHK ratings of the annual review
    (``rhk_ratings``, RHK id to rating; those left out keep theirs) and the two overall ratings.
    An overall rating left empty after an RHK change is what the rules suggest from the new RHK
    ratings. The same rule version is evaluated again and the new predikat replaces the old. The
    decision is final and needs written reasons."""
    skp = keberatan.skp
    hasil = skp.hasil
    errors = []
    if not alasan.strip():
        errors.append(_("Write the reasons for the decision."))
    changed_rhk: dict[int, tuple[str, str]] = {}
    if not uphold:
        old_rhk, old_perilaku = final_ratings(skp)
        for rhk_id, value in (rhk_ratings or {}).items():
            if rhk_id not in old_rhk or value not in Rating.values:
                errors.append(_("Choose a valid rating for every RHK of this appraisal."))
                break
            if value != old_rhk[rhk_id]:
                changed_rhk[rhk_id] = (old_rhk[rhk_id], value)
        if not errors and changed_rhk and not (rating_hasil_kerja and rating_perilaku):
            suggestion = suggest_ratings(
                skp=skp,
                rhk_ratings={**old_rhk, **{pk: new for pk, (_old, new) in changed_rhk.items()}},
                perilaku_ratings=old_perilaku,
            )
            rating_hasil_kerja = rating_hasil_kerja or suggestion.hasil_kerja
            rating_perilaku = rating_perilaku or suggestion.perilaku
        for value in (rating_hasil_kerja, rating_perilaku):
            if value not in Rating.values:
                errors.append(_("Choose both new ratings to change the result."))
                break
        same = (rating_hasil_kerja, rating_perilaku) == (hasil.rating_hasil_kerja, hasil.rating_perilaku)
        if same and not changed_rhk:
            errors.append(_("The new ratings are the same as the old ones; uphold the result instead."))
    if errors:
        raise ValidationError(errors)
    with task_execution(process_pk=keberatan.process_id, node=_node("decide"), by=by, activation=activation):
        if uphold:
            keberatan.status = StatusKeberatan.DIKUATKAN
        else:
            _rhk_ratings_change(skp=skp, changed=changed_rhk, reason=alasan.strip())
            appraisal_rescore(
                hasil=hasil,
                rating_hasil_kerja=rating_hasil_kerja,
                rating_perilaku=rating_perilaku,
                reason=alasan.strip(),
            )
            keberatan.status = StatusKeberatan.DIUBAH
            keberatan.rating_hasil_kerja_baru, keberatan.rating_perilaku_baru = rating_hasil_kerja, rating_perilaku
        keberatan.predikat_baru = hasil.predikat
        keberatan.alasan_keputusan = alasan.strip()
        keberatan.diputuskan = timezone.now()
        keberatan._change_reason = alasan.strip()[:100]
        keberatan.save()
        skp_transition(
            skp=skp,
            action=AuditAction.APPEAL_DECIDED,
            by=by,
            status=StatusSkp.FINAL,
            reason=alasan.strip(),
            before={"predikat": keberatan.predikat_semula},
            after={
                "keberatan": keberatan.status,
                "predikat": hasil.predikat,
                "rating_hasil_kerja": hasil.rating_hasil_kerja,
                "rating_perilaku": hasil.rating_perilaku,
                **({"rating_rhk": {str(pk): new for pk, (_old, new) in changed_rhk.items()}} if changed_rhk else {}),
            },
        )
        _notify_decision(skp)


def _rhk_ratings_change(*, skp: Skp, changed: dict[int, tuple[str, str]], reason: str) -> None:
    """The decider's new ratings of the disputed RHK, on the annual review's rows (their history
    keeps the assessor's ratings; the decision's audit row names the change)."""
    if not changed:
        return
    rows = RealisasiRhk.objects.select_for_update().filter(
        evaluasi__skp=skp, evaluasi__jendela__jenis=JenisJendela.AKHIR, rhk_id__in=changed
    )
    for row in rows:
        row.rating = changed[row.rhk_id][1]
        row._change_reason = reason[:100]
        row.save(update_fields=["rating"])


def _notify_decision(skp: Skp) -> None:
    link = process_link(flow_of(AppraisalProcess), skp.process_id)
    title = _("Decision on the appeal against the %(year)s result") % {"year": skp.periode.tahun}
    body = _("The appeal was decided: predikat %(predikat)s. The decision is final.") % {
        "predikat": skp.hasil.get_predikat_display()
    }
    for person in (skp.pegawai, skp.penilai):
        if person is not None:
            notify(user=person.user, judul=title, isi=body, tautan=link)
