"""Roles: the government admin group and its permissions; the rule-admin role a government admin
grants to people of their own government."""

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ..models import AuditAction
from ..selectors.roles import RULE_ADMIN_GROUP, instansi_of_user, users_of_my_governments
from .audit import audit_record

__all__ = [
    "ADMIN_GROUP",
    "RULE_ADMIN_GROUP",
    "RoleError",
    "ensure_admin_group",
    "rule_admin_grant",
    "rule_admin_revoke",
]

ADMIN_GROUP = "Admin BKD"
# Models a government admin manages in the Django admin (always scoped to their own instansi).
ADMIN_MODELS = [
    "unit",
    "jabatan",
    "pegawai",
    "penugasanplt",
    "periode",
    "jendelareview",
    "instansi",
    "capaianorganisasi",
    "delegasi",
    "harilibur",
    "keadaanpegawai",
    "apitoken",  # the admin page only lists and revokes (workflow/admin/api_token.py)
]


def ensure_admin_group() -> Group:
    """The group holding what a government admin (BKD/BKPSDM) may do. Idempotent."""
    group, _ = Group.objects.get_or_create(name=ADMIN_GROUP)
    perms = Permission.objects.filter(content_type__app_label="workflow", content_type__model__in=ADMIN_MODELS)
    # An admin edits their own government but never creates or deletes governments.
    wanted = {
        p.pk for p in perms if not (p.content_type.model == "instansi" and p.codename.startswith(("add", "delete")))
    }
    # Taking queued appraisal tasks (always limited to the admin's own government by the views).
    wanted |= set(
        Permission.objects.filter(content_type__app_label="workflow", codename="manage_appraisal").values_list(
            "pk", flat=True
        )
    )
    if set(group.permissions.values_list("pk", flat=True)) != wanted:
        group.permissions.set(wanted)
    return group


class RoleError(ValidationError):
    """A role change that is not allowed, with a message for the page."""


def _rule_admin_change(*, user, by, grant: bool) -> bool:
    if not users_of_my_governments(by=by).filter(pk=user.pk).exists():
        raise RoleError(_("No user with that NIP or username in your government."))
    if user.is_superuser:
        raise RoleError(_("A superuser already holds every right."))
    group = Group.objects.get(name=RULE_ADMIN_GROUP)
    holds = user.groups.filter(pk=group.pk).exists()
    if holds == grant:
        return False
    if grant:
        user.groups.add(group)
    else:
        user.groups.remove(group)
    role = {"role": RULE_ADMIN_GROUP}
    audit_record(
        action=AuditAction.ROLE_GRANTED if grant else AuditAction.ROLE_REVOKED,
        obj=user,
        by=by,
        before={} if grant else role,
        after=role if grant else {},
        instansi_id=instansi_of_user(user=user, by=by),
    )
    return True


@transaction.atomic
def rule_admin_grant(*, user, by) -> bool:
    """Make ``user`` (of one of ``by``'s governments) a rule admin; False if they already are."""
    return _rule_admin_change(user=user, by=by, grant=True)


@transaction.atomic
def rule_admin_revoke(*, user, by) -> bool:
    """Take the rule-admin role from ``user`` (of one of ``by``'s governments); False if they had none."""
    return _rule_admin_change(user=user, by=by, grant=False)
