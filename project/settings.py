"""Settings for Kinerja, read from the environment.

One complete base: every value a deployment changes comes from an environment variable (see the
configuration table in README.md). ``project.settings_test`` only makes tests faster.
"""

import base64
import datetime
import hashlib
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from whitenoise.compress import Compressor

from project.oidc import authentication_backends, oidc_settings

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("KINERJA_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
# A server must never run on a key that is in the repository: without DEBUG the web application
# (WSGI/ASGI) refuses to start unless SECRET_KEY comes from the environment
# (``project.startup.require_secret_key``). Management commands (migrate, collectstatic, a
# migrations check) sign nothing that lasts and run on the development key; ``check --deploy``
# flags it.
SECRET_KEY_FROM_ENVIRONMENT = bool(os.environ.get("SECRET_KEY"))
SECRET_KEY = os.environ.get("SECRET_KEY") or "django-insecure-kinerja-local-development-only"
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    # django.contrib.staticfiles, leaving out the vendored node_modules folders (see project/apps.py)
    "project.apps.KinerjaStaticFilesConfig",
    "django.contrib.humanize",
    "django_filters",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "viewflow",
    "viewflow.workflow",
    "simple_history",
    "rules",
    "workflow",
    # Extra apps for tooling, e.g. KINERJA_EXTRA_APPS=bench when benchmarks need their own flows.
    *env_list("KINERJA_EXTRA_APPS"),
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "project.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "workflow.middleware.audit_request_middleware",
    "viewflow.middleware.SiteMiddleware",
    "viewflow.middleware.HotwireTurboMiddleware",
    # Last, so its page has the user and site: no NUL character reaches any view (issue 11, item 12).
    "project.middleware.RefuseNulMiddleware",
]

ROOT_URLCONF = "project.urls"
WSGI_APPLICATION = "project.wsgi.application"
ASGI_APPLICATION = "project.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "project" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "workflow.context_processors.notifications",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# Unset DATABASE_URL: an embedded SQLite file under var/. WAL lets readers run beside the writer,
# IMMEDIATE transactions take the write lock up front (the default DEFERRED mode fails with
# "database is locked" when two writers upgrade at once) and the timeout makes writers queue.
VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'kinerja.sqlite3'}",
        # Persistent connections: opening one costs a PostgreSQL backend process (2-6 ms on
        # loopback), more than many pages take; each worker checks its connection before reuse.
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool("DB_PREPARED", True):
    # Values bound by the server and statements prepared per connection: a query the connection has
    # run ``prepare_threshold`` times is planned once, not on every run. A page's joins cost more to
    # plan than to execute (the step page's task with its appraisal: 1.5 ms planning, 0.25 ms run).
    # Off for a pooler that cannot keep prepared statements (PgBouncer before 1.21 in transaction mode).
    DATABASES["default"]["OPTIONS"] = {"server_side_binding": True, "prepare_threshold": 2}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "timeout": 20,
    }
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-kinerja.sqlite3")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Authentication -------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/accounts/login/"

# --- Login throttling (issue 11, item 5) ----------------------------------------------------
# django-axes counts failed sign-ins per user name AND client address (product and admin login
# alike). After KINERJA_LOGIN_FAILURE_LIMIT failures that pair is refused, the right password
# included, for KINERJA_LOGIN_COOLOFF_MINUTES (0: until an admin unlocks it, see README). The
# client address is workflow.middleware.client_address: X-Forwarded-For is trusted only as far as
# KINERJA_PROXY_COUNT proxies go. Lockouts are written to the audit log (workflow.signals).
INSTALLED_APPS += ["axes"]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses a locked-out user+address before the password is checked
    # Django's ModelBackend, with permission sets read from the shared cache when there is one
    "project.auth.CachedPermissionsBackend",
]
MIDDLEWARE += ["axes.middleware.AxesMiddleware"]
KINERJA_PROXY_COUNT = int(os.environ.get("KINERJA_PROXY_COUNT", "0"))
AXES_FAILURE_LIMIT = int(os.environ.get("KINERJA_LOGIN_FAILURE_LIMIT", "5"))
_cooloff_minutes = int(os.environ.get("KINERJA_LOGIN_COOLOFF_MINUTES", "30"))
AXES_COOLOFF_TIME = datetime.timedelta(minutes=_cooloff_minutes) if _cooloff_minutes > 0 else None
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "workflow.middleware.client_address"
AXES_LOCKOUT_CALLABLE = "project.lockout.lockout_response"
AXES_VERBOSE = False  # no banner on every manage.py command; failures and lockouts are still logged
# The SSO callback checks no password (the provider authenticated the person): its refusals (an
# unknown NIP) are no password guessing and never lock a user name or an office's address out.
AXES_WHITELIST_CALLABLE = "project.lockout.is_sso_attempt"

