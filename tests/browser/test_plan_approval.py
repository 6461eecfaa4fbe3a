"""The SKP plan's approval loop through the real pages in headless Chromium: an employee drafts and
submits the plan, the assessor returns it with a note, the employee sees the note, revises and
resubmits, and the assessor approves it with the seven behaviour expectations.

Screenshots of every step are saved under test-artifacts/browser/."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS, PASSWORD
from workflow.models import NilaiPerilaku, Skp, StatusSkp

pytestmark = pytest.mark.browser
RETURN_NOTE = "Target cakupan imunisasi terlalu rendah, naikkan menjadi 98%."
RHK_UTAMA = "Meningkatnya cakupan imunisasi dasar lengkap di wilayah kerja"
RHK_TAMBAHAN = "Terlaksananya survei kepuasan masyarakat atas layanan imunisasi"


class Screenshots:
    """Numbered full-page screenshots of one scenario, replacing those of its earlier run."""

    def __init__(self, scenario="plan"):
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        for old in ARTIFACTS.glob(f"{scenario}-*.png"):
            old.unlink()
        self.scenario, self.n = scenario, 0

    def __call__(self, page, name):
        self.n += 1
        page.screenshot(path=ARTIFACTS / f"{self.scenario}-{self.n:02d}-{name}.png", full_page=True)


def log_in(page, base_url, pegawai):
    page.goto(f"{base_url}/accounts/login/")
    page.fill("input[name=username]", pegawai.nip)
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    expect(page).to_have_url(re.compile(r"/kinerja/$"))  # the home
    open_inbox(page, base_url)  # these scenarios work from the appraisal flow's own inbox


def inbox_row(page, title):
    """A task's row in the appraisal flow's inbox or in the product's one inbox."""
    return page.locator("table.vf-list__table tbody tr, table.kinerja-tasks tbody tr.kinerja-task", has_text=title)


def open_inbox(page, base_url):
    page.goto(f"{base_url}/appraisal/inbox/")
    expect(page.locator("h1.vf-card__title")).to_contain_text("Kotak Masuk")


def open_task(page, title):
    """Open the task titled ``title`` from the inbox: viewflow's task link leads to its form."""
    inbox_row(page, title).get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"/appraisal/\d+/\w+/\d+/execute/$"))
    expect(page.locator(".kinerja-card h1")).to_have_text(title)


def submit(page, button):
    """Submit a task form and land in the product's one inbox (Turbo follows the redirect)."""
    page.locator(button).click()
    expect(page).to_have_url(re.compile(r"/kinerja/kotak-masuk/$"))


