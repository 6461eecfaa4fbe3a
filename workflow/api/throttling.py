"""Requests per token (an integration's or a person's) and per signed-in user, counted in the
configured cache: one busy integration cannot starve the others."""

from __future__ import annotations

from rest_framework.throttling import SimpleRateThrottle

from ..models import ApiToken


class TokenOrUserThrottle(SimpleRateThrottle):
    scope = "api"

    def get_cache_key(self, request, view):
        if isinstance(request.auth, ApiToken):
            ident = f"token-{request.auth.pk}"
        elif request.user is not None and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            ident = f"ip-{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}
