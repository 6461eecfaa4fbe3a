"""Single sign-on in a real browser: the "Masuk dengan SSO" button, the provider (django-oauth-toolkit,
tests/oidc_provider) and back, and the menu's logout continuing at the provider, all under the
Content-Security-Policy (no violation). The flows' details are in tests/project/test_sso.py."""

import json
import re
from urllib.parse import urlencode

import pytest
from playwright.sync_api import expect

from tests.factories import give_accounts

pytestmark = pytest.mark.browser


def test_sign_in_with_sso_and_log_out_at_the_provider(live_server, new_page, org, sso):
    give_accounts(org.pelaksana)
    page = new_page()
    # The person is signed in at the provider already (their own SSO session).
    page.goto(f"{sso}/signin/?" + urlencode({"sub": "hendra", "claims": json.dumps({"nip": org.pelaksana.nip})}))

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("link", name="Masuk dengan SSO").click()
    expect(page).to_have_url(re.compile(r"/kinerja/$"))  # the home
    expect(page.get_by_text(org.pelaksana.nama).first).to_be_visible()

    page.locator(".vf-page__menu-toggle-button").click()  # the user menu
    page.locator("form[action='/accounts/logout/'] button").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    # Signed out at the provider too: SSO now asks for the provider's sign-in.
    page.get_by_role("link", name="Masuk dengan SSO").click()
    expect(page.get_by_text("provider sign-in page")).to_be_visible()
    assert page.js_errors == []