def test_plan_is_returned_with_a_note_revised_and_approved(live_server, new_page, org, opened):
    shot = Screenshots()
    base = live_server.url
    skp = Skp.objects.get(pegawai=org.pelaksana)
    employee, assessor = new_page(), new_page()

    # The employee finds "Susun SKP" in the inbox and drafts the plan.
    log_in(employee, base, org.pelaksana)
    expect(employee.locator(".kinerja-welcome")).to_contain_text(f"Selamat datang, {org.pelaksana.nama}")
    expect(inbox_row(employee, "Susun SKP")).to_have_count(1)
    shot(employee, "employee-inbox-susun-skp")
    open_task(employee, "Susun SKP")
    expect(employee.locator(".kinerja-skp-header")).to_contain_text(org.kasi.nama)  # the assessor, named
    expect(employee.locator(".kinerja-skp-header")).to_contain_text("SKP disusun")
    employee.select_option("select[name=skp-pendekatan]", "kuantitatif")
    employee.select_option("select[name=rhk-0-jenis]", "utama")
    employee.fill("textarea[name=rhk-0-teks]", RHK_UTAMA)
    employee.select_option("select[name=rhk-0-aspek]", "kuantitas")
    employee.fill("textarea[name=rhk-0-indikator]", "Persentase bayi yang mendapat imunisasi dasar lengkap")
    employee.fill("input[name=rhk-0-target]", "90")
    employee.fill("input[name=rhk-0-satuan]", "%")
    employee.select_option("select[name=rhk-1-jenis]", "tambahan")
    employee.fill("textarea[name=rhk-1-teks]", RHK_TAMBAHAN)
    employee.select_option("select[name=rhk-1-aspek]", "kualitas")
    employee.fill("textarea[name=rhk-1-indikator]", "Indeks kepuasan masyarakat")
    employee.fill("input[name=rhk-1-target]", "80")
    employee.fill("input[name=rhk-1-satuan]", "indeks")
    shot(employee, "employee-drafts-plan")
    submit(employee, "button[name=ajukan]")
    expect(employee.locator(".kinerja-messages")).to_contain_text("SKP Anda telah diajukan kepada pejabat penilai.")
    expect(inbox_row(employee, "Susun SKP")).to_have_count(0)
    expect(employee.locator(".kinerja-empty")).to_have_text("Tidak ada tugas di sini.")
    shot(employee, "employee-inbox-after-submit")

    # The assessor finds "Setujui SKP" in the inbox and returns the plan with a note.
    log_in(assessor, base, org.kasi)
    expect(inbox_row(assessor, "Setujui SKP")).to_have_count(1)
    shot(assessor, "assessor-inbox-setujui-skp")
    open_task(assessor, "Setujui SKP")
    expect(assessor.locator(".kinerja-skp-header")).to_contain_text(org.pelaksana.nama)
    expect(assessor.locator(".kinerja-skp-header")).to_contain_text("SKP diajukan")
    expect(assessor.locator("table.kinerja-rhk")).to_contain_text(RHK_UTAMA)
    expect(assessor.locator("table.kinerja-rhk")).to_contain_text(RHK_TAMBAHAN)
    assessor.check("input[name=keputusan][value=kembalikan]")
    assessor.fill("textarea[name=catatan]", RETURN_NOTE)
    shot(assessor, "assessor-returns-plan")
    submit(assessor, "form.kinerja-form button[type=submit]")
    expect(assessor.locator(".kinerja-messages")).to_contain_text("Keputusan Anda atas SKP telah dicatat.")
    expect(inbox_row(assessor, "Setujui SKP")).to_have_count(0)
    shot(assessor, "assessor-inbox-after-return")

    # The task is back with the employee, who sees the note, revises the target and resubmits.
    open_inbox(employee, base)
    expect(inbox_row(employee, "Susun SKP")).to_have_count(1)
    open_task(employee, "Susun SKP")
    header = employee.locator(".kinerja-skp-header")
    expect(header).to_contain_text("SKP dikembalikan")
    expect(header).to_contain_text("Catatan pengembalian")
    expect(employee.locator(".kinerja-return-note")).to_have_text(RETURN_NOTE)
    expect(employee.locator(".kinerja-return-note")).to_be_visible()
    expect(employee.locator("textarea[name=rhk-0-teks]")).to_have_value(RHK_UTAMA)  # the draft is kept
    expect(employee.locator("input[name=rhk-0-target]")).to_have_value("90")
    employee.fill("input[name=rhk-0-target]", "98")
    shot(employee, "employee-sees-note-and-revises")
    submit(employee, "button[name=ajukan]")
    expect(employee.locator(".kinerja-messages")).to_contain_text("SKP Anda telah diajukan kepada pejabat penilai.")
    expect(inbox_row(employee, "Susun SKP")).to_have_count(0)

    # The assessor approves, writing the seven behaviour expectations.
    open_inbox(assessor, base)
    expect(inbox_row(assessor, "Setujui SKP")).to_have_count(1)
    open_task(assessor, "Setujui SKP")
    expect(assessor.locator("table.kinerja-rhk")).to_contain_text("98 %")
    assessor.check("input[name=keputusan][value=setujui]")
    for value, _label in NilaiPerilaku.choices:
        assessor.fill(f"textarea[name=ekspektasi_{value}]", f"Ekspektasi khusus untuk nilai {value.replace('_', ' ')}")
    shot(assessor, "assessor-approves-with-expectations")
    submit(assessor, "form.kinerja-form button[type=submit]")
    expect(assessor.locator(".kinerja-messages")).to_contain_text("Keputusan Anda atas SKP telah dicatat.")
    expect(inbox_row(assessor, "Setujui SKP")).to_have_count(0)
    shot(assessor, "assessor-inbox-after-approval")

    # The employee's appraisal page shows the approved plan and the expectations.
    employee.goto(f"{base}/appraisal/{skp.process_id}/")
    expect(employee.locator(".kinerja-skp-header")).to_contain_text("SKP disetujui")
    expect(employee.locator(".kinerja-return-note")).to_have_count(0)  # the note was for the revision
    expect(employee.locator("table.kinerja-rhk")).to_contain_text(RHK_UTAMA)
    expect(employee.get_by_text("Ekspektasi khusus untuk nilai berorientasi pelayanan")).to_be_visible()
    shot(employee, "employee-appraisal-skp-disetujui")

    skp.refresh_from_db()
    assert skp.status == StatusSkp.DISETUJUI and skp.catatan_pengembalian == RETURN_NOTE
    assert skp.ekspektasi_set.count() == 7
    assert employee.js_errors == [] and assessor.js_errors == []
