"""Checks the web application makes before it serves (project.wsgi, project.asgi)."""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def require_secret_key() -> None:
    """Without DEBUG, refuse to serve on the development key that is in the repository."""
    if not settings.DEBUG and not settings.SECRET_KEY_FROM_ENVIRONMENT:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. With DEBUG off (the default) the secret key must come from the "
            "environment: set SECRET_KEY to a long random value (e.g. the output of python -c "
            "'import secrets; print(secrets.token_urlsafe(50))'), or set DEBUG=true for local development."
        )
