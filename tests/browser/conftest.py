"""Headless Chromium for the browser tests: Debian's /usr/bin/chromium driven by Playwright.

Playwright never downloads a browser here; the tests launch the system Chromium. Without it the
tests are skipped locally and fail under CI=true (CI installs it, see .ci/run)."""

import os
from pathlib import Path

import pytest
from django.utils import timezone

from tests.factories import Org, give_accounts
from workflow.services.period import periode_create
from workflow.services.period_open import period_open

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PASSWORD = "Rahasia-2026!"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    # Keep each phase's report on the item, so the page fixture can screenshot a failure.
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium) to run the browser tests"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=10_000)  # a 2-core CI machine runs two servers and a browser

    # Playwright's sync API keeps an event loop running in this thread; Django refuses database
    # calls from a thread with a running loop unless told that this test code is synchronous.
    with pytest.MonkeyPatch.context() as mp, sync_playwright() as playwright:
        mp.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def new_page(browser, request):
    """A factory of pages, each in its own browser context (its own cookies: one per person)."""
    contexts = []

    def make():
        context = browser.new_context(locale="id-ID", viewport={"width": 1366, "height": 900})
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.js_errors = []
        page.on("pageerror", lambda error: page.js_errors.append(str(error)))
        # The Content-Security-Policy blocks inline scripts and handlers: a violation is an error too.
        page.on(
            "console",
            lambda message: page.js_errors.append(message.text) if "Content Security Policy" in message.text else None,
        )
        return page

    yield make
    failed = getattr(request.node, "report_call", None)
    for n, context in enumerate(contexts):
        if failed is not None and failed.failed:
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            for page in context.pages:
                page.screenshot(path=ARTIFACTS / f"FAILED-{request.node.name}-{n}.png", full_page=True)
        context.close()


@pytest.fixture
def org(transactional_db):
    return Org()


@pytest.fixture
def opened(org, django_capture_on_commit_callbacks):
    """The admin has opened this year's period: every ASN has a "Susun SKP" task."""
    give_accounts(org.sekda, org.kadis, org.kabid, org.kasi, org.pelaksana, org.fungsional, password=PASSWORD)
    periode = periode_create(instansi=org.instansi, tahun=timezone.localdate().year)
    with django_capture_on_commit_callbacks(execute=True):
        period_open(periode=periode, by=None)
    return periode


from tests.oidc_provider.fixtures import provider, sso  # noqa: E402, F401 (the SSO browser test)
