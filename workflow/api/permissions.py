"""What a caller may reach: a token's scopes, and the government an integration reads."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, permissions

from ..models import ApiToken
from ..selectors.org import admin_instansi_ids


class TokenScopes(permissions.BasePermission):
    """Signed in (session or token); a token must hold the view's ``required_scope``; an
    integration's token reaches only views that declare ``integrations_allowed``."""

    message = _("Authentication credentials were not provided.")

    def has_permission(self, request, view):
        user = request.user
        if user is None or not user.is_authenticated:
            raise exceptions.NotAuthenticated()
        token = request.auth if isinstance(request.auth, ApiToken) else None
        if token is None:
            return True
        if token.is_integration and not getattr(view, "integrations_allowed", False):
            raise exceptions.PermissionDenied(
                _("An integration's token cannot use this resource: it belongs to a person's token."),
                code="token_integrasi",
            )
        scope = getattr(view, "required_scope", None)
        if scope is not None and scope not in token.scopes:
            raise exceptions.PermissionDenied(
                _("The token lacks the scope %(scope)s.") % {"scope": scope}, code="scope_missing"
            )
        return True


def is_integration(request) -> bool:
    return isinstance(request.auth, ApiToken) and request.auth.is_integration


def admin_scope(request) -> set[int]:
    """The governments whose data the caller reads as an admin: an integration's own, else the
    ones the user administers (empty for everyone else)."""
    if is_integration(request):
        return {request.auth.instansi_id}
    return admin_instansi_ids(request.user)
