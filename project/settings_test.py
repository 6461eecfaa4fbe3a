"""Test settings: the base settings with a fast password hasher and in-memory mail."""

from .settings import *  # noqa: F403

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
