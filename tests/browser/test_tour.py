"""The browser tour (issue 17): each role's day through the real pages, at 1366 px and at 390 px.

employee: home → SKP → self-review → result → appeal; assessor: inbox → approve → review → team;
the official deciding the appeal (who changes a disputed RHK rating and sees the predikat before
saving); BKD admin: dashboard → drill down → export; rule admin: edit → simulate → publish.

On every page, at both widths: axe-core (the npm package's local copy, node_modules/axe-core)
finds no serious or critical violation, and at 390 px nothing overflows sideways. Screenshots go to
test-artifacts/browser/tour-*.png, the pages' load times to test-artifacts/browser/tour-timings.json.

The tour navigates by URL and finds things by role and text, not by the inbox's or the home page's
layout. One test, one live server and one database: the whole tour runs in about a minute."""

import datetime as dt
import json
import re
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.utils import timezone
from playwright.sync_api import expect
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from rules.models import RuleSetVersion
from tests.browser.conftest import ARTIFACTS, PASSWORD
from tests.factories import give_accounts
from tests.helpers import EXPECTATIONS, load_rules_one_by_one, pack_in_force, rows
from workflow.models import JenisJendela, Keberatan, NilaiPerilaku, PeranAdmin, Skp, StatusKeberatan, StatusSkp
from workflow.services import appeal as appeal_svc
from workflow.services import appraisal as svc
from workflow.services.period import periode_create
from workflow.services.period_open import period_open
from workflow.services.roles import ensure_admin_group

pytestmark = pytest.mark.browser

AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
DESKTOP, PHONE = {"width": 1366, "height": 900}, {"width": 390, "height": 844}
AXE_RUN = """async (phone) => {
  // Colours do not change with the width: at 390 px the costly contrast rule is left out.
  const options = {resultTypes: ["violations"], rules: phone ? {"color-contrast": {enabled: false}} : {}};
  // A message fading in (the snackbar's transition) is half transparent: wait for the finite
  // animations to end (2 s at most), or axe measures the contrast of a frame of the fade.
  const finite = document.getAnimations()
    .filter(a => a.effect && a.effect.getTiming().iterations !== Infinity);
  const ended = Promise.all(finite.map(a => a.finished.catch(() => null)));
  await Promise.race([ended, new Promise(r => setTimeout(r, 2000))]);
  const result = await axe.run(document, options);
  return result.violations
    .filter(v => v.impact === "serious" || v.impact === "critical")
    .map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 3).map(n => n.target.join(" ") + " :: " + n.html.slice(0, 120))}));
}"""
OVERFLOW = """() => {
  const root = document.scrollingElement;
  if (root.scrollWidth <= root.clientWidth) { return null; }
  const isWide = el => el.getBoundingClientRect().right > root.clientWidth + 1;
  const wide = [...document.querySelectorAll("body *")]
    .filter(el => isWide(el) && ![...el.children].some(isWide))
    .slice(0, 4)
    .map(el => `${el.tagName.toLowerCase()}.${el.className} ${(el.textContent || "").trim().slice(0, 40)}`);
  return {scrollWidth: root.scrollWidth, clientWidth: root.clientWidth, wide};
}"""
FOCUS = """() => {
  const el = document.activeElement, style = getComputedStyle(el);
  const shown = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2;
  const name = `${el.tagName.toLowerCase()}.${el.className} ${el.textContent.trim().slice(0, 30)}`;
  return shown || el === document.body ? null : name;
}"""
FRAMES = "() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))"
TIMING = """() => {
  const nav = performance.getEntriesByType("navigation")[0];
  return {server: Math.round(nav.responseStart - nav.requestStart),
          loaded: Math.round(nav.loadEventEnd || nav.domContentLoadedEventEnd)};
}"""


