"""The production setup as the README describes it, from a fresh copy of the checkout: collectstatic
with DEBUG off and the real manifest storage, then pages and their hashed static files served
through the application (whitenoise), and MEDIA_ROOT never served, with DEBUG on or off.

Each step runs in a subprocess with production settings (``project.settings``, not the test
settings, which swap the manifest storage for the plain one)."""

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

HOST = "kinerja.example.go.id"
HASHED = re.compile(r"\.[0-9a-f]{12}\.[A-Za-z0-9]+$")


def _tracked_files(root: Path) -> list[str]:
    """The files a fresh clone would have, plus uncommitted work (git's view, .gitignore applied)."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=root,
        capture_output=True,
        check=True,
    ).stdout.decode()
    return [name for name in listed.split("\0") if name and (root / name).is_file()]


def _copy_checkout(src: Path, dest: Path) -> None:
    try:
        names = _tracked_files(src)
    except (OSError, subprocess.CalledProcessError):
        ignore = shutil.ignore_patterns(
            ".git",
            ".venv",
            ".ci-venv",
            "var",
            "__pycache__",
            "*.mo",
            "test-artifacts",
            ".pytest_cache",
            ".ruff_cache",
            ".hypothesis",
        )
        shutil.copytree(src, dest, ignore=ignore)
        return
    for name in names:
        (dest / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src / name, dest / name)


def _env(var_dir: Path, **extra) -> dict:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "KINERJA_", "SECURE_", "DATABASE_URL", "CELERY_", "PYTEST_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="project.settings",
        DEBUG="false",
        SECRET_KEY="production-like-secret-key-for-the-static-files-test-0123456789abcdef",
        ALLOWED_HOSTS=HOST,
        KINERJA_VAR_DIR=str(var_dir),  # an embedded SQLite database, static and media files
        PROBE_HOST=HOST,
        PYTHONDONTWRITEBYTECODE="1",
    )
    env.update(extra)
    return env


def _run(args: list[str], cwd: Path, env: dict) -> str:
    done = subprocess.run([sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, f"{' '.join(args)} failed:\n{done.stdout[-3000:]}\n{done.stderr[-6000:]}"
    return done.stdout


@pytest.fixture(scope="module")
def checkout(tmp_path_factory):
    """A fresh copy of the checkout, set up as the README's production steps 2 say."""
    root = tmp_path_factory.mktemp("checkout")
    var_dir = tmp_path_factory.mktemp("var")
    _copy_checkout(Path(settings.BASE_DIR), root)
    env = _env(var_dir)
    _run(["manage.py", "migrate", "--no-input"], root, env)
    _run(["manage.py", "compilemessages", "--ignore", ".venv"], root, env)
    _run(["manage.py", "collectstatic", "--no-input"], root, env)
    return root, var_dir


def _probe(checkout, mode: str, **env) -> dict:
    root, var_dir = checkout
    out = _run(["-m", "tests.project.wsgi_probe", mode], root, _env(var_dir, **env))
    return json.loads(out.strip().splitlines()[-1])


def test_collectstatic_with_debug_off_then_pages_and_hashed_static_files_answer_200(checkout):
    root, var_dir = checkout
    manifest = json.loads((var_dir / "static" / "staticfiles.json").read_text())["paths"]
    assert "viewflow/fonts/roboto/roboto-fontface.css" in manifest
    assert not any("node_modules" in name for name in manifest)  # vendored sources nothing references

    seen = _probe(checkout, "pages")

    assert seen["pages"]["login"] == 200
    assert seen["pages"]["login_post"] == 302
    assert seen["pages"]["home"] == 200 and seen["pages"]["home_path"] != "/accounts/login/"
    referenced = seen["referenced"]
    assert any("roboto-fontface" in url for url in referenced)
    assert all(HASHED.search(url) for url in referenced), [u for u in referenced if not HASHED.search(u)]
    fonts = [url for url in seen["static"] if url.endswith((".woff", ".woff2"))]
    assert fonts, "the stylesheets' fonts were followed"
    failed = {url: status for url, status in seen["static"].items() if status != 200}
    assert not failed


@pytest.mark.parametrize("debug", ["false", "true"])
def test_media_root_is_never_served_directly(checkout, debug):
    seen = _probe(checkout, "media", DEBUG=debug)

    assert seen["debug"] is (debug == "true")
    assert seen["status"] == 404 and not seen["body_has_file"]


def test_the_wsgi_module_moves_what_startup_built_out_of_the_collectors_reach(checkout):
    """gunicorn loads ``project.wsgi``: by then Django's registries are frozen (``gc.freeze``), so
    a full collection no longer walks them during a request."""
    root, var_dir = checkout
    frozen = _run(["-c", "import gc, project.wsgi; print(gc.get_freeze_count())"], root, _env(var_dir))
    assert int(frozen.strip().splitlines()[-1]) > 50_000