# --- Single sign-on (issue 16, item 3) ------------------------------------------------------
# OpenID Connect through mozilla-django-oidc, on only when KINERJA_OIDC_CLIENT_ID is set (see
# project/oidc.py and README "Single sign-on (OIDC)"). The account is matched by the NIP / NI PPPK
# in the claim KINERJA_OIDC_NIP_CLAIM; nobody unknown gets an account.
_oidc = oidc_settings(os.environ)
globals().update(_oidc)
AUTHENTICATION_BACKENDS = authentication_backends(AUTHENTICATION_BACKENDS, _oidc["KINERJA_OIDC_ENABLED"])

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Bahasa Indonesia")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "project" / "locale"]
TIME_ZONE = "Asia/Jakarta"
USE_I18N = True
USE_TZ = True

# --- Static and media files -----------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
# Uploaded files (evidence, appeal attachments) are never served from MEDIA_URL (no route serves it):
# only the permission-checked download views hand them out, through django-sendfile2.
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
# Who sends a download's bytes: the application itself ("none"), nginx ("nginx": X-Accel-Redirect to
# the internal location KINERJA_SENDFILE_URL) or Apache mod_xsendfile ("apache": X-Sendfile).
SENDFILE_BACKENDS = {
    "none": "django_sendfile.backends.simple",
    "nginx": "django_sendfile.backends.nginx",
    "apache": "django_sendfile.backends.xsendfile",
}
KINERJA_SENDFILE = os.environ.get("KINERJA_SENDFILE", "none").strip().lower() or "none"
if KINERJA_SENDFILE not in SENDFILE_BACKENDS:
    raise ImproperlyConfigured(f"KINERJA_SENDFILE={KINERJA_SENDFILE!r}: choose one of {', '.join(SENDFILE_BACKENDS)}.")
SENDFILE_BACKEND = SENDFILE_BACKENDS[KINERJA_SENDFILE]
SENDFILE_ROOT = str(MEDIA_ROOT)
SENDFILE_URL = os.environ.get("KINERJA_SENDFILE_URL", "/_berkas")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage" if DEBUG else "project.storage.StaticStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG
# Source maps (the API docs' bundles ship 10 MB of them) are fetched only by a developer's tools:
# served as they are, not compressed at every collectstatic.
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = [*Compressor.SKIP_COMPRESS_EXTENSIONS, "map"]

# --- Cache ----------------------------------------------------------------------------------
# What the processes must count together lives in the cache: the API's throttle (per token or user),
# the public verification page's limit per address, the process chart's drawing. The default,
# local memory, is one cache per process: with several gunicorn workers each counts on its own, so a
# client gets N times the limit. Production sets KINERJA_CACHE_URL to a Redis shared by every web
# process (Django's own RedisCache, through the redis package Celery's Redis transport brings).
KINERJA_CACHE_URL = os.environ.get("KINERJA_CACHE_URL", "").strip()
if KINERJA_CACHE_URL:
    if not KINERJA_CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured(
            f"KINERJA_CACHE_URL must be a Redis address (redis://, rediss:// or unix://), not {KINERJA_CACHE_URL!r}"
        )
    CACHES = {
        "default": {
            "BACKEND": "project.cache.RedisCache",  # Django's, reusing its redis client
            "LOCATION": KINERJA_CACHE_URL,
            "KEY_PREFIX": os.environ.get("KINERJA_CACHE_PREFIX", "kinerja"),
        }
    }
    # Sessions read from the shared cache, written through to the database: no session query on
    # each page. Only with a shared cache: with one cache per process, a sign-out in one worker
    # would leave the session alive in another's memory.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Template fragments that depend on nothing but their key (an empty search or filter form in one
# language): drawn once per process and kept in its memory, no round trip to Redis.
CACHES["fragments"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "kinerja-fragments",
    "TIMEOUT": 3600,
}

