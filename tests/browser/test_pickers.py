"""The people pickers search as one types (the Django admin's select2 widget) under the
Content-Security-Policy, and offer only people of the user's own government."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_plan_approval import PASSWORD, Screenshots, log_in

pytestmark = pytest.mark.browser


def test_an_assessor_picks_a_delegate_by_typing_part_of_the_name(live_server, new_page, org, opened):
    shot = Screenshots("pickers")
    page = new_page()
    log_in(page, live_server.url, org.kasi)  # lands on the home, then goes on to the inbox
    page.goto(f"{live_server.url}/kinerja/")
    expect(page.locator(".kinerja-home")).to_be_visible()
    page.goto(f"{live_server.url}/kinerja/delegasi/")
    page.locator(".select2-selection").first.click()
    page.locator(".select2-search__field").fill("Sihombing")
    option = page.locator(".select2-results__option", has_text="Siti Sihombing")
    expect(option).to_have_count(1)
    shot(page, "delegate-search")
    option.click()
    expect(page.locator("select[name=penerima]")).to_have_value(str(org.kabid.pk))
    page.fill("input[name=mulai]", "2026-03-01")
    page.fill("input[name=selesai]", "2026-03-10")
    page.fill("input[name=alasan]", "Diklat kepemimpinan")
    page.get_by_role("button", name=re.compile("Delegasikan")).click()
    expect(page.locator(".kinerja-message--success")).to_contain_text("Siti Sihombing")
    assert page.js_errors == []
    assert PASSWORD
