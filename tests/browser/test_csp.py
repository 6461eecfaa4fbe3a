"""The pages' scripts under the Content-Security-Policy (no inline scripts, no event handler
attributes): the rules editor's grid, its confirm and auto-submitting selects, the language menu,
and a tour of the product's and the admin's pages without a single CSP violation. Also the
login lockout and the error pages as a browser shows them."""

import re

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from playwright.sync_api import expect

from rules.loader import load_pack
from rules.models import RuleSetVersion
from rules.services import rule_version_copy
from tests.browser.test_plan_approval import PASSWORD, Screenshots, log_in, open_task
from tests.factories import give_accounts
from workflow.models import PembukaanPeriode

pytestmark = pytest.mark.browser


def sign_in(page, base_url, username, password=PASSWORD):
    page.goto(f"{base_url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.get_by_role("button", name="Masuk").click()


@pytest.fixture
def versions(transactional_db):
    """The default rule pack (its newest published version) and two drafts copied from it."""
    load_pack(settings.BASE_DIR / "config" / "rules")
    published = (
        RuleSetVersion.objects.filter(rule_set__key="penilaian-kinerja", status="published").order_by("-number").first()
    )
    first = rule_version_copy(version=published)
    second = rule_version_copy(version=published)
    return published, first, second


@pytest.fixture
def rule_admin(transactional_db):
    # The group comes from a data migration, which an earlier transactional test's flush removes:
    # make sure it exists with its permission.
    group, _ = Group.objects.get_or_create(name="Admin Aturan")
    group.permissions.add(Permission.objects.get(codename="manage_rules", content_type__app_label="rules"))
    user = get_user_model().objects.create_user("admin.aturan", password=PASSWORD)
    user.groups.add(group)
    return user


def test_rules_editor_scripts_work_under_the_csp(live_server, new_page, versions, rule_admin):
    shot = Screenshots("csp-rules")
    published, draft, other_draft = versions
    page = new_page()
    sign_in(page, live_server.url, rule_admin.username)
    expect(page).to_have_url(re.compile(r"/kinerja/$"))  # the home

    # The grid: "Add row" inserts a row (above the default row); the arrows reorder rows.
    table = draft.tables.order_by("pk").first()
    page.goto(f"{live_server.url}/aturan/tabel/{table.pk}/")
    rows = page.locator("#rules-grid tbody tr.rules-row")
    before = rows.count()
    page.locator("#rules-add-row").click()
    expect(rows).to_have_count(before + 1)
    first_key = rows.nth(0).get_attribute("data-key")
    rows.nth(0).locator("button.rules-down").click()
    expect(rows.nth(1)).to_have_attribute("data-key", first_key)
    expect(rows.nth(1).locator("input.rules-order")).to_have_value("2")
    shot(page, "grid")

    # The diff's version select submits itself.
    page.goto(f"{live_server.url}/aturan/versi/{other_draft.pk}/banding/")
    page.select_option("select[name=dengan]", str(draft.pk))
    expect(page).to_have_url(re.compile(rf"\?dengan={draft.pk}$"))

    # Retiring asks first: dismissed, nothing happens; accepted, the version is retired.
    page.goto(f"{live_server.url}/aturan/versi/{published.pk}/")
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_role("button", name="Pensiunkan").click()
    page.wait_for_timeout(500)
    published.refresh_from_db()
    assert published.status == "published"
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Pensiunkan").click()
    expect(page.locator(".rules-badge")).to_have_class(re.compile("rules-badge--retired"))
    shot(page, "retired")
    assert page.js_errors == []


def test_pages_of_the_product_and_the_admin_raise_no_csp_violation(live_server, new_page, org, versions):
    give_accounts(org.kasi, password=PASSWORD)
    get_user_model().objects.create_superuser("root", password=PASSWORD)
    page = new_page()
    sign_in(page, live_server.url, "root")
    expect(page).to_have_url(re.compile(r"/kinerja/$"))  # the home
    for url in [
        "/appraisal/inbox/",
        "/appraisal/queue/",
        "/appraisal/archive/",
        "/kinerja/",
        "/kinerja/skp-saya/",
        "/kinerja/kotak-masuk/",
        "/kinerja/antrian/",
        "/kinerja/arsip/",
        "/kinerja/tugas-terbuka/",
        "/kinerja/profil/",
        "/kinerja/tim/",
        "/kinerja/rekap/",
        "/kinerja/audit/",
        "/kinerja/notifikasi/",
        "/aturan/",
        f"/aturan/versi/{versions[0].pk}/",
        "/admin/",
        "/admin/workflow/pegawai/",
        f"/admin/workflow/pegawai/{org.kasi.pk}/change/",
        "/admin/workflow/pegawai/add/",
        f"/admin/workflow/pegawai/{org.kasi.pk}/history/",
        "/admin/axes/accessattempt/",
        "/halaman-yang-tidak-ada/",
    ]:
        page.goto(f"{live_server.url}{url}")
        page.wait_for_load_state("networkidle")
    assert page.js_errors == []

    # The language select in the menu submits itself.
    page.goto(f"{live_server.url}/kinerja/profil/")
    page.select_option("select[name=language]", "en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert page.js_errors == []


def test_a_locked_out_sign_in_shows_why_on_the_login_page(live_server, new_page, transactional_db):
    user = get_user_model().objects.create_user("199001012020121001", password=PASSWORD)
    page = new_page()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(page, live_server.url, user.username, "salah-sandi")
        expect(page.locator(".vf-form__errors")).to_be_visible()
    # The error stands above the user name field, clear of its floating label.
    error_box = page.locator(".vf-form__errors").bounding_box()
    label_box = page.locator("vf-field-input[name=username] .mdc-floating-label").bounding_box()
    assert error_box["y"] + error_box["height"] <= label_box["y"]
    sign_in(page, live_server.url, user.username)
    expect(page.locator(".vf-form__errors")).to_contain_text("Terlalu banyak percobaan masuk yang gagal")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    Screenshots("csp-lockout")(page, "locked")
    assert page.js_errors == []


def test_the_plan_forms_add_a_row_button_works_under_the_csp(live_server, new_page, org, opened):
    page = new_page()
    log_in(page, live_server.url, org.pelaksana)
    open_task(page, "Susun SKP")
    rows = page.locator(".kinerja-rhk-form tbody tr.kinerja-rhk-row")
    before = rows.count()
    page.locator("#kinerja-add-rhk[data-ready]").click()  # once its script is bound (a busy machine)
    expect(rows).to_have_count(before + 1)
    expect(rows.nth(before).locator("td").first).to_have_text(str(before + 1))
    expect(page.locator("#id_rhk-TOTAL_FORMS")).to_have_value(str(before + 1))
    assert page.js_errors == []


def test_the_period_opening_page_follows_the_job_under_the_csp(live_server, new_page, org, opened):
    job = PembukaanPeriode.objects.create(periode=opened, status=PembukaanPeriode.Status.RUNNING, total=10, diproses=3)
    get_user_model().objects.create_superuser("root", password=PASSWORD)
    page = new_page()
    sign_in(page, live_server.url, "root")
    expect(page).to_have_url(re.compile(r"/kinerja/$"))  # the home
    page.goto(f"{live_server.url}/kinerja/buka-periode/{job.pk}/")
    expect(page.locator(".kinerja-job-status")).to_have_text("Berjalan")
    job.status, job.diproses = PembukaanPeriode.Status.DONE, 10
    job.save()
    # The page polls the job and reloads itself once it is done.
    expect(page.locator(".kinerja-job-status")).to_have_text("Selesai")
    assert page.js_errors == []
