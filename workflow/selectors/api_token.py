"""Reads of API tokens: the token a request presents, and the tokens an admin may see."""

from __future__ import annotations

import hmac

from django.db.models import Q, QuerySet

from ..models import ApiToken
from .org import admin_instansi_ids


def token_for(*, prefix: str, hashed: str) -> ApiToken | None:
    """The token with ``prefix`` whose secret hashes to ``hashed`` (compared in constant time),
    valid or not (the caller says why it is refused)."""
    token = ApiToken.objects.select_related("user", "instansi").filter(prefix=prefix).first()
    if token is None or not hmac.compare_digest(token.hash, hashed):
        return None
    return token


def tokens_visible_to(user) -> QuerySet[ApiToken]:
    """An admin's governments' tokens, and one's own."""
    if not user.is_authenticated:
        return ApiToken.objects.none()
    return ApiToken.objects.filter(Q(instansi_id__in=admin_instansi_ids(user)) | Q(user=user)).select_related(
        "user", "instansi"
    )


def tokens_administered_by(user) -> QuerySet[ApiToken]:
    """The tokens of the governments ``user`` administers, newest first, with what a row shows."""
    return (
        ApiToken.objects.filter(instansi_id__in=admin_instansi_ids(user))
        .select_related("user", "instansi", "dibuat_oleh")
        .order_by("-dibuat", "-pk")
    )
