"""The appeal decision page (issue 17, item 10): the deciding official changes the disputed RHK
ratings, sees the predikat the change would give before saving, and finds the appraisal and the
evidence from the page."""

import pytest
from django.core.exceptions import ValidationError
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from tests.helpers import at, through_final_review
from workflow.flows import AppealFlow
from workflow.models import AuditAction, AuditEvent, Keberatan, RealisasiRhk, StatusKeberatan
from workflow.services import appeal as svc

pytestmark = pytest.mark.django_db


@pytest.fixture
def to_decide(org, opened, rules_pack):
    """The pelaksana's result (every RHK "sesuai", behaviour above: Baik) appealed and answered;
    the kabid (the assessor's superior) has the decision in their inbox."""
    skp = through_final_review(org, org.pelaksana, org.kasi, lambda r: "sesuai", lambda v: "di_atas")
    assert skp.hasil.predikat == "baik"
    with at(5):
        keberatan = svc.appeal_file(skp=skp, by=org.pelaksana.user, alasan="RHK imunisasi mencapai 97%.")
        svc.appeal_respond(keberatan=keberatan, by=org.kasi.user, tanggapan="Bukti dukung diterima.")
    return keberatan


def decide_url(keberatan):
    task = Task.objects.get(
        process_id=keberatan.process_id, flow_task=AppealFlow.decide, status__in=[STATUS.NEW, STATUS.ASSIGNED]
    )
    return f"/appeal/{task.process_id}/{task.flow_task.name}/{task.pk}/execute/"


def final_rhk_ratings(skp):
    return dict(
        RealisasiRhk.objects.filter(evaluasi__skp=skp, evaluasi__jendela__jenis="akhir").values_list("rhk_id", "rating")
    )


def test_the_decider_changes_the_disputed_rhk_ratings_and_sees_the_predikat_before_saving(org, to_decide, client):
    skp = to_decide.skp
    rhk = list(skp.rhk_set.order_by("urutan"))
    client.force_login(org.kabid.user)
    url = decide_url(to_decide)
    with at(8):
        page = client.get(url).content.decode()
        # the assessor's ratings are filled in, and the appraisal is one click away
        assert '<option value="sesuai" selected>' in page and f'name="rating_{rhk[0].pk}"' in page
        assert f"/appraisal/{skp.process_id}/" in page and f"/kinerja/riwayat/{skp.pk}/" in page
        # before saving: every RHK above expectations makes the work result above, and Sangat Baik
        answer = client.post(f"/kinerja/saran/{skp.pk}/", {f"rating_{r.pk}": "di_atas" for r in rhk}).json()
        assert (answer["hasil_kerja"], answer["predikat"]) == ("di_atas", "sangat_baik")
        unchanged = client.post(f"/kinerja/saran/{skp.pk}/", {}).json()  # the assessor's ratings as they are
        assert unchanged["predikat"] == "baik"
        decided = client.post(
            url,
            {
                "keputusan": "ubah",
                "alasan": "Capaian imunisasi 97% terbukti di atas ekspektasi.",
                **{f"rating_{r.pk}": "di_atas" for r in rhk},
            },
        )
    assert decided.status_code == 302
    to_decide.refresh_from_db()
    skp.refresh_from_db()
    assert to_decide.status == StatusKeberatan.DIUBAH and to_decide.predikat_baru == "sangat_baik"
    assert skp.hasil.rating_hasil_kerja == "di_atas" and skp.hasil.predikat == "sangat_baik"
    assert set(final_rhk_ratings(skp).values()) == {"di_atas"}
    event = AuditEvent.objects.get(action=AuditAction.APPEAL_DECIDED)
    assert event.actor == org.kabid.user
    assert event.after["rating_rhk"] == {str(r.pk): "di_atas" for r in rhk}
    # the assessor's ratings stay in the history of the rows
    assert RealisasiRhk.history.filter(rhk=rhk[0], rating="sesuai").exists()


def test_one_rhk_changed_keeps_the_others_and_an_overall_rating_may_still_be_chosen(org, to_decide):
    skp = to_decide.skp
    first, *others = list(skp.rhk_set.order_by("urutan"))
    with at(8):
        svc.appeal_decide(
            keberatan=to_decide,
            by=org.kabid.user,
            uphold=False,
            alasan="Satu RHK dinilai ulang.",
            rhk_ratings={first.pk: "di_atas"},
            rating_hasil_kerja="sesuai",
            rating_perilaku="di_atas",
        )
    ratings = final_rhk_ratings(skp)
    assert ratings[first.pk] == "di_atas" and all(ratings[r.pk] == "sesuai" for r in others)
    to_decide.refresh_from_db()
    assert to_decide.status == StatusKeberatan.DIUBAH and to_decide.predikat_baru == "baik"


def test_junk_ratings_are_refused_with_a_message_and_nothing_changes(org, to_decide, client):
    skp = to_decide.skp
    rhk = list(skp.rhk_set.order_by("urutan"))
    before = final_rhk_ratings(skp)
    client.force_login(org.kabid.user)
    with at(8):
        refused = client.post(
            decide_url(to_decide),
            {"keputusan": "ubah", "alasan": "Dinilai ulang.", f"rating_{rhk[0].pk}": "luar_biasa"},
        )
        assert refused.status_code == 200 and "Pilih nilai yang sah untuk setiap RHK" in refused.content.decode()
        with pytest.raises(ValidationError):  # an RHK of another appraisal
            svc.appeal_decide(
                keberatan=to_decide, by=org.kabid.user, uphold=False, alasan="x", rhk_ratings={10**9: "di_atas"}
            )
        with pytest.raises(ValidationError):  # nothing changed at all
            svc.appeal_decide(keberatan=to_decide, by=org.kabid.user, uphold=False, alasan="x", rhk_ratings={})
    assert final_rhk_ratings(skp) == before
    assert Keberatan.objects.get(pk=to_decide.pk).status != StatusKeberatan.DIUBAH


def test_only_the_deciding_official_gets_the_suggestion(org, to_decide, client):
    skp = to_decide.skp
    for person in (org.pelaksana, org.kasi):
        client.force_login(person.user)
        assert client.post(f"/kinerja/saran/{skp.pk}/", {}).status_code == 403
