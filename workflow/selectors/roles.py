"""Reads for the roles a government admin hands out: whose roles they may manage."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from ..models import Pegawai
from .org import admin_instansi_ids

# The rules editors' group, created by rules' migration 0002 with the one permission the editor
# needs (rules.manage_rules). Holding it needs neither staff status nor any other right.
RULE_ADMIN_GROUP = "Admin Aturan"


def users_of_my_governments(*, by) -> QuerySet:
    """Active users who belong to a government ``by`` administers: its employees and its admins."""
    ids = admin_instansi_ids(by)
    return (
        get_user_model()
        .objects.filter(Q(pegawai__instansi_id__in=ids) | Q(peran_admin__instansi_id__in=ids), is_active=True)
        .distinct()
    )


def rule_admins_for(*, by) -> list:
    """The rule admins among the users of ``by``'s governments, with their employee record if any."""
    users = list(users_of_my_governments(by=by).filter(groups__name=RULE_ADMIN_GROUP).order_by("username"))
    people = {p.user_id: p for p in Pegawai.objects.filter(user__in=users).select_related("jabatan", "instansi")}
    return [(user, people.get(user.pk)) for user in users]


def user_to_manage(*, by, identifier: str):
    """The user of ``by``'s governments named by NIP or username, or None — never someone of
    another government."""
    identifier = (identifier or "").strip()
    if not identifier:
        return None
    return users_of_my_governments(by=by).filter(Q(username=identifier) | Q(pegawai__nip=identifier)).first()


def user_to_revoke(*, by, pk: str):
    """The user of ``by``'s governments with id ``pk`` (as posted: may be junk), or None."""
    if not str(pk).isdigit() or len(str(pk)) > 18:
        return None
    return users_of_my_governments(by=by).filter(pk=int(pk)).first()


def instansi_of_user(*, user, by) -> int | None:
    """The government of ``user`` among those ``by`` administers (for the audit event)."""
    ids = admin_instansi_ids(by)
    pegawai = Pegawai.objects.filter(user=user, instansi_id__in=ids).values_list("instansi_id", flat=True).first()
    if pegawai is not None:
        return pegawai
    return user.peran_admin.filter(instansi_id__in=ids).values_list("instansi_id", flat=True).first()
