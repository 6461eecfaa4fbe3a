"""Fixtures of the SSO tests (tests/project/test_sso.py, tests/browser/test_sso_browser.py): the
test provider's process and the product configured for it."""

import copy
import os
import subprocess
import sys
from pathlib import Path

import pytest

from project.oidc import authentication_backends, oidc_settings

ROOT = Path(__file__).resolve().parents[2]
CLIENT_ID, CLIENT_SECRET = "kinerja-test", "rahasia-klien-uji-1234567890"


@pytest.fixture(scope="module")
def provider(live_server, tmp_path_factory):
    """The provider's base URL; the process lives as long as this module's tests."""
    env = {
        **os.environ,
        "OIDC_PROVIDER_DB": str(tmp_path_factory.mktemp("oidc-provider") / "provider.sqlite3"),
        "OIDC_CLIENT_ID": CLIENT_ID,
        "OIDC_CLIENT_SECRET": CLIENT_SECRET,
        "OIDC_REDIRECT_URI": f"{live_server.url}/oidc/callback/",
        "OIDC_POST_LOGOUT_URI": f"{live_server.url}/accounts/login/",
    }
    env.pop("DATABASE_URL", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.oidc_provider.serve"], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True
    )
    try:
        line = process.stdout.readline()
        assert line.startswith("PORT "), f"the OIDC provider did not start (exit {process.poll()})"
        yield f"http://127.0.0.1:{line.split()[1]}"
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def sso(provider, settings):
    """SSO switched on the way a deployment does it: the KINERJA_OIDC_* variables."""
    variables = {
        "KINERJA_OIDC_ISSUER": f"{provider}/o",
        "KINERJA_OIDC_CLIENT_ID": CLIENT_ID,
        "KINERJA_OIDC_CLIENT_SECRET": CLIENT_SECRET,
    }
    configure(settings, variables)
    return provider


def configure(settings, variables) -> None:
    """What project/settings.py does with these environment variables."""
    values = oidc_settings(variables)
    for name, value in values.items():
        setattr(settings, name, value)
    settings.AUTHENTICATION_BACKENDS = authentication_backends(settings.AUTHENTICATION_BACKENDS, True)
    policy = copy.deepcopy(settings.CONTENT_SECURITY_POLICY)
    policy["DIRECTIVES"]["form-action"] = ["'self'", *values["KINERJA_OIDC_FORM_ACTION_ORIGINS"]]
    settings.CONTENT_SECURITY_POLICY = policy