class Tour:
    """Checks each page at both widths and keeps what it found; the test fails at the end with
    every problem of the tour listed (not only the first)."""

    def __init__(self, base_url):
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        for old in ARTIFACTS.glob("tour-*"):
            old.unlink()
        self.base, self.n, self.problems, self.timings = base_url, 0, [], {}

    def visit(self, page, path, name):
        page.goto(f"{self.base}{path}")
        self.check(page, name, timed=True)

    def check(self, page, name, timed=False):
        """The page as it is now: axe and the screenshot at both widths, and (``timed``: just loaded
        by its address, not by Turbo) its load time."""
        began = time.monotonic()
        page.wait_for_load_state("load")
        self.n += 1
        label = f"{self.n:02d}-{name}"
        self.timings[label] = {"url": page.url.removeprefix(self.base), **(page.evaluate(TIMING) if timed else {})}
        for size in (DESKTOP, PHONE):
            page.set_viewport_size(size)
            page.evaluate(FRAMES)  # the page has handled the resize
            width = size["width"]
            if width == DESKTOP["width"]:
                page.locator("body").focus()
                for _ in range(3):  # the keyboard's focus is visible wherever it lands
                    page.keyboard.press("Tab")
                    if hidden := page.evaluate(FOCUS):
                        self.problems.append(f"{label} @{width}px focus not visible on {hidden}")
            if width == PHONE["width"] and (overflow := page.evaluate(OVERFLOW)):
                self.problems.append(f"{label} @{width}px overflows sideways: {overflow}")
            for violation in page.evaluate(AXE_RUN, width == PHONE["width"]):
                self.problems.append(f"{label} @{width}px axe {violation}")
            page.screenshot(path=ARTIFACTS / f"tour-{label}-{width}.png")
        page.set_viewport_size(DESKTOP)
        self.timings[label]["checked"] = round((time.monotonic() - began) * 1000)

    def finish(self):
        (ARTIFACTS / "tour-timings.json").write_text(json.dumps(self.timings, indent=1))
        slowest = sorted(self.timings.items(), key=lambda kv: -kv[1].get("loaded", 0))[:5]
        print("\nslowest pages of the tour (ms):", *(f"{k} {v}" for k, v in slowest), sep="\n  ")
        assert self.problems == [], "\n".join(self.problems)


def sign_in(page, base, username):
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))


def task_path(process_pk, node, flow="appraisal"):
    task = Task.objects.get(process_id=process_pk, flow_task=node, status__in=[STATUS.NEW, STATUS.ASSIGNED])
    return f"/{flow}/{task.process_id}/{task.flow_task.name}/{task.pk}/execute/"


def open_task_of(skp_or_process_pk, flow="appraisal"):
    process_pk = getattr(skp_or_process_pk, "process_id", skp_or_process_pk)
    task = Task.objects.get(process_id=process_pk, status__in=[STATUS.NEW, STATUS.ASSIGNED], flow_task_type="HUMAN")
    return f"/{flow}/{task.process_id}/{task.flow_task.name}/{task.pk}/execute/"


def submit_and_leave(page, button_name):
    url = page.url
    page.get_by_role("button", name=button_name, exact=True).click()
    expect(page).not_to_have_url(url)


@pytest.fixture
def day(org, settings, django_capture_on_commit_callbacks, tmp_path):
    """This year's period with the review windows open: the pelaksana's result published (Baik);
    the fungsional's plan approved, their self-review due; the kasi's plan waiting for the kabid;
    a BKD admin and a rule admin."""
    load_rules_one_by_one(settings.BASE_DIR / "config" / "rules", tmp_path)
    give_accounts(org.sekda, org.kadis, org.kabid, org.kasi, org.pelaksana, org.fungsional, password=PASSWORD)
    today = timezone.localdate()
    periode = periode_create(instansi=org.instansi, tahun=today.year)
    for window in periode.jendela_set.all():
        window.dibuka = dt.date(today.year, 1, 2) if window.jenis == JenisJendela.PERIODIK else today
        window.ditutup = max(window.ditutup, today + dt.timedelta(days=30))
        window.save()
    with django_capture_on_commit_callbacks(execute=True):
        period_open(periode=periode, by=None)

    def planned(person, assessor, *, approve=True):
        skp = Skp.objects.get(pegawai=person)
        svc.plan_submit(skp=skp, by=person.user, pendekatan="kuantitatif", rows=rows(2, 1))
        if approve:
            svc.plan_decide(skp=skp, by=assessor.user, approve=True, expectations=EXPECTATIONS)
        return skp

    published = planned(org.pelaksana, org.kasi)
    done = [svc.RealisasiInput(rhk_id=r.pk, realisasi="Capaian semester I: 60%") for r in published.rhk_set.all()]
    svc.self_review_submit(skp=published, by=org.pelaksana.user, rows=done)
    svc.review_submit(skp=published, by=org.kasi.user, rhk_feedback={}, perilaku={})
    final = [
        svc.RealisasiInput(rhk_id=r.pk, realisasi="Capaian akhir: 97% dari target") for r in published.rhk_set.all()
    ]
    svc.self_review_submit(skp=published, by=org.pelaksana.user, rows=final, final=True)
    with django_capture_on_commit_callbacks(execute=True):
        svc.final_review_submit(
            skp=published,
            by=org.kasi.user,
            rhk_feedback={r.pk: svc.FeedbackInput("Baik", "sesuai") for r in published.rhk_set.all()},
            perilaku={v: svc.FeedbackInput("", "di_atas") for v in NilaiPerilaku.values},
        )
    published.refresh_from_db()
    assert published.status == StatusSkp.DIPUBLIKASIKAN and published.hasil.predikat == "baik"
    planned(org.fungsional, org.kabid)
    planned(org.kasi, org.kabid, approve=False)

    bkd = get_user_model().objects.create_user("admin.bkd", password=PASSWORD, is_staff=True)
    bkd.groups.add(ensure_admin_group())
    PeranAdmin.objects.create(user=bkd, instansi=org.instansi)
    group, _ = Group.objects.get_or_create(name="Admin Aturan")
    group.permissions.add(Permission.objects.get(codename="manage_rules", content_type__app_label="rules"))
    rule_admin = get_user_model().objects.create_user("admin.aturan", password=PASSWORD)
    rule_admin.groups.add(group)
    return {"published": published, "bkd": bkd, "rule_admin": rule_admin}


