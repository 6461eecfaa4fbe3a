"""The dashboards' charts in a browser: Chart.js (served from the static files) draws every chart
from its JSON block under the Content-Security-Policy, with no script error, and the numbers
stay readable as a table."""

import re

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from tests.browser.test_csp import sign_in
from tests.browser.test_plan_approval import PASSWORD, Screenshots
from tests.workflow.test_dashboards import appraisal
from workflow.models import PeranAdmin, Predikat, StatusPeriode, StatusSkp
from workflow.services.period import periode_create

pytestmark = pytest.mark.browser


def test_the_progress_charts_draw_under_the_csp(live_server, new_page, org):
    periode = periode_create(instansi=org.instansi, tahun=2026, status=StatusPeriode.OPEN)
    appraisal(periode, org.pelaksana, StatusSkp.DRAFT, penilai=org.kasi)
    appraisal(periode, org.fungsional, StatusSkp.FINAL, predikat=Predikat.BAIK, penilai=org.kabid)
    appraisal(periode, org.sekda, StatusSkp.FINAL, predikat=Predikat.SANGAT_BAIK)
    admin = get_user_model().objects.create_user("admin.bkd", password=PASSWORD, is_staff=True)
    PeranAdmin.objects.create(user=admin, instansi=org.instansi)
    shot = Screenshots("charts")
    page = new_page()
    sign_in(page, live_server.url, "admin.bkd")
    expect(page).to_have_url(re.compile(r"/kinerja/$"))  # the home: the government's progress drawn
    expect(page.locator("canvas[data-chart='kinerja-chart-home-progress']")).to_have_attribute("data-drawn", "1")
    shot(page, "home")
    page.goto(f"{live_server.url}/kinerja/rekap/?periode={periode.pk}")
    expect(page.locator("canvas[data-chart='kinerja-chart-progress']")).to_have_attribute("data-drawn", "1")
    page.get_by_text("Angka dalam bentuk tabel").first.click()
    expect(page.locator("#kinerja-chart-progress-figure table")).to_contain_text("Sekretariat Daerah")
    shot(page, "rekap")
    page.goto(f"{live_server.url}/kinerja/rekap/unit/{org.dinkes.pk}/?periode={periode.pk}")
    for key in ("progress", "distribution"):
        expect(page.locator(f"canvas[data-chart='kinerja-chart-{key}']")).to_have_attribute("data-drawn", "1")
    shot(page, "unit")
    assert page.js_errors == []
