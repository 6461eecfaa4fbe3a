"""Issuing and revoking tokens of the REST API. The secret is returned once, by ``api_token_issue``;
the database keeps its SHA-256 only, so a stolen backup reveals no token."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import ApiScope, ApiToken, AuditAction, Instansi
from ..selectors.org import admin_instansi_ids, pegawai_of
from .audit import audit_record

TOKEN_PREFIX = "knj_"  # noqa: S105 - the tokens' visible marker, not a secret


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def split_token(raw: str) -> tuple[str, str] | None:
    """``knj_<prefix>_<secret>`` → (prefix, whole token), None when it is not of that shape."""
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
        return None
    prefix, _sep, secret = raw[len(TOKEN_PREFIX) :].partition("_")
    if len(prefix) != 8 or not secret:
        return None
    return prefix, raw


def api_token_label(token: ApiToken) -> str:
    """How the audit trail names a token that acted: its visible prefix and its name."""
    return f"token API {TOKEN_PREFIX}{token.prefix}: {token.nama}"


def _state(token: ApiToken) -> dict:
    return {
        "nama": token.nama,
        "prefix": token.prefix,
        "user": token.user_id,
        "scopes": token.scopes,
        "kedaluwarsa": token.kedaluwarsa,
        "dicabut": token.dicabut,
    }


def _check_scopes(scopes) -> list[str]:
    scopes = list(dict.fromkeys(scopes or []))
    unknown = [s for s in scopes if s not in ApiScope.values]
    if not scopes or unknown:
        raise ValidationError(
            _("Choose one or more scopes among: %(scopes)s.") % {"scopes": ", ".join(ApiScope.values)}, code="scopes"
        )
    return scopes


@transaction.atomic
def api_token_issue(
    *,
    by,
    instansi: Instansi,
    scopes,
    nama: str = "",
    user=None,
    days: int | None = None,
) -> tuple[ApiToken, str]:
    """A new token of ``instansi`` for ``user`` (acting as them) or, without a user, for the named
    integration ``nama``. ``by`` must administer ``instansi`` (None: a command, the system).
    Returns the row and the secret, which is never shown again."""
    if by is not None and instansi.pk not in admin_instansi_ids(by):
        raise PermissionDenied
    scopes = _check_scopes(scopes)
    nama = (nama or "").strip()[:200]
    if user is not None:
        pegawai = pegawai_of(user)
        in_instansi = (pegawai is not None and pegawai.instansi_id == instansi.pk) or instansi.pk in admin_instansi_ids(
            user
        )
        if not in_instansi:
            raise ValidationError(_("This user does not belong to that government."), code="user")
        nama = nama or user.get_username()
    elif ApiScope.ACT_TASKS in scopes:
        raise ValidationError(_("Only a person's token may act on tasks."), code="scopes")
    elif not nama:
        raise ValidationError(_("An integration token needs a name."), code="nama")
    elif ApiToken.objects.filter(instansi=instansi, user__isnull=True, nama=nama, dicabut__isnull=True).exists():
        raise ValidationError(_("An integration of this name already has a token: revoke it first."), code="nama")
    days = settings.KINERJA_API_TOKEN_DAYS if days is None else days
    if not 1 <= days <= 3660:
        raise ValidationError(_("A token lasts between 1 and 3660 days."), code="days")
    prefix = secrets.token_hex(4)
    raw = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(
        prefix=prefix,
        hash=hash_secret(raw),
        nama=nama,
        user=user,
        instansi=instansi,
        scopes=scopes,
        kedaluwarsa=timezone.now() + dt.timedelta(days=days),
        dibuat_oleh=by,
    )
    audit_record(action=AuditAction.API_TOKEN_ISSUED, obj=token, by=by, after=_state(token), instansi_id=instansi.pk)
    return token, raw


@transaction.atomic
def api_token_revoke(*, token: ApiToken, by) -> ApiToken:
    """Revoke ``token`` now (idempotent). ``by`` must administer its government, or own it."""
    if by is not None and token.instansi_id not in admin_instansi_ids(by) and token.user_id != by.pk:
        raise PermissionDenied
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.dicabut is not None:
        return token
    before = _state(token)
    token.dicabut = timezone.now()
    token.save(update_fields=["dicabut"])
    audit_record(
        action=AuditAction.API_TOKEN_REVOKED,
        obj=token,
        by=by,
        before=before,
        after=_state(token),
        instansi_id=token.instansi_id,
    )
    return token


def api_token_touch(token: ApiToken, *, every: dt.timedelta = dt.timedelta(minutes=1)) -> None:
    """Note the token's use (at most once a minute: a busy integration does not write on every
    request; no history row, the field is left out of it)."""
    now = timezone.now()
    if token.terakhir_dipakai is None or now - token.terakhir_dipakai > every:
        ApiToken.objects.filter(pk=token.pk).update(terakhir_dipakai=now)
        token.terakhir_dipakai = now
