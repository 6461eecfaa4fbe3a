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
from ..models import Keberatan, Pegawai, Rating, Skp, StatusKeberatan, StatusSkp
from ..models.audit import AuditAction
from ..uploads import original_name
from .appraisal import _check_evidence
from .audit import audit_record
from .notify import notify, process_link
from .tasks import task_execution


def _flow():
    from ..flows import AppealFlow

    return AppealFlow


def policy(skp: Skp) -> dict:
    """The ``kebijakan`` table in force at the end of the appraised period (from the version that
    scored the appraisal, when scoring ran just now on this instance)."""
    from ..scoring import evaluate_rule, scoring_date

    return evaluate_rule("kebijakan", {}, scoring_date(skp), skp).outputs


def appeal_deadline(skp: Skp) -> dt.datetime:
    """The end of the last day an appeal may be filed: ``hari_keberatan`` calendar days after the
    result was published."""
    published = timezone.localtime(skp.hasil.dipublikasikan)
    last_day = published.date() + dt.timedelta(days=int(policy(skp)["hari_keberatan"]))
    return timezone.make_aware(dt.datetime.combine(last_day, dt.time.max))


def appeal_handler(skp: Skp) -> tuple[Pegawai | None, str]:
    """Who decides: the Atasan Pejabat Penilai, never the assessor who rated (separation of
    duties). Where both are one person, the ``KINERJA_APPEAL_SAME_OFFICIAL`` setting decides, and
    the returned note says so on the page."""
    from ..selectors.org import org_snapshot

    superior = org_snapshot(skp.pegawai.instansi_id).assessor_superior_of(skp.pegawai) or skp.atasan_penilai
    if superior is not None and superior.pk != skp.penilai_id:
        return superior, ""
    if settings.KINERJA_APPEAL_SAME_OFFICIAL == "same" and superior is not None:
        return superior, _("The assessor's superior is the assessor; by setting, they decide the appeal.")
    return None, _(
        "The assessor's superior is the assessor; by setting, the appeal goes to the government admins (BKD)."
    )


def appeal_file(*, skp: Skp, by, alasan: str, lampiran=None) -> Keberatan:
    """The employee appeals a published result. Refused with a clear message when it is not theirs,
    not published, past the window, already appealed, or has no reasons."""
    if skp.pegawai.user_id != getattr(by, "pk", None):
        raise PermissionDenied(_("Only the appraised employee can file an appeal."))
    errors = []
    if not alasan.strip():
        errors.append(_("Write the reasons for your appeal."))
    if (problem := _check_evidence(lampiran)) is not None:
        errors.append(problem)
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
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
                raise ValidationError(
                    _("The appeal window closed on %(date)s.")
                    % {"date": local_date(deadline)}
                )
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
            keberatan._history_user = by
            keberatan.save()
            skp.status = StatusSkp.KEBERATAN
            skp._history_user = by
            skp.save(update_fields=["status", "diubah"])
            audit_record(
                action=AuditAction.APPEAL_FILED,
                obj=skp,
                by=by,
                reason=keberatan.alasan,
                before={"status": StatusSkp.DIPUBLIKASIKAN, "predikat": hasil.predikat},
                after={
                    "status": skp.status,
                    "pemutus": keberatan.pemutus_id,
                    "catatan_pemutus": keberatan.catatan_pemutus,
                },
            )
            _flow().start.run(keberatan=keberatan)
    except IntegrityError:
        raise ValidationError(_("An appeal against this result has already been filed; only one is allowed.")) from None
    return keberatan


