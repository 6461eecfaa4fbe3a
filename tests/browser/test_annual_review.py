"""The annual review through the real pages in headless Chromium: the assessor rates every RHK and
behaviour value and watches the rules' suggestion update as they rate; the result is scored and
published; the employee reads the predikat with its explanation.

Screenshots of every step are saved under test-artifacts/browser/ (annual-*.png)."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.test_plan_approval import PASSWORD, Screenshots, inbox_row, log_in, open_task, submit
from tests.factories import give_accounts
from tests.helpers import load_rules_one_by_one
from workflow.models import JenisJendela, JenisRhk, NilaiPerilaku, Skp, StatusSkp
from workflow.services import appraisal as svc
from workflow.services.period import periode_create
from workflow.services.period_open import period_open

pytestmark = pytest.mark.browser


@pytest.fixture
def at_annual_review(org, settings, django_capture_on_commit_callbacks, tmp_path):
    """This year's period with its review windows already open; the pelaksana's plan approved,
    the midyear review done and the annual self-review submitted (through the services)."""
    load_rules_one_by_one(settings.BASE_DIR / "config" / "rules", tmp_path)  # published as scored
    give_accounts(org.sekda, org.kadis, org.kabid, org.kasi, org.pelaksana, org.fungsional, password=PASSWORD)
    today = timezone.localdate()
    periode = periode_create(instansi=org.instansi, tahun=today.year)
    # A periodic window reviews the months before it opens: opened on 2 January it has one day of
    # the SKP (which starts on 1 January) behind it, so it applies.
    for window in periode.jendela_set.all():
        window.dibuka = dt.date(today.year, 1, 2) if window.jenis == JenisJendela.PERIODIK else today
        window.ditutup = max(window.ditutup, today + dt.timedelta(days=30))
        window.save()
    with django_capture_on_commit_callbacks(execute=True):
        period_open(periode=periode, by=None)
    skp = Skp.objects.get(pegawai=org.pelaksana)
    employee, assessor = org.pelaksana.user, org.kasi.user
    svc.plan_submit(
        skp=skp,
        by=employee,
        pendekatan="kuantitatif",
        rows=[
            svc.RhkInput(
                jenis=JenisRhk.UTAMA,
                teks="Meningkatnya cakupan imunisasi dasar lengkap",
                indikator="Persentase bayi diimunisasi lengkap",
                target="95",
                satuan="%",
            ),
            svc.RhkInput(
                jenis=JenisRhk.TAMBAHAN,
                teks="Terlaksananya survei kepuasan layanan imunisasi",
                indikator="Indeks kepuasan masyarakat",
                target="80",
                satuan="indeks",
            ),
        ],
    )
    svc.plan_decide(
        skp=skp,
        by=assessor,
        approve=True,
        expectations={v: f"Ekspektasi nilai {v.replace('_', ' ')}" for v in NilaiPerilaku.values},
    )
    done = [svc.RealisasiInput(rhk_id=r.pk, realisasi="Capaian semester I: 60%") for r in skp.rhk_set.all()]
    svc.self_review_submit(skp=skp, by=employee, rows=done)
    svc.review_submit(skp=skp, by=assessor, rhk_feedback={}, perilaku={})
    final = [svc.RealisasiInput(rhk_id=r.pk, realisasi="Capaian akhir: 98% dari target") for r in skp.rhk_set.all()]
    svc.self_review_submit(skp=skp, by=employee, rows=final, final=True)
    return skp


def test_the_assessor_rates_with_live_suggestions_and_the_employee_reads_why(
    live_server, new_page, org, at_annual_review
):
    shot = Screenshots("annual")
    base, skp = live_server.url, at_annual_review
    assessor, employee = new_page(), new_page()

    log_in(assessor, base, org.kasi)
    expect(inbox_row(assessor, "Evaluasi tahunan")).to_have_count(1)
    open_task(assessor, "Evaluasi tahunan")
    expect(assessor.locator(".kinerja-realisasi-text").first).to_contain_text("Capaian akhir: 98% dari target")
    expect(assessor.locator(".kinerja-review-iki").first).to_contain_text("target 95 %")
    box = assessor.locator("#kinerja-suggestion")
    expect(box).to_contain_text("Nilai setiap RHK")  # nothing to suggest until everything is rated
    shot(assessor, "assessor-opens-annual-review")

    rhk = list(skp.rhk_set.order_by("urutan"))
    assessor.select_option(f"select[name=rating_{rhk[0].pk}]", "di_atas")
    assessor.select_option(f"select[name=rating_{rhk[1].pk}]", "di_atas")
    for value in NilaiPerilaku.values:
        assessor.select_option(f"select[name=rating_{value}]", "sesuai")
    # every RHK above expectations and no core RHK below: work results above; behaviour meets
    expect(box.locator(".kinerja-suggest-hk")).to_have_text("Di Atas Ekspektasi")
    expect(box.locator(".kinerja-suggest-pr")).to_have_text("Sesuai Ekspektasi")
    expect(box.locator(".kinerja-suggest-predikat")).to_have_text("Baik")
    shot(assessor, "assessor-sees-suggestion")
    assessor.select_option(f"select[name=rating_{rhk[0].pk}]", "sesuai")  # the suggestion follows
    expect(box.locator(".kinerja-suggest-hk")).to_have_text("Sesuai Ekspektasi")
    assessor.select_option(f"select[name=rating_{rhk[0].pk}]", "di_atas")
    expect(box.locator(".kinerja-suggest-hk")).to_have_text("Di Atas Ekspektasi")
    submit(assessor, "#kinerja-review-form button[type=submit]")
    expect(inbox_row(assessor, "Evaluasi tahunan")).to_have_count(0)
    shot(assessor, "assessor-inbox-after-annual-review")

    skp.refresh_from_db()
    assert skp.status == StatusSkp.DIPUBLIKASIKAN and skp.hasil.predikat == "baik"

    log_in(employee, base, org.pelaksana)
    employee.goto(f"{base}/appraisal/{skp.process_id}/")
    expect(employee.locator(".kinerja-predikat")).to_contain_text("Predikat: Baik")
    expect(employee.locator(".kinerja-explanation")).to_contain_text("2 dari 2 RHK dinilai di atas ekspektasi")
    expect(employee.locator(".kinerja-steps")).to_contain_text("Publikasikan hasil")
    shot(employee, "employee-reads-the-result")
    assert assessor.js_errors == [] and employee.js_errors == []