def test_each_roles_day_is_usable_on_a_desktop_and_a_phone(live_server, browser, org, day):
    started = time.monotonic()
    base = live_server.url
    tour = Tour(base)
    context = browser.new_context(locale="id-ID", viewport=DESKTOP)
    context.set_default_timeout(10_000)
    context.add_init_script(path=str(AXE))  # injected by the browser itself, outside the page's CSP
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    published = day["published"]
    try:
        # --- employee (the fungsional, at their self-review): home → SKP → self-review ---
        sign_in(page, base, org.fungsional.nip)
        tour.check(page, "employee-home")
        skp = Skp.objects.get(pegawai=org.fungsional)
        tour.visit(page, f"/appraisal/{skp.process_id}/", "employee-skp")
        page.set_viewport_size(PHONE)  # the process diagram keeps a readable size and scrolls in its frame
        page.evaluate(FRAMES)
        assert page.locator(".kinerja-diagram-frame").evaluate("frame => frame.scrollWidth > frame.clientWidth")
        page.set_viewport_size(DESKTOP)
        tour.visit(page, open_task_of(skp), "employee-self-review")
        for rhk in skp.rhk_set.all():
            page.fill(f"textarea[name=realisasi_{rhk.pk}]", "Capaian semester I: 55% dari target")
        submit_and_leave(page, "Kirim ke pejabat penilai")
        context.clear_cookies()

        # --- employee (the pelaksana, with a published result): result → appeal ---
        sign_in(page, base, org.pelaksana.nip)
        tour.visit(page, f"/appraisal/{published.process_id}/", "employee-result")
        expect(page.get_by_text("Predikat: Baik")).to_be_visible()
        tour.visit(page, f"/kinerja/keberatan/{published.pk}/", "employee-appeal")
        page.get_by_label("Alasan").fill("Capaian imunisasi 97% dari target belum dinilai di atas ekspektasi.")
        submit_and_leave(page, "Ajukan keberatan")
        tour.check(page, "employee-appeal-filed")
        tour.visit(page, f"/kinerja/riwayat/{published.pk}/", "employee-timeline")
        context.clear_cookies()
        keberatan = Keberatan.objects.get(skp=published)
        appeal_svc.appeal_respond(keberatan=keberatan, by=org.kasi.user, tanggapan="Bukti dukung diterima.")

        # --- assessor (the kabid): inbox → approve → review → team ---
        sign_in(page, base, org.kabid.nip)
        tour.visit(page, "/appraisal/inbox/", "assessor-inbox")
        kasi_skp = Skp.objects.get(pegawai=org.kasi)
        tour.visit(page, open_task_of(kasi_skp), "assessor-approve")
        page.check("input[name=keputusan][value=setujui]")
        for value in NilaiPerilaku.values:
            page.fill(f"textarea[name=ekspektasi_{value}]", f"Ekspektasi untuk nilai {value.replace('_', ' ')}")
        submit_and_leave(page, "Simpan keputusan")
        tour.visit(page, open_task_of(skp), "assessor-review")
        submit_and_leave(page, "Simpan evaluasi")
        tour.visit(page, "/kinerja/tim/", "assessor-team")

        # --- the deciding official (the kabid, the assessor's superior): the appeal ---
        tour.visit(page, open_task_of(keberatan.process_id, flow="appeal"), "decider-appeal")
        rhk = list(published.rhk_set.order_by("urutan"))
        box = page.locator("#kinerja-suggestion")
        expect(box.locator(".kinerja-suggest-predikat")).to_have_text("Baik")
        for r in rhk:
            page.select_option(f"select[name=rating_{r.pk}]", "di_atas")
        expect(box.locator(".kinerja-suggest-predikat")).to_have_text("Sangat Baik")  # before saving
        page.check("input[name=keputusan][value=ubah]")
        page.fill("textarea[name=alasan]", "Capaian 97% terbukti di atas ekspektasi.")
        tour.check(page, "decider-sees-predikat")
        submit_and_leave(page, "Simpan keputusan final")
        keberatan.refresh_from_db()
        assert keberatan.status == StatusKeberatan.DIUBAH and keberatan.predikat_baru == "sangat_baik"
        context.clear_cookies()

        # --- BKD admin: dashboard → drill down → export ---
        sign_in(page, base, "admin.bkd")
        tour.visit(page, "/kinerja/rekap/", "bkd-dashboard")
        tour.visit(page, f"/kinerja/hasil/?periode={published.periode_id}", "bkd-results")
        tour.visit(page, f"/appraisal/{published.process_id}/", "bkd-appraisal")
        tour.visit(page, "/kinerja/audit/", "bkd-audit")
        page.goto(f"{base}/kinerja/rekap/")
        with page.expect_download() as download:
            page.locator(".kinerja-export a", has_text="XLSX").first.click()
        assert download.value.suggested_filename.endswith(".xlsx")
        context.clear_cookies()

        # --- rule admin: edit → simulate → publish ---
        sign_in(page, base, "admin.aturan")
        tour.visit(page, "/aturan/", "rules-list")
        live = pack_in_force()
        tour.visit(page, f"/aturan/versi/{live.pk}/", "rules-version")
        page.get_by_role("button", name="Salin ke draf baru").click()
        expect(page).not_to_have_url(re.compile(rf"/aturan/versi/{live.pk}/$"))
        draft = RuleSetVersion.objects.filter(status="draft").latest("pk")
        table = draft.tables.get(name="rating_perilaku")
        tour.visit(page, f"/aturan/tabel/{table.pk}/", "rules-table")
        # a changed row that would decide this year's published result differently (seven behaviours
        # above expectations: now suggested as expected): asked first, told how many results
        page.get_by_label("Baris 2: Jumlah perilaku di atas ekspektasi").fill("[4..7)")
        page.get_by_role("button", name="Simpan tabel").click()
        expect(page.get_by_role("alert")).to_contain_text("Anda mengubah 1 baris yang sudah ada")
        expect(page.get_by_role("alert")).to_contain_text("akan memutuskan 1 hasil")
        tour.check(page, "rules-table-confirm")
        page.get_by_role("button", name="Tetap simpan baris yang diubah").click()
        expect(page.locator(".rules-messages")).to_contain_text("Tabel telah disimpan.")
        tour.visit(page, f"/aturan/versi/{draft.pk}/banding/", "rules-diff")
        expect(page.locator("h2", has_text="rating_perilaku")).to_have_count(1)  # the changed table only
        expect(page.locator("h2", has_text="predikat_kinerja")).to_have_count(0)
        tour.visit(page, f"/aturan/versi/{draft.pk}/simulasi/", "rules-simulate")
        page.select_option("select[name=table]", "rating_perilaku")
        csv = b"perilaku_di_atas,perilaku_di_bawah\n4,0\n0,4\n3,3\n"
        page.set_input_files("input[name=data]", files=[{"name": "fakta.csv", "mimeType": "text/csv", "buffer": csv}])
        page.get_by_role("button", name="Simulasikan").click()
        expect(page.locator(".rules-sim-summary")).to_contain_text("0 dari 3")  # none of them has seven
        tour.check(page, "rules-simulated")
        tour.visit(page, f"/aturan/versi/{draft.pk}/terbitkan/", "rules-publish")
        page.fill("textarea[name=reason]", "Penulisan batas nilai diseragamkan.")
        page.get_by_role("button", name="Terbitkan", exact=True).click()
        expect(page.locator(".rules-badge")).to_have_class(re.compile("rules-badge--published"))
    finally:
        context.close()
    tour.finish()
    assert errors == []
    print(f"tour: {time.monotonic() - started:.1f} s")
