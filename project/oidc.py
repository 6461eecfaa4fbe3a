"""Single sign-on (OpenID Connect) settings, read from the environment (issue 16, item 3).

``oidc_settings(environ)`` turns the ``KINERJA_OIDC_*`` variables into the settings of
mozilla-django-oidc and of ``workflow.sso``. ``project.settings`` applies it to ``os.environ``; the
tests apply it to their own dictionary (through ``override_settings``), so both read the variables
the same way. Without a client id the product has no SSO at all: no button, no backend, the
``/oidc/`` routes answer 404.

The provider's endpoints come either one by one (``KINERJA_OIDC_AUTHORIZATION_ENDPOINT`` ...) or
from its discovery document (``KINERJA_OIDC_ISSUER``, read at the first sign-in: see
``workflow.sso.provider_setting``). An endpoint given explicitly wins over the discovered one.
"""

from collections.abc import Mapping
from urllib.parse import urlsplit

SSO_BACKEND = "workflow.sso.NipOIDCBackend"

# Setting name -> environment variable, for the provider's endpoints.
ENDPOINT_VARIABLES = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "KINERJA_OIDC_AUTHORIZATION_ENDPOINT",
    "OIDC_OP_TOKEN_ENDPOINT": "KINERJA_OIDC_TOKEN_ENDPOINT",
    "OIDC_OP_USER_ENDPOINT": "KINERJA_OIDC_USERINFO_ENDPOINT",
    "OIDC_OP_JWKS_ENDPOINT": "KINERJA_OIDC_JWKS_ENDPOINT",
    "KINERJA_OIDC_LOGOUT_ENDPOINT": "KINERJA_OIDC_LOGOUT_ENDPOINT",
}


_FALSE = {"0", "false", "no", "off"}


def _value(environ: Mapping[str, str], name: str, default: str = "") -> str:
    return (environ.get(name) or default).strip()


def oidc_settings(environ: Mapping[str, str]) -> dict:
    """The SSO settings for ``environ``; ``KINERJA_OIDC_ENABLED`` is False when no client id is set."""
    client_id = _value(environ, "KINERJA_OIDC_CLIENT_ID")
    if not client_id:
        return {"KINERJA_OIDC_ENABLED": False}
    issuer = _value(environ, "KINERJA_OIDC_ISSUER").rstrip("/")
    discovery = _value(environ, "KINERJA_OIDC_DISCOVERY_URL") or (
        f"{issuer}/.well-known/openid-configuration" if issuer else ""
    )
    result = {
        "KINERJA_OIDC_ENABLED": True,
        "KINERJA_OIDC_DISCOVERY_URL": discovery,
        # The claim holding the NIP (PNS) or NI PPPK (PPPK) the account is matched by.
        "KINERJA_OIDC_NIP_CLAIM": _value(environ, "KINERJA_OIDC_NIP_CLAIM", "nip"),
        "OIDC_RP_CLIENT_ID": client_id,
        "OIDC_RP_CLIENT_SECRET": _value(environ, "KINERJA_OIDC_CLIENT_SECRET"),
        "OIDC_RP_SCOPES": _value(environ, "KINERJA_OIDC_SCOPES", "openid profile"),
        "OIDC_RP_SIGN_ALGO": _value(environ, "KINERJA_OIDC_SIGN_ALGO", "RS256"),
        "OIDC_USE_PKCE": True,
        "OIDC_CREATE_USER": False,  # never: unknown people are refused
        "OIDC_STORE_ID_TOKEN": True,  # the hint of the logout at the provider
        "OIDC_TIMEOUT": int(_value(environ, "KINERJA_OIDC_TIMEOUT", "10")),
        "OIDC_VERIFY_SSL": _value(environ, "KINERJA_OIDC_VERIFY_SSL", "true").lower() not in _FALSE,
        "OIDC_CALLBACK_CLASS": "workflow.sso.SsoCallbackView",
        "OIDC_AUTHENTICATE_CLASS": "workflow.sso.SsoStartView",
        "LOGIN_REDIRECT_URL_FAILURE": "/accounts/login/",
    }
    for setting, variable in ENDPOINT_VARIABLES.items():
        if value := _value(environ, variable):
            result[setting] = value
    # The logout form's answer redirects to the provider's end session endpoint: the
    # Content-Security-Policy's form-action must allow its origin (browsers check redirects too).
    result["KINERJA_OIDC_FORM_ACTION_ORIGINS"] = sorted(
        {
            f"{parts.scheme}://{parts.netloc}"
            for url in (discovery, result.get("KINERJA_OIDC_LOGOUT_ENDPOINT", ""))
            if url and (parts := urlsplit(url)).scheme in {"http", "https"} and parts.netloc
        }
    )
    return result


def authentication_backends(base: list[str], enabled: bool) -> list[str]:
    """``base`` with the SSO backend after the others (django-axes' first) when SSO is on."""
    return [*base, SSO_BACKEND] if enabled else list(base)
