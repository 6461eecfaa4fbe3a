"""Security headers: a Content-Security-Policy that allows no inline script, a Permissions-Policy,
and static files without "Access-Control-Allow-Origin: *"; no template of the product carries an
inline script or event handler attribute; viewflow's inline handlers that the product renders are
allowed by their exact hashes, and only those."""

import base64
import hashlib
import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.template.loader import get_template
from django.test import Client

pytestmark = pytest.mark.django_db

TEMPLATE_DIRS = [Path(django_settings.BASE_DIR) / app for app in ("workflow", "rules", "project")]
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
HANDLER_ATTRIBUTE = re.compile(r"""\son[a-z]+\s*=\s*["']""", re.IGNORECASE)


def directives(header: str) -> dict[str, list[str]]:
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


@pytest.fixture
def signed_in(client):
    client.force_login(get_user_model().objects.create_user("199001012020121001", password="x"))
    return client


@pytest.mark.parametrize("url", ["/accounts/login/", "/kinerja/profil/"])
def test_product_pages_send_a_script_policy_without_unsafe_inline(signed_in, url):
    response = signed_in.get(url)
    assert response.status_code == 200
    policy = directives(response["Content-Security-Policy"])
    assert "'self'" in policy["script-src"]
    assert "'unsafe-inline'" not in policy["script-src"] and "'unsafe-eval'" not in policy["script-src"]
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
    permissions = response["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()"):
        assert feature in permissions


def test_static_files_do_not_allow_every_origin(settings):
    settings.WHITENOISE_USE_FINDERS = True  # serve from the apps' static folders, no collectstatic
    response = Client().get("/static/workflow/kinerja.js")
    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response.headers


def test_no_template_of_the_product_has_an_inline_script_or_handler():
    offenders = []
    for root in TEMPLATE_DIRS:
        for template in root.rglob("templates/**/*.html"):
            text = template.read_text()
            if INLINE_SCRIPT.search(text) or HANDLER_ATTRIBUTE.search(text):
                offenders.append(str(template.relative_to(django_settings.BASE_DIR)))
    assert offenders == []


@pytest.mark.parametrize(
    "name",
    [
        "viewflow/workflow/tasks_assign.html",
        "viewflow/workflow/tasks_unassign.html",
        "viewflow/views/delete_action.html",
    ],
)
def test_viewflows_inline_handlers_the_product_renders_are_allowed_by_hash(client, name):
    source = Path(get_template(name).origin.name).read_text()
    handlers = re.findall(r'\sonclick="([^"]*)"', source)
    assert handlers, name
    script_src = directives(client.get("/accounts/login/")["Content-Security-Policy"])["script-src"]
    for handler in handlers:
        digest = base64.b64encode(hashlib.sha256(handler.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in script_src, (name, handler)