# --- Background work ------------------------------------------------------------------------
# No broker configured: run tasks in-process so the embedded default needs no services.
CELERY_TASK_ALWAYS_EAGER = not os.environ.get("CELERY_BROKER_URL")
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL") or "memory://"
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND") or None
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Redis (and SQS) give an unacknowledged task to another worker after this many seconds: the tasks
# of a worker that died come back this soon (Redis' default is an hour). Must exceed the longest
# task's run time, or a task still running is started a second time. Workers look for such tasks
# every 10 s (kombu's default scans only every tenth time, about every 100 s).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", "300")),
    "unacked_restore_throttle": 1,
}
CELERY_TIMEZONE = TIME_ZONE

# Opening a period creates the appraisals in Celery tasks of this many employees each.
KINERJA_OPEN_CHUNK_SIZE = int(os.environ.get("KINERJA_OPEN_CHUNK_SIZE", "250"))
# A ZIP of documents is issued in Celery tasks of this many appraisals each (spread over the workers),
# then packed by one more task.
KINERJA_DOKUMEN_CHUNK_SIZE = int(os.environ.get("KINERJA_DOKUMEN_CHUNK_SIZE", "25"))

# Celery beat fires viewflow's due timers and the task-deadline sweep this often (seconds).
KINERJA_TIMER_INTERVAL = float(os.environ.get("KINERJA_TIMER_INTERVAL", "60"))
CELERY_BEAT_SCHEDULE = {
    "run-timers": {"task": "workflow.tasks.run_timers", "schedule": KINERJA_TIMER_INTERVAL},
}

# --- Mail -----------------------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "kinerja@localhost")
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
# Absolute address used in e-mailed links.
KINERJA_BASE_URL = os.environ.get("KINERJA_BASE_URL", "http://127.0.0.1:8000")

# --- Security (production) ------------------------------------------------------------------
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
    CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# --- Security headers (issue 11, item 7) ----------------------------------------------------
# Content-Security-Policy (django-csp): scripts only from our own static files, no inline scripts or
# event handler attributes (templates ask for shared behaviours with data attributes, see
# workflow/static/workflow/kinerja.js). The one exception is viewflow's own "Back" buttons on its
# bulk assign/unassign and delete pages, whose onclick handlers are allowed by their exact hash
# ('unsafe-hashes' permits only those strings, tests/project/test_security_headers.py keeps the
# hashes in step with the installed viewflow). Styles keep 'unsafe-inline': viewflow's components
# and Turbo's progress bar set inline styles.
MIDDLEWARE += ["csp.middleware.CSPMiddleware", "django_permissions_policy.PermissionsPolicyMiddleware"]
CSP_VIEWFLOW_INLINE_HANDLERS = [
    "window.history.back(-1)",
    "window.history.back(-1);setTimeout(()=>Turbo.visit('.'), 100)",
]
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": [
            "'self'",
            "'unsafe-hashes'",
            *(
                "'sha256-" + base64.b64encode(hashlib.sha256(handler.encode()).digest()).decode() + "'"
                for handler in CSP_VIEWFLOW_INLINE_HANDLERS
            ),
        ],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        # The SSO provider's origin too when SSO is on: logout continues there (project/oidc.py).
        "form-action": ["'self'", *_oidc.get("KINERJA_OIDC_FORM_ACTION_ORIGINS", [])],
        "frame-ancestors": ["'none'"],
    },
}
# Permissions-Policy (django-permissions-policy): the product uses none of these browser features.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "encrypted-media",
        "fullscreen",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
        "screen-wake-lock",
        "xr-spatial-tracking",
        "publickey-credentials-get",
    )
}
# Static files are ours alone: no "Access-Control-Allow-Origin: *" (whitenoise's default).
WHITENOISE_ALLOW_ALL_ORIGINS = False

# --- Product settings -----------------------------------------------------------------------
# Who decides an appeal when the assessor's superior is the assessor (JPT, whom the Governor both
# assesses and, as their superior, hears on appeal: shared/domain.md §4): "same" lets that official
# decide (the default, as the rules say), "admin" puts it in the government admins' (BKD) queue.
KINERJA_APPEAL_SAME_OFFICIAL = os.environ.get("KINERJA_APPEAL_SAME_OFFICIAL", "same").strip().lower() or "same"
if KINERJA_APPEAL_SAME_OFFICIAL not in ("same", "admin"):
    raise ImproperlyConfigured(
        f"KINERJA_APPEAL_SAME_OFFICIAL={KINERJA_APPEAL_SAME_OFFICIAL!r}: choose 'same' or 'admin'."
    )
