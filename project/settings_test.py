"""Test settings: the base settings with a fast password hasher and in-memory mail."""

import os

# Settings without DEBUG need a key from the environment; the tests have their own. It stays in the
# environment, so the processes tests start with the production settings (workers, commands) inherit it.
os.environ.setdefault("SECRET_KEY", "django-insecure-kinerja-tests-only")
# The servers and workers tests start close their connections after each request, so none outlives
# the test database it was opened on.
os.environ.setdefault("DB_CONN_MAX_AGE", "0")

from .settings import *  # noqa: E402, F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
WHITENOISE_AUTOREFRESH = True
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
KINERJA_AUDIT_ANCHOR = ""  # tests that check the anchor point it at their own temporary file
WHITENOISE_USE_FINDERS = True  # the live server of the browser tests serves static files through whitenoise
