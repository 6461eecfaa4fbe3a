"""Roles: the government admin group and its permissions."""

from django.contrib.auth.models import Group, Permission

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
