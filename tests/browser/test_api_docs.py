"""The API's Swagger UI (/api/v1/docs/) in a real browser: its files come from the product's static
files and it starts under the site's Content-Security-Policy without a single violation."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_the_api_docs_render_under_the_csp(live_server, new_page, transactional_db):
    page = new_page()
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(f"{live_server.url}/api/v1/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Kinerja API")
    expect(page.locator(".opblock-summary-path").first).to_be_visible()
    assert page.js_errors == []
    assert all(url.startswith(live_server.url) for url in requested), requested  # no CDN
