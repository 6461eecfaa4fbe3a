"""Who is calling: a bearer token (``Authorization: Bearer knj_...``) or the product's session
(with CSRF, as DRF's session authentication checks it)."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from ..selectors.api_token import token_for
from ..services.api_token import api_token_touch, hash_secret, split_token


class IntegrationUser(AnonymousUser):
    """The principal of an integration's token: no account, reads of one government only."""

    def __init__(self, token):
        self.token = token
        self.instansi_id = token.instansi_id

    @property
    def is_authenticated(self):
        return True

    def __str__(self):
        return f"integrasi:{self.token.nama}"


class TokenRefused(exceptions.AuthenticationFailed):
    default_code = "token_invalid"


class BearerTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1", "replace").split()
        if not header or header[0].lower() != self.keyword.lower():
            return None
        if len(header) != 2:
            raise TokenRefused(_("The Authorization header must be 'Bearer <token>'."))
        parts = split_token(header[1])
        token = token_for(prefix=parts[0], hashed=hash_secret(parts[1])) if parts else None
        if token is None:
            raise TokenRefused(_("The token is not valid."))
        if token.dicabut is not None:
            raise TokenRefused(_("The token was revoked."), code="token_revoked")
        if not token.is_valid():
            raise TokenRefused(_("The token has expired."), code="token_expired")
        if token.user_id is not None:
            if not token.user.is_active:
                raise TokenRefused(_("The token's account is inactive."), code="token_inactive")
            user = token.user
        else:
            user = IntegrationUser(token)
        api_token_touch(token)
        return user, token

    def authenticate_header(self, request):
        return self.keyword


class SessionAuthentication(authentication.SessionAuthentication):
    """The product's own session, CSRF-checked on writes."""
