"""The API's Swagger UI (/api/v1/docs/) in a real browser, signed in (the docs send a visitor who is not
to the sign-in page): its files come from the product's static files and it starts under the site's
Content-Security-Policy without a single violation."""

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from tests.browser.test_plan_approval import PASSWORD

pytestmark = pytest.mark.browser


def test_the_api_docs_render_under_the_csp(live_server, new_page, transactional_db):
    get_user_model().objects.create_user("pembaca.api", password=PASSWORD)
    page = new_page()
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(f"{live_server.url}/api/v1/docs/")
    expect(page).to_have_url(f"{live_server.url}/accounts/login/?next=/api/v1/docs/")
    page.fill("input[name=username]", "pembaca.api")
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    expect(page).to_have_url(f"{live_server.url}/api/v1/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Kinerja API")
    expect(page.locator(".opblock-summary-path").first).to_be_visible()
    assert page.js_errors == []
    assert all(url.startswith(live_server.url) for url in requested), requested  # no CDN
