"""Single sign-on through OpenID Connect (issue 16, item 3), on mozilla-django-oidc.

The government's identity provider authenticates the person; Kinerja only matches them, by the
NIP (PNS) or NI PPPK (PPPK) in the claim ``KINERJA_OIDC_NIP_CLAIM``, to an existing employee and
that employee's user account. Nobody unknown gets an account, an inactive employee or account is
refused, and every SSO sign-in, accepted or refused, is an audit event. The local password form
stays (admins, installations without SSO); the settings come from ``project.oidc``.

- ``SsoStartView`` (``/oidc/authenticate/``) sends the browser to the provider (state, nonce, PKCE);
- ``SsoCallbackView`` (``/oidc/callback/``) takes the code back; ``NipOIDCBackend`` exchanges it,
  verifies the ID token against the provider's keys and matches the account;
- ``SsoLoginView`` (``/accounts/login/``) is the password form with the "Sign in with SSO" button;
- ``SsoLogoutView`` (``/accounts/logout/``) logs out locally and, when the provider has an end
  session endpoint, at the provider too (RP-initiated logout).

Every refusal lands on the login page with one message saying why.
"""

from __future__ import annotations

import logging
import threading
import time
from urllib.parse import urlencode

import requests
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import LoginView, LogoutView
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import import_from_settings
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView
from viewflow.contrib.auth import AuthenticationForm

from .models import AuditAction
from .selectors.org import pegawai_by_nomor_induk
from .services.audit import audit_record

logger = logging.getLogger(__name__)

# Setting -> key of the provider's discovery document (OpenID Connect Discovery 1.0).
DISCOVERY_KEYS = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
    "KINERJA_OIDC_LOGOUT_ENDPOINT": "end_session_endpoint",
}
DISCOVERY_MAX_AGE = 3600  # seconds a fetched discovery document is used

# Why an SSO sign-in was refused -> the message on the login page.
REFUSALS = {
    "missing_claim": _(
        "The SSO provider did not send your NIP or NI PPPK, so your account cannot be found. "
        "Sign in with your password or ask the BKD administrator."
    ),
    "unknown": _(
        "No employee with NIP / NI PPPK %(nomor)s is registered in Kinerja; no account was created. "
        "Ask the BKD administrator of your government."
    ),
    "no_account": _(
        "The employee with NIP / NI PPPK %(nomor)s has no user account in Kinerja yet. "
        "Ask the BKD administrator of your government."
    ),
    "inactive": _("The employee or account with NIP / NI PPPK %(nomor)s is inactive: sign-in refused."),
    "failed": _("Sign-in through SSO failed or was cancelled. Try again, or sign in with your password."),
    "unreachable": _("The SSO provider cannot be reached. Try again later, or sign in with your password."),
}

_discovery: dict[str, tuple[float, dict]] = {}
_discovery_lock = threading.Lock()


def discovery_document(url: str) -> dict:
    """The provider's discovery document, fetched at most once an hour per process."""
    now = time.monotonic()
    with _discovery_lock:
        cached = _discovery.get(url)
        if cached is not None and now - cached[0] < DISCOVERY_MAX_AGE:
            return cached[1]
    response = requests.get(
        url, timeout=import_from_settings("OIDC_TIMEOUT", 10), verify=import_from_settings("OIDC_VERIFY_SSL", True)
    )
    response.raise_for_status()
    document = response.json()
    with _discovery_lock:
        _discovery[url] = (now, document)
    return document


def provider_setting(attr, *args):
    """mozilla-django-oidc's ``get_settings``, with the provider's endpoints taken from its
    discovery document when they are not set one by one."""
    if attr in DISCOVERY_KEYS and not getattr(settings, attr, None):
        url = getattr(settings, "KINERJA_OIDC_DISCOVERY_URL", "")
        if url and (value := discovery_document(url).get(DISCOVERY_KEYS[attr])):
            return value
        if attr == "OIDC_OP_USER_ENDPOINT":
            return None  # optional: the ID token's claims are then all there is
    return import_from_settings(attr, *args)


def nomor_induk_from_claim(value) -> str:
    """The NIP / NI PPPK in a claim's value: spaces (``19850315 201001 2 003``) removed."""
    if value is None or isinstance(value, dict | list | bool):
        return ""
    return str(value).strip().replace(" ", "")


class NipOIDCBackend(OIDCAuthenticationBackend):
    """Authenticates the SSO callback's code and matches the employee by NIP / NI PPPK.

    Django instantiates every backend on each ``authenticate`` (the password form's too) and
    ``get_user`` (each request), so nothing is read from the provider until an SSO callback."""

    get_settings = staticmethod(provider_setting)
    get_user = ModelBackend.get_user  # an account made inactive is logged out

    def __init__(self, *args, **kwargs):
        self.UserModel = get_user_model()

    def authenticate(self, request, **kwargs):
        # Only the callback passes the PKCE verifier: the password form never reaches the provider.
        if request is None or "code_verifier" not in kwargs or not settings.KINERJA_OIDC_ENABLED:
            return None
        super().__init__()  # the provider's endpoints and the client's credentials, read now
        return super().authenticate(request, **kwargs)

    def verify_token(self, token, **kwargs):
        """The ID token's signature and nonce (mozilla-django-oidc), and its audience: this client."""
        payload = super().verify_token(token, **kwargs)
        if "nonce" in kwargs:  # the ID token (a signed userinfo answer need not name the client)
            audience = payload.get("aud")
            if self.OIDC_RP_CLIENT_ID not in (audience if isinstance(audience, list) else [audience]):
                raise SuspiciousOperation("The ID token was issued to another client.")
        return payload

    def get_userinfo(self, access_token, id_token, payload):
        if not self.OIDC_OP_USER_ENDPOINT:
            return {}
        userinfo = super().get_userinfo(access_token, id_token, payload)
        if "sub" in userinfo and userinfo["sub"] != payload.get("sub"):
            # OpenID Connect Core 5.3.2: the answer is about someone else and must not be used.
            raise SuspiciousOperation("The userinfo answer names another subject than the ID token.")
        return userinfo

    def get_or_create_user(self, access_token, id_token, payload):
        """The account of the employee named by the claim, or None (the reason on the request for
        the callback view). Never creates one."""
        claims = {**payload, **self.get_userinfo(access_token, id_token, payload)}
        nomor = nomor_induk_from_claim(claims.get(settings.KINERJA_OIDC_NIP_CLAIM))
        pegawai = pegawai_by_nomor_induk(nomor)
        user = pegawai.user if pegawai is not None else None
        if not nomor:
            reason = "missing_claim"
        elif pegawai is None:
            reason = "unknown"
        elif user is None:
            reason = "no_account"
        elif not (pegawai.aktif and user.is_active):
            reason = "inactive"
        else:
            return user
        self.request.sso_refusal = {"reason": reason, "nomor": nomor, "pegawai": pegawai, "user": user}
        return None


