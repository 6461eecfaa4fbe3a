"""Run by tests/project/test_production_static.py in a subprocess, from a fresh copy of the checkout,
with the environment the test chose (production settings: ``DJANGO_SETTINGS_MODULE=project.settings``).

Drives the WSGI application's middleware and views with Django's test client and prints what a
browser would have seen as one JSON object on the last line of stdout; the test asserts on it.

    python -m tests.project.wsgi_probe pages     # login page, a signed-in page, every static asset
    python -m tests.project.wsgi_probe media     # a file under MEDIA_ROOT requested at /media/<path>
"""

import json
import os
import re
import sys
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import django

USERNAME = "probe.pegawai"
PASSWORD = "Probe-Kinerja-2026!"  # noqa: S105 (a throwaway account in a throwaway database)
STATIC_URL_RE = re.compile(r"""(/static/[^"'\s)<>?#]+)""")
CSS_URL_RE = re.compile(r"""url\(\s*['"]?([^'")]+)['"]?\s*\)""")


def _client():
    from django.test import Client

    # As the TLS proxy forwards requests (X-Forwarded-Proto): production redirects plain HTTP.
    return Client(HTTP_HOST=os.environ["PROBE_HOST"], HTTP_X_FORWARDED_PROTO="https", raise_request_exception=False)


def _user():
    from django.contrib.auth import get_user_model

    user, _ = get_user_model().objects.get_or_create(username=USERNAME)
    user.set_password(PASSWORD)
    user.save()
    return user


def _body(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")


def probe_pages() -> dict:
    _user()
    client = _client()
    out: dict = {"pages": {}, "static": {}}
    login = client.get("/accounts/login/")
    out["pages"]["login"] = login.status_code
    html = [_body(login)]
    signed_in = client.post("/accounts/login/", {"username": USERNAME, "password": PASSWORD})
    out["pages"]["login_post"] = signed_in.status_code
    home = client.get("/", follow=True)
    out["pages"]["home"] = home.status_code
    out["pages"]["home_path"] = home.request["PATH_INFO"]
    html.append(_body(home))
    # every asset the pages reference, then every asset those stylesheets reference (fonts, images)
    pending = sorted({url for page in html for url in STATIC_URL_RE.findall(page)})
    out["referenced"] = list(pending)
    seen: set[str] = set()
    while pending:
        url = pending.pop()
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        out["static"][url] = response.status_code
        if url.endswith(".css") and response.status_code == 200:
            for ref in CSS_URL_RE.findall(_body(response)):
                if ref.startswith(("data:", "#", "http:", "https:")):
                    continue
                pending.append(urlsplit(urljoin(url, ref)).path)
    return out


def probe_media() -> dict:
    from django.conf import settings

    target = Path(settings.MEDIA_ROOT) / "bukti" / "2026" / "11" / "laporan-capaian.pdf"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(b"%PDF-1.4 evidence of someone else")
    client = _client()
    client.force_login(_user())
    response = client.get("/media/bukti/2026/11/laporan-capaian.pdf")
    return {
        "debug": settings.DEBUG,
        "status": response.status_code,
        "body_has_file": b"evidence"
        in b"".join(response.streaming_content if getattr(response, "streaming", False) else [response.content]),
    }


def main() -> None:
    django.setup()
    import project

    # the copy's code, not the worktree's or an installed one
    assert Path(project.__file__).resolve().is_relative_to(Path.cwd().resolve()), project.__file__
    result = {"pages": probe_pages, "media": probe_media}[sys.argv[1]]()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
