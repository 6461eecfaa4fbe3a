"""Settings come from the environment; production settings pass Django's deployment checks."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def manage(*args, **env):
    environ = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}
    environ.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=environ, capture_output=True, text=True, timeout=120
    )


def test_production_settings_pass_check_deploy(tmp_path):
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="false",
        SECRET_KEY="k" * 20 + "-a-real-secret-key-with-enough-entropy-9f8e7d6c5b4a",
        ALLOWED_HOSTS="kinerja.bengkuluprov.go.id",
        KINERJA_VAR_DIR=str(tmp_path),
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_an_insecure_secret_key_fails_check_deploy(tmp_path):
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="false",
        SECRET_KEY="django-insecure-kinerja-local-development-only",
        ALLOWED_HOSTS="kinerja.bengkuluprov.go.id",
        KINERJA_VAR_DIR=str(tmp_path),
    )
    assert result.returncode != 0 and "SECRET_KEY" in result.stdout + result.stderr


def test_without_debug_a_missing_secret_key_stops_the_web_application_with_a_clear_message(tmp_path):
    environ = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}
    environ.update(DEBUG="false", SECRET_KEY="", KINERJA_VAR_DIR=str(tmp_path))
    for entry in ("project.wsgi", "project.asgi"):
        result = subprocess.run(
            [sys.executable, "-c", f"import {entry}"],
            cwd=ROOT,
            env=environ,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode != 0, entry
        assert "django.core.exceptions.ImproperlyConfigured: SECRET_KEY is not set." in result.stderr
        assert "set DEBUG=true for local development" in result.stderr


def test_without_a_key_management_commands_still_run(tmp_path):
    """A migrations check or collectstatic on a fresh clone needs no secret: nothing it does is signed."""
    result = manage(
        "makemigrations", "--check", "--dry-run", DEBUG="false", SECRET_KEY="", KINERJA_VAR_DIR=str(tmp_path)
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_with_debug_the_development_key_serves_when_none_is_set(tmp_path):
    code = "from django.conf import settings; print(settings.SECRET_KEY)"
    result = manage("shell", "-c", code, DEBUG="true", SECRET_KEY="", KINERJA_VAR_DIR=str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "django-insecure-kinerja-local-development-only"


def test_embedded_default_is_sqlite_in_wal_mode_and_runs_tasks_in_process(tmp_path):
    code = (
        "from django.conf import settings; from django.db import connection; import json; "
        "c = connection.cursor(); c.execute('PRAGMA journal_mode'); "
        "print(json.dumps({'engine': settings.DATABASES['default']['ENGINE'], "
        "'mode': settings.DATABASES['default']['OPTIONS']['transaction_mode'], "
        "'journal': c.fetchone()[0], 'eager': settings.CELERY_TASK_ALWAYS_EAGER, "
        "'lang': settings.LANGUAGE_CODE, 'tz': settings.TIME_ZONE}))"
    )
    result = manage("shell", "-c", code, KINERJA_VAR_DIR=str(tmp_path), CELERY_BROKER_URL="")
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values == {
        "engine": "django.db.backends.sqlite3",
        "mode": "IMMEDIATE",
        "journal": "wal",
        "eager": True,
        "lang": "id",
        "tz": "Asia/Jakarta",
    }
    assert (tmp_path / "kinerja.sqlite3").exists()


def test_a_broker_url_switches_to_real_workers(tmp_path):
    code = "from django.conf import settings; print(settings.CELERY_TASK_ALWAYS_EAGER)"
    result = manage("shell", "-c", code, KINERJA_VAR_DIR=str(tmp_path), CELERY_BROKER_URL="redis://127.0.0.1:6379/0")
    assert result.stdout.strip().splitlines()[-1] == "False"


def test_kinerja_sendfile_chooses_who_sends_downloads_and_refuses_unknown_values(tmp_path):
    code = "from django.conf import settings; print(settings.SENDFILE_BACKEND, settings.SENDFILE_URL)"
    nginx = manage(
        "shell",
        "-c",
        code,
        KINERJA_VAR_DIR=str(tmp_path),
        KINERJA_SENDFILE="nginx",
        KINERJA_SENDFILE_URL="/_berkas-internal",
    )
    assert nginx.stdout.strip().splitlines()[-1] == "django_sendfile.backends.nginx /_berkas-internal"
    wrong = manage("check", KINERJA_VAR_DIR=str(tmp_path), KINERJA_SENDFILE="lighttpd")
    assert wrong.returncode != 0 and "KINERJA_SENDFILE='lighttpd': choose one of none, nginx, apache" in wrong.stderr


def test_the_cache_is_local_memory_unless_kinerja_cache_url_names_a_redis(tmp_path):
    code = (
        "from django.conf import settings; c = settings.CACHES['default'];"
        " print(settings.SESSION_ENGINE, c['BACKEND'], c.get('LOCATION', ''))"
    )
    local = manage("shell", "-c", code, DEBUG="true", KINERJA_CACHE_URL="", KINERJA_VAR_DIR=str(tmp_path))
    assert local.returncode == 0, local.stderr
    # one cache per process: sessions stay in the database only (a sign-out must reach every worker)
    assert local.stdout.split()[-2:] == [
        "django.contrib.sessions.backends.db",
        "django.core.cache.backends.locmem.LocMemCache",
    ]
    shared = manage(
        "shell", "-c", code, DEBUG="true", KINERJA_CACHE_URL="redis://cache:6379/1", KINERJA_VAR_DIR=str(tmp_path)
    )
    assert shared.returncode == 0, shared.stderr
    assert shared.stdout.split()[-3:] == [
        "django.contrib.sessions.backends.cached_db",
        "project.cache.RedisCache",  # Django's RedisCache, reusing its redis client
        "redis://cache:6379/1",
    ]
    wrong = manage("check", DEBUG="true", KINERJA_CACHE_URL="memcached://cache:11211", KINERJA_VAR_DIR=str(tmp_path))
    assert wrong.returncode != 0 and "KINERJA_CACHE_URL must be a Redis address" in wrong.stderr


def test_postgresql_prepares_statements_unless_db_prepared_is_false(tmp_path):
    code = "from django.conf import settings; import json; print(json.dumps(settings.DATABASES['default']['OPTIONS']))"
    url = "postgres://postgres@127.0.0.1:5432/kinerja_unused"
    prepared = manage("shell", "-c", code, DEBUG="true", DATABASE_URL=url, KINERJA_VAR_DIR=str(tmp_path))
    assert prepared.returncode == 0, prepared.stderr
    assert json.loads(prepared.stdout.strip().splitlines()[-1]) == {"server_side_binding": True, "prepare_threshold": 2}
    planned = manage(
        "shell", "-c", code, DEBUG="true", DATABASE_URL=url, DB_PREPARED="false", KINERJA_VAR_DIR=str(tmp_path)
    )
    assert planned.returncode == 0, planned.stderr
    assert json.loads(planned.stdout.strip().splitlines()[-1]) == {}
    # SQLite keeps its own options whatever DB_PREPARED says
    embedded = manage("shell", "-c", code, DEBUG="true", DB_PREPARED="true", KINERJA_VAR_DIR=str(tmp_path))
    assert embedded.returncode == 0, embedded.stderr
    assert "server_side_binding" not in json.loads(embedded.stdout.strip().splitlines()[-1])