# Where an overdue task escalates: "superior" (the assessor's superior) or "admin" (the BKD admins).
KINERJA_ESCALATE_TO = os.environ.get("KINERJA_ESCALATE_TO", "superior")
# Days a task stays open when the period gives it no window, and days before the due date to remind.
KINERJA_TASK_DAYS = int(os.environ.get("KINERJA_TASK_DAYS", "14"))
KINERJA_REMINDER_DAYS = int(os.environ.get("KINERJA_REMINDER_DAYS", "3"))
# Days the assessor has to respond to an appeal.
KINERJA_APPEAL_RESPONSE_DAYS = int(os.environ.get("KINERJA_APPEAL_RESPONSE_DAYS", "5"))
# The organisation's achievement: the classes of head post whose units get a task for the leader
# above them at the end of the period (units below read the nearest predikat above them).
KINERJA_CAPAIAN_HEAD_POSTS = env_list("KINERJA_CAPAIAN_HEAD_POSTS", "jpt_madya,jpt_pratama,administrator")

# Lookups of the public document verification page (/verifikasi/<code>/) allowed per client address
# and minute (per process with the default local-memory cache); 0: no limit.
KINERJA_VERIFY_PER_MINUTE = int(os.environ.get("KINERJA_VERIFY_PER_MINUTE", "30"))

# Largest organisation import accepted from the admin upload form, in bytes.
# After each commit the audit chain head is appended here (outside the database); audit_verify
# checks the table against it. Empty: no anchor file (the log line is still written).
KINERJA_AUDIT_ANCHOR = os.environ.get("KINERJA_AUDIT_ANCHOR", str(VAR_DIR / "audit-anchor"))
KINERJA_IMPORT_MAX_BYTES = int(os.environ.get("KINERJA_IMPORT_MAX_BYTES", str(20 * 1024 * 1024)))
# Absurd organisation files are refused before they are read: rows of the file, header columns
# looked at, and the uncompressed size of an XLSX archive (a zip bomb is refused unread).
KINERJA_IMPORT_MAX_ROWS = int(os.environ.get("KINERJA_IMPORT_MAX_ROWS", "300000"))
KINERJA_IMPORT_MAX_COLUMNS = int(os.environ.get("KINERJA_IMPORT_MAX_COLUMNS", "64"))
KINERJA_IMPORT_MAX_XML_BYTES = int(os.environ.get("KINERJA_IMPORT_MAX_XML_BYTES", str(512 * 1024 * 1024)))

# --- REST API (issue 16) -------------------------------------------------------------------
# /api/v1/: the session (the product's own pages, with CSRF) or "Authorization: Bearer <token>"
# (workflow.api.authentication). Throttling counts per token, else per user, in the default cache
# (shared by every process only with KINERJA_CACHE_URL, see "Cache" above).
KINERJA_API_RATE = os.environ.get("KINERJA_API_RATE", "600/min")
KINERJA_API_TOKEN_DAYS = int(os.environ.get("KINERJA_API_TOKEN_DAYS", "365"))
# Government-wide figures (dashboards) are recomputed after each write, and at least this often
# (workflow.selectors.aggregates); 0: on every view.
KINERJA_AGGREGATE_CACHE_SECONDS = int(os.environ.get("KINERJA_AGGREGATE_CACHE_SECONDS", "60"))
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "workflow.api.authentication.BearerTokenAuthentication",
        "workflow.api.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["workflow.api.permissions.TokenScopes"],
    "DEFAULT_THROTTLE_CLASSES": ["workflow.api.throttling.TokenOrUserThrottle"],
    "DEFAULT_THROTTLE_RATES": {"api": KINERJA_API_RATE},
    "DEFAULT_PAGINATION_CLASS": "workflow.api.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "workflow.api.errors.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Kinerja API",
    "DESCRIPTION": "Penilaian kinerja ASN: tugas, hasil, predikat periodik (TPP), progres, aturan, audit.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # WeasyPrint logs every rendering step at INFO ("Step 2 - Fetching and parsing CSS"): only its
    # warnings (a CSS rule it ignores, a resource it refused to fetch) are worth a line.
    "loggers": {"weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
}