@method_decorator(login_not_required, name="dispatch")
class SsoStartView(OIDCAuthenticationRequestView):
    """Sends the browser to the provider's authorization endpoint (404 without SSO)."""

    get_settings = staticmethod(provider_setting)

    def __init__(self, **kwargs):
        # mozilla's __init__ reads the provider's endpoint: only once SSO is known to be on (get).
        super(OIDCAuthenticationRequestView, self).__init__(**kwargs)

    def dispatch(self, request, *args, **kwargs):
        if not settings.KINERJA_OIDC_ENABLED:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        try:
            self.OIDC_OP_AUTH_ENDPOINT = self.get_settings("OIDC_OP_AUTHORIZATION_ENDPOINT")
        except (requests.RequestException, ValueError):
            logger.warning("SSO: the provider's discovery document cannot be read", exc_info=True)
            messages.error(request, REFUSALS["unreachable"])
            return HttpResponseRedirect(resolve_url(settings.LOGIN_URL))
        self.OIDC_RP_CLIENT_ID = self.get_settings("OIDC_RP_CLIENT_ID")
        return super().get(request)


@method_decorator(login_not_required, name="dispatch")
class SsoCallbackView(OIDCAuthenticationCallbackView):
    """The provider's answer: signs the matched employee in, or back to the login page with why."""

    get_settings = staticmethod(provider_setting)

    def dispatch(self, request, *args, **kwargs):
        if not settings.KINERJA_OIDC_ENABLED:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        try:
            return super().get(request)
        except SuspiciousOperation as exc:
            # A state that this browser's session never sent, a nonce or signature that does not verify.
            logger.warning("SSO: callback refused: %s", exc)
            return self.login_failure()
        except (requests.RequestException, ValueError) as exc:
            logger.warning("SSO: the provider did not answer as expected: %s", exc)
            request.sso_refusal = {"reason": "unreachable"}
            return self.login_failure()

    def login_success(self):
        response = super().login_success()
        audit_record(
            action=AuditAction.LOGIN_SSO,
            obj=self.user,
            by=self.user,
            after={"username": self.user.get_username(), "claim": settings.KINERJA_OIDC_NIP_CLAIM},
        )
        return response

    def login_failure(self):
        refusal = getattr(self.request, "sso_refusal", None) or {"reason": "failed"}
        reason, nomor = refusal["reason"], refusal.get("nomor", "")
        logger.warning("SSO: sign-in refused (%s) for %r", reason, nomor)
        if reason not in {"failed", "unreachable"}:
            account, pegawai = refusal.get("user"), refusal.get("pegawai")
            audit_record(
                action=AuditAction.LOGIN_SSO_REFUSED,
                obj=account or pegawai,
                instansi_id=pegawai.instansi_id if pegawai is not None else None,
                after={"reason": reason, "nomor_induk": nomor[:40], "claim": settings.KINERJA_OIDC_NIP_CLAIM},
            )
        messages.error(self.request, REFUSALS[reason] % {"nomor": nomor[:40]})
        return HttpResponseRedirect(resolve_url(settings.LOGIN_URL))


class SsoLoginView(LoginView):
    """The product's login page: the password form, and the SSO button when SSO is on."""

    form_class = AuthenticationForm

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "sso_enabled": settings.KINERJA_OIDC_ENABLED}


class SsoLogoutView(LogoutView):
    """The product's logout: local, then at the provider when the person came through SSO and the
    provider has an end session endpoint (OpenID Connect RP-Initiated Logout)."""

    def post(self, request, *args, **kwargs):
        id_token = request.session.get("oidc_id_token")
        response = super().post(request, *args, **kwargs)
        if not (id_token and settings.KINERJA_OIDC_ENABLED):
            return response
        try:
            end_session = provider_setting("KINERJA_OIDC_LOGOUT_ENDPOINT", "")
        except (requests.RequestException, ValueError):
            logger.warning("SSO: no logout at the provider (discovery failed)", exc_info=True)
            return response
        if not end_session:
            return response
        params = {
            "id_token_hint": id_token,
            "client_id": settings.OIDC_RP_CLIENT_ID,
            "post_logout_redirect_uri": request.build_absolute_uri(resolve_url(settings.LOGOUT_REDIRECT_URL)),
        }
        return HttpResponseRedirect(f"{end_session}?{urlencode(params)}")
