"""The appraisal lifecycle through the services, as the pages and the demo drive it."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from tests.helpers import (
    EXPECTATIONS,
    MIDYEAR,
    TEST_RULES_FROM,
    approve,
    pack_in_force,
    policy_outputs,
    rows,
    task_url,
    through_final_review,
)
from workflow.flows import AppraisalFlow
from workflow.models import JenisRhk, NilaiPerilaku, Skp, StatusSkp
from workflow.services import appraisal as svc
from workflow.services.period_open import period_open
from workflow.uploads import EVIDENCE_MAX_BYTES

pytestmark = pytest.mark.django_db


def tasks_of(skp, **kwargs):
    return Task.objects.filter(process_id=skp.process_id, **kwargs)


def test_opening_a_period_gives_every_asn_one_appraisal_and_a_draft_task(org, opened):
    assert opened.total == 6 and opened.dibuat == 6 and opened.status == "done"
    skp = Skp.objects.get(pegawai=org.pelaksana)
    assert skp.penilai == org.kasi and skp.atasan_penilai == org.kabid
    assert skp.jabatan_nama == org.pelaksana.jabatan.nama and skp.unit_nama == org.seksi.nama
    draft = tasks_of(skp, status=STATUS.ASSIGNED).get()
    assert draft.flow_task == AppraisalFlow.draft_plan and draft.owner == org.pelaksana.user
    assert not Skp.objects.filter(pegawai=org.gubernur).exists()  # the Governor is not appraised


def test_opening_again_creates_no_second_process(org, periode, opened, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        again = period_open(periode=periode, by=None)
    again.refresh_from_db()
    assert again.dibuat == 0 and again.total == 6
    assert Skp.objects.count() == 6
    assert Task.objects.filter(flow_task=AppraisalFlow.draft_plan).count() == 6


def test_plan_returned_with_a_note_then_revised_and_approved(org, opened):
    skp = Skp.objects.get(pegawai=org.pelaksana)
    staff, kasi = org.pelaksana.user, org.kasi.user
    svc.plan_submit(skp=skp, by=staff, pendekatan="kuantitatif", rows=rows())
    assert skp.status == StatusSkp.DIAJUKAN
    approve = tasks_of(skp, status=STATUS.ASSIGNED).get()
    assert approve.flow_task == AppraisalFlow.approve_plan and approve.owner == kasi
    svc.plan_decide(skp=skp, by=kasi, approve=False, note="Target cakupan terlalu rendah, naikkan ke 98%.")
    skp.refresh_from_db()
    assert skp.status == StatusSkp.DIKEMBALIKAN and "98%" in skp.catatan_pengembalian
    again = tasks_of(skp, status=STATUS.ASSIGNED).get()
    assert again.flow_task == AppraisalFlow.draft_plan and again.owner == staff
    revised = rows()
    revised[0].target = "98"
    svc.plan_submit(skp=skp, by=staff, pendekatan="kuantitatif", rows=revised)
    svc.plan_decide(skp=skp, by=kasi, approve=True, expectations=EXPECTATIONS)
    skp.refresh_from_db()
    assert skp.status == StatusSkp.DISETUJUI
    assert skp.ekspektasi_set.count() == 7
    assert skp.rhk_set.first().iki_set.first().target_angka == 98


@pytest.mark.parametrize(
    ("spoil", "message"),
    [
        (lambda r: r.clear(), "tidak memiliki RHK"),
        (lambda r: [setattr(x, "jenis", JenisRhk.TAMBAHAN) for x in r], "minimal satu RHK utama"),
        (lambda r: setattr(r[0], "target", "sembilan puluh"), "bukan angka"),
        (lambda r: setattr(r[0], "indikator", ""), "indikator"),
    ],
    ids=["no RHK", "no utama", "non-numeric target", "no indicator"],
)
def test_a_bad_plan_is_refused_in_indonesian_and_nothing_is_saved(org, opened, spoil, message):
    skp = Skp.objects.get(pegawai=org.pelaksana)
    bad = rows()
    spoil(bad)
    with translation.override("id"):
        with pytest.raises(ValidationError) as caught:
            svc.plan_submit(skp=skp, by=org.pelaksana.user, pendekatan="kuantitatif", rows=bad)
        assert message in " ".join(caught.value.messages)
    skp.refresh_from_db()
    assert skp.status == StatusSkp.DRAFT and skp.rhk_set.count() == 0
    assert tasks_of(skp, status=STATUS.ASSIGNED).get().flow_task == AppraisalFlow.draft_plan


def test_returning_a_plan_needs_a_note(org, opened):
    skp = Skp.objects.get(pegawai=org.pelaksana)
    svc.plan_submit(skp=skp, by=org.pelaksana.user, pendekatan="kuantitatif", rows=rows())
    with translation.override("id"), pytest.raises(ValidationError, match="catatan"):
        svc.plan_decide(skp=skp, by=org.kasi.user, approve=False, note="  ")
    assert tasks_of(skp, status=STATUS.ASSIGNED).get().flow_task == AppraisalFlow.approve_plan


def test_only_the_assignee_can_act(org, opened):
    skp = Skp.objects.get(pegawai=org.pelaksana)
    with pytest.raises(PermissionDenied):
        svc.plan_submit(skp=skp, by=org.kasi.user, pendekatan="kuantitatif", rows=rows())
    assert Skp.objects.get(pk=skp.pk).status == StatusSkp.DRAFT


def test_acting_on_a_completed_task_is_refused_and_changes_nothing(org, opened):
    skp = Skp.objects.get(pegawai=org.pelaksana)
    svc.plan_submit(skp=skp, by=org.pelaksana.user, pendekatan="kuantitatif", rows=rows())
    with translation.override("id"), pytest.raises(ValidationError, match="sudah diselesaikan"):
        svc.plan_submit(skp=skp, by=org.pelaksana.user, pendekatan="kuantitatif", rows=rows(1, 0))
    assert skp.rhk_set.count() == 3


def test_the_midyear_review_opens_with_its_window(org, opened):
    with time_machine.travel(dt.datetime(2026, 3, 1, tzinfo=dt.UTC), tick=False):
        skp = approve(org, org.pelaksana, org.kasi)
    timer = tasks_of(skp, status=STATUS.SCHEDULED).get()
    assert timer.flow_task == AppraisalFlow.wait_periodic_window
    assert timer.scheduled.date() == dt.date(2026, 6, 30) or timer.scheduled.date() == dt.date(2026, 7, 1)
    from viewflow.workflow.timers import fire_due_timers

    with time_machine.travel(dt.datetime(2026, 6, 15, tzinfo=dt.UTC), tick=False):
        assert fire_due_timers() == 0
    with time_machine.travel(MIDYEAR, tick=False):
        assert fire_due_timers() == 1
    task = tasks_of(skp, status=STATUS.ASSIGNED).get()
    assert task.flow_task == AppraisalFlow.self_review and task.owner == org.pelaksana.user


def test_periodic_review_round_trip(org, opened):
    with time_machine.travel(MIDYEAR, tick=False):
        skp = approve(org, org.pelaksana, org.kasi)
        inputs = [
            svc.RealisasiInput(
                rhk_id=r.pk, realisasi="Cakupan 60% pada semester I", bukti_tautan="https://example.go.id/laporan"
            )
            for r in skp.rhk_set.all()
        ]
        svc.self_review_submit(skp=skp, by=org.pelaksana.user, rows=inputs, catatan="Sesuai rencana")
        feedback = {r.pk: svc.FeedbackInput("Pertahankan", "sesuai") for r in skp.rhk_set.all()}
        svc.review_submit(skp=skp, by=org.kasi.user, rhk_feedback=feedback, perilaku={})
    evaluasi = skp.evaluasi_set.get()
    assert evaluasi.jendela.jenis == "periodik" and evaluasi.dinilai is not None
    assert evaluasi.penilai == org.kasi and evaluasi.realisasi_set.count() == 3
    waiting = tasks_of(skp, status=STATUS.SCHEDULED).get()
    assert waiting.flow_task == AppraisalFlow.wait_final_window


def test_a_self_review_without_realisasi_or_with_a_forbidden_file_is_refused(org, opened):
    from django.core.files.uploadedfile import SimpleUploadedFile

    with time_machine.travel(MIDYEAR, tick=False):
        skp = approve(org, org.pelaksana, org.kasi)
        rhk = list(skp.rhk_set.all())
        with translation.override("id"):
            with pytest.raises(ValidationError, match="capaian"):
                svc.self_review_submit(
                    skp=skp, by=org.pelaksana.user, rows=[svc.RealisasiInput(rhk_id=rhk[0].pk, realisasi="ok")]
                )
            exe = SimpleUploadedFile("laporan.exe", b"MZ...")
            with pytest.raises(ValidationError, match="tidak diizinkan"):
                svc.self_review_submit(
                    skp=skp,
                    by=org.pelaksana.user,
                    rows=[svc.RealisasiInput(rhk_id=r.pk, realisasi="ok", bukti_file=exe) for r in rhk],
                )
            big = SimpleUploadedFile("laporan.pdf", b"%PDF" + b"0" * (EVIDENCE_MAX_BYTES + 1))
            with pytest.raises(ValidationError, match="lebih besar"):
                svc.self_review_submit(
                    skp=skp,
                    by=org.pelaksana.user,
                    rows=[svc.RealisasiInput(rhk_id=r.pk, realisasi="ok", bukti_file=big) for r in rhk],
                )
    assert not skp.evaluasi_set.exists()
    assert tasks_of(skp, status=STATUS.ASSIGNED).get().flow_task == AppraisalFlow.self_review


def test_a_task_without_an_assessor_waits_in_the_admin_queue(org, periode, django_capture_on_commit_callbacks):
    org.kasi.user = None
    org.kasi.save()
    with django_capture_on_commit_callbacks(execute=True):
        period_open(periode=periode, by=None)
    skp = Skp.objects.get(pegawai=org.pelaksana)
    svc.plan_submit(skp=skp, by=org.pelaksana.user, pendekatan="kuantitatif", rows=rows())
    queued = tasks_of(skp, status=STATUS.NEW).get()
    assert queued.flow_task == AppraisalFlow.approve_plan and queued.owner is None
    assert queued.owner_permission == "workflow.manage_appraisal"


def test_final_review_scores_publishes_and_explains(
    org, opened, rules_pack, mailoutbox, django_capture_on_commit_callbacks
):
    org.pelaksana.email = "hendra@example.go.id"
    org.pelaksana.save()
    with django_capture_on_commit_callbacks(execute=True):
        skp = through_final_review(org, org.pelaksana, org.kasi, lambda r: "di_atas", lambda v: "sesuai")
    assert skp.status == StatusSkp.DIPUBLIKASIKAN
    hasil = skp.hasil
    assert (hasil.rating_hasil_kerja, hasil.rating_perilaku, hasil.predikat) == ("di_atas", "sesuai", "baik")
    assert hasil.rule_set == "penilaian-kinerja" and hasil.rule_version == "2"
    assert [d["table"] for d in hasil.trace] == ["rating_hasil_kerja", "rating_perilaku", "predikat_kinerja"]
    assert hasil.dipublikasikan is not None
    assert "not set yet" in hasil.peringatan_distribusi or "belum ditetapkan" in hasil.peringatan_distribusi
    assert not Task.objects.filter(process_id=skp.process_id, status__in=[STATUS.NEW, STATUS.ASSIGNED]).exists()
    from workflow.selectors.explanation import explain

    with translation.override("id"):
        text = " ".join(explain(hasil))
    assert "3 dari 3 RHK dinilai di atas ekspektasi dan tidak ada yang di bawah" in text
    assert "predikat Baik" in text
    published = [m for m in mailoutbox if "dipublikasikan" in m.subject]
    assert len(published) == 1 and published[0].to == ["hendra@example.go.id"]


def test_one_core_rhk_below_keeps_work_results_at_meets_expectations(org, opened, rules_pack):
    skp = through_final_review(
        org, org.pelaksana, org.kasi, lambda r: "di_bawah" if r.urutan == 1 else "di_atas", lambda v: "di_atas"
    )
    assert skp.hasil.rating_hasil_kerja == "sesuai" and skp.hasil.predikat == "baik"


def test_departing_from_the_suggestion_needs_a_reason(org, opened, rules_pack):
    with translation.override("id"), pytest.raises(ValidationError, match="alasan"):
        through_final_review(
            org, org.pelaksana, org.kasi, lambda r: "sesuai", lambda v: "sesuai", rating_hasil_kerja="di_atas"
        )
    skp = Skp.objects.get(pegawai=org.pelaksana)
    assert not hasattr(skp, "hasil") or skp.hasil is None


def test_an_override_with_a_reason_is_scored_and_explained(org, opened, rules_pack):
    skp = through_final_review(
        org,
        org.pelaksana,
        org.kasi,
        lambda r: "sesuai",
        lambda v: "di_atas",
        rating_hasil_kerja="di_atas",
        alasan_hasil_kerja="Capaian luar biasa saat KLB campak",
    )
    assert skp.hasil.rating_hasil_kerja == "di_atas" and skp.hasil.predikat == "sangat_baik"
    assert skp.alasan_hasil_kerja == "Capaian luar biasa saat KLB campak"
    from workflow.selectors.explanation import explain

    with translation.override("id"):
        assert any("berbeda dari saran (Sesuai Ekspektasi)" in s for s in explain(skp.hasil))


def test_a_final_review_with_a_missing_rating_is_refused(org, opened, rules_pack):
    with translation.override("id"), pytest.raises(ValidationError, match="pilih penilaian"):
        through_final_review(
            org, org.pelaksana, org.kasi, lambda r: "" if r.urutan == 2 else "sesuai", lambda v: "sesuai"
        )


def test_distribution_breach_warns_by_default(org, opened, rules_pack):
    from workflow.models import CapaianOrganisasi

    CapaianOrganisasi.objects.create(
        periode=Skp.objects.get(pegawai=org.pelaksana).periode, unit=org.seksi, predikat="butuh_perbaikan"
    )
    skp = through_final_review(org, org.pelaksana, org.kasi, lambda r: "di_atas", lambda v: "di_atas")
    assert skp.hasil.predikat == "sangat_baik" and skp.status == StatusSkp.DIPUBLIKASIKAN
    assert "Sangat Baik" in skp.hasil.peringatan_distribusi


def test_under_the_block_policy_a_breach_sends_the_result_back_to_the_assessor(client, org, opened, rules_pack):
    """With ``kebijakan.distribusi_memblokir`` on (a new rule version, as an admin would publish),
    a result that breaks the unit's pattern is not published: the annual review returns to the
    assessor, whose page says why and keeps the earlier ratings; rated within the pattern, the
    result is published."""
    from rules.services import rule_version_copy, rule_version_publish, table_rows_save
    from rules.spec import RowSpec
    from workflow.models import CapaianOrganisasi

    draft = rule_version_copy(version=pack_in_force())
    table_rows_save(
        table=draft.tables.get(name="kebijakan"),
        rows=[
            RowSpec(
                {}, policy_outputs(distribusi_memblokir=True, tingkat_distribusi="tim_penilai", publikasi="langsung")
            )
        ],
    )
    case = draft.tables.get(name="kebijakan").test_cases.get()
    case.expected = {"hari_keberatan": 14, "distribusi_memblokir": True}
    case.save()
    rule_version_publish(version=draft, effective_from=TEST_RULES_FROM)
    CapaianOrganisasi.objects.create(
        periode=Skp.objects.get(pegawai=org.pelaksana).periode, unit=org.seksi, predikat="butuh_perbaikan"
    )  # at most 10 % Sangat Baik

    skp = through_final_review(org, org.pelaksana, org.kasi, lambda r: "di_atas", lambda v: "di_atas")
    assert skp.hasil.predikat == "sangat_baik" and skp.hasil.dipublikasikan is None
    assert skp.status == StatusSkp.EVALUASI_AKHIR and "Sangat Baik" in skp.hasil.peringatan_distribusi
    back = tasks_of(skp, status__in=[STATUS.NEW, STATUS.ASSIGNED]).get()
    assert back.flow_task == AppraisalFlow.final_review and back.owner == org.kasi.user
    assert skp.hasil.rule_version == str(draft.number)

    client.force_login(org.kasi.user)
    with time_machine.travel(dt.datetime(2026, 12, 3, 9, tzinfo=dt.UTC), tick=False):
        page = client.get(task_url(back)).content.decode()
        assert "tidak dipublikasikan" in page and "Sangat Baik: 1 dari 1 pegawai" in page
        first = skp.rhk_set.order_by("urutan").first()
        select = page[page.index(f'name="rating_{first.pk}"') :]
        assert '<option value="di_atas" selected>' in select[: select.index("</select>")]  # earlier rating kept
        # still Baik would still break "at least 60 % Butuh Perbaikan": refused again, nothing published
        data = {f"rating_{r.pk}": "di_atas" for r in skp.rhk_set.all()}
        data |= {f"rating_{v}": "sesuai" for v in NilaiPerilaku.values}
        assert client.post(task_url(back), data).status_code == 302
        skp.refresh_from_db()
        assert skp.status == StatusSkp.EVALUASI_AKHIR and skp.hasil.predikat == "baik"
        assert skp.hasil.dipublikasikan is None and "Butuh Perbaikan" in skp.hasil.peringatan_distribusi
        # rated within the pattern, the result is published
        again = tasks_of(skp, status__in=[STATUS.NEW, STATUS.ASSIGNED]).get()
        data |= {f"rating_{r.pk}": "di_bawah" for r in skp.rhk_set.all()}
        assert client.post(task_url(again), data).status_code == 302
    skp.refresh_from_db()
    skp.hasil.refresh_from_db()
    assert skp.status == StatusSkp.DIPUBLIKASIKAN and skp.hasil.predikat == "butuh_perbaikan"
    assert skp.hasil.dipublikasikan is not None and skp.hasil.peringatan_distribusi == ""


def test_a_quarterly_period_reviews_three_quarters_then_the_year(org, django_capture_on_commit_callbacks, rules_pack):
    """Granularity "triwulan": windows after Q1, Q2 and Q3, each waited for by a timer, then the
    annual window; the process walks them in order and ends scored and published."""
    from viewflow.workflow.timers import fire_due_timers

    from tests.factories import give_accounts
    from workflow.models import JenisJendela
    from workflow.services.period import periode_create

    give_accounts(org.sekda, org.kadis, org.kabid, org.kasi, org.pelaksana, org.fungsional)
    periode = periode_create(instansi=org.instansi, tahun=2026, granularitas="triwulan")
    windows = list(periode.jendela_set.order_by("urutan"))
    assert [(w.jenis, w.dibuka) for w in windows] == [
        (JenisJendela.PERIODIK, dt.date(2026, 4, 1)),
        (JenisJendela.PERIODIK, dt.date(2026, 7, 1)),
        (JenisJendela.PERIODIK, dt.date(2026, 10, 1)),
        (JenisJendela.AKHIR, dt.date(2026, 12, 1)),
    ]
    with time_machine.travel(dt.datetime(2026, 1, 5, tzinfo=dt.UTC), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            period_open(periode=periode, by=None)
        skp = approve(org, org.pelaksana, org.kasi)
    employee, assessor = org.pelaksana.user, org.kasi.user
    for window in windows[:3]:
        with time_machine.travel(dt.datetime.combine(window.dibuka, dt.time(9), tzinfo=dt.UTC), tick=False):
            assert tasks_of(skp, status=STATUS.SCHEDULED).get().flow_task == AppraisalFlow.wait_periodic_window
            assert fire_due_timers() == 1
            assert tasks_of(skp, status=STATUS.ASSIGNED).get().flow_task == AppraisalFlow.self_review
            rows_in = [svc.RealisasiInput(rhk_id=r.pk, realisasi=f"Capaian {window.nama}") for r in skp.rhk_set.all()]
            svc.self_review_submit(skp=skp, by=employee, rows=rows_in)
            svc.review_submit(skp=skp, by=assessor, rhk_feedback={}, perilaku={})
    assert tasks_of(skp, status=STATUS.SCHEDULED).get().flow_task == AppraisalFlow.wait_final_window
    reviewed = [(e.jendela.nama, e.dinilai is not None) for e in skp.evaluasi_set.order_by("jendela__urutan")]
    assert reviewed == [(w.nama, True) for w in windows[:3]]
    with time_machine.travel(dt.datetime(2026, 12, 2, 9, tzinfo=dt.UTC), tick=False):
        assert fire_due_timers() == 1
        final = [svc.RealisasiInput(rhk_id=r.pk, realisasi="Capaian akhir") for r in skp.rhk_set.all()]
        svc.self_review_submit(skp=skp, by=employee, rows=final, final=True)
        svc.final_review_submit(
            skp=skp,
            by=assessor,
            rhk_feedback={r.pk: svc.FeedbackInput("", "sesuai") for r in skp.rhk_set.all()},
            perilaku={v: svc.FeedbackInput("", "sesuai") for v in NilaiPerilaku.values},
        )
    skp.refresh_from_db()
    assert skp.status == StatusSkp.DIPUBLIKASIKAN and skp.evaluasi_set.count() == 4


def test_every_node_passed_has_one_done_row_linked_to_the_one_before(org, opened, rules_pack):
    """Automatic nodes reached from a step (gateways, scoring, publication) are written once,
    already done, each linked to the task before it and with its history row; the links written
    with the step's audit batch chain the whole process from its start."""
    skp = through_final_review(org, org.pelaksana, org.kasi, lambda r: "di_atas", lambda v: "sesuai")
    tasks = list(tasks_of(skp).order_by("pk"))
    names = [t.flow_task.name for t in tasks]
    assert names[:4] == ["start", "draft_plan", "approve_plan", "plan_approved"]
    for name in ("plan_approved", "next_review", "score", "needs_calibration", "distribution_ok", "publish"):
        assert name in names, name
    for before, task in zip(tasks, tasks[1:], strict=False):
        assert [p.pk for p in task.previous.all()] == [before.pk], task.flow_task.name
    automatic = {"plan_approved", "next_review", "score", "needs_calibration", "distribution_ok", "publish"}
    for task in tasks:
        if task.flow_task.name in automatic:
            assert task.status == STATUS.DONE and task.finished is not None, task.flow_task.name
            history = Task.history.filter(id=task.pk)
            assert [h.status for h in history] == [STATUS.DONE], task.flow_task.name