def appeal_respond(*, keberatan: Keberatan, by, tanggapan: str, activation=None) -> None:
    """The assessor answers the appeal (hearing both sides)."""
    if not tanggapan.strip():
        raise ValidationError(_("Write your response to the appeal."))
    with task_execution(process_pk=keberatan.process_id, node=_flow().respond, by=by, activation=activation):
        keberatan.tanggapan_penilai = tanggapan.strip()
        keberatan.status = StatusKeberatan.MENUNGGU_KEPUTUSAN
        keberatan._history_user = by
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
    activation=None,
) -> None:
    """Uphold the result, or change the ratings: the same rule version is evaluated again and the
    new predikat replaces the old. The decision is final and needs written reasons."""
    from rules.api import evaluate_version
    from rules.models import RuleSetVersion

    skp = keberatan.skp
    hasil = skp.hasil
    errors = []
    if not alasan.strip():
        errors.append(_("Write the reasons for the decision."))
    if not uphold:
        for value in (rating_hasil_kerja, rating_perilaku):
            if value not in Rating.values:
                errors.append(_("Choose both new ratings to change the result."))
                break
        if (rating_hasil_kerja, rating_perilaku) == (hasil.rating_hasil_kerja, hasil.rating_perilaku):
            errors.append(_("The new ratings are the same as the old ones; uphold the result instead."))
    if errors:
        raise ValidationError(errors)
    with task_execution(process_pk=keberatan.process_id, node=_flow().decide, by=by, activation=activation):
        now = timezone.now()
        if uphold:
            keberatan.status = StatusKeberatan.DIKUATKAN
            keberatan.predikat_baru = hasil.predikat
        else:
            version_id = next((d["version"]["id"] for d in hasil.trace if d.get("table") == "predikat_kinerja"), None)
            version = RuleSetVersion.objects.get(pk=version_id)
            decision = evaluate_version(
                version, "predikat_kinerja", {"hasil_kerja": rating_hasil_kerja, "perilaku": rating_perilaku}
            )
            hasil.rating_hasil_kerja, hasil.rating_perilaku = rating_hasil_kerja, rating_perilaku
            hasil.predikat = decision.outputs["predikat"]
            hasil.trace = [
                *hasil.trace,
                {
                    "table": "predikat_kinerja",
                    "version_label": str(decision.version),
                    "appeal": True,
                    **decision.to_dict(),
                },
            ]
            hasil.fakta = {
                **hasil.fakta,
                "hasil_kerja": rating_hasil_kerja,
                "perilaku": rating_perilaku,
                "keberatan": True,
            }
            hasil._history_user = by
            hasil._change_reason = alasan.strip()[:100]
            hasil.save()
            keberatan.status = StatusKeberatan.DIUBAH
            keberatan.rating_hasil_kerja_baru, keberatan.rating_perilaku_baru = rating_hasil_kerja, rating_perilaku
            keberatan.predikat_baru = hasil.predikat
        keberatan.alasan_keputusan = alasan.strip()
        keberatan.diputuskan = now
        keberatan._history_user = by
        keberatan._change_reason = alasan.strip()[:100]
        keberatan.save()
        before = {"status": StatusSkp.KEBERATAN, "predikat": keberatan.predikat_semula}
        skp.status = StatusSkp.FINAL
        skp._history_user = by
        skp.save(update_fields=["status", "diubah"])
        audit_record(
            action=AuditAction.APPEAL_DECIDED,
            obj=skp,
            by=by,
            reason=alasan.strip(),
            before=before,
            after={
                "status": skp.status,
                "keberatan": keberatan.status,
                "predikat": hasil.predikat,
                "rating_hasil_kerja": hasil.rating_hasil_kerja,
                "rating_perilaku": hasil.rating_perilaku,
            },
        )
        from ..flows import AppraisalFlow

        link = process_link(AppraisalFlow, skp.process_id)
        title = _("Decision on the appeal against the %(year)s result") % {"year": skp.periode.tahun}
        body = _("The appeal was decided: predikat %(predikat)s. The decision is final.") % {
            "predikat": hasil.get_predikat_display()
        }
        for person in (skp.pegawai, skp.penilai):
            if person is not None:
                notify(user=person.user, judul=title, isi=body, tautan=link)


def appraisal_finalise(*, skp: Skp) -> None:
    """The appeal window closed: without an appeal the published result becomes final."""
    if not Keberatan.objects.filter(skp=skp).exists() and skp.status == StatusSkp.DIPUBLIKASIKAN:
        skp.status = StatusSkp.FINAL
        skp.save(update_fields=["status", "diubah"])
        audit_record(
            action=AuditAction.APPRAISAL_FINALISED,
            obj=skp,
            before={"status": StatusSkp.DIPUBLIKASIKAN},
            after={"status": skp.status},
        )
