"""The "Admin Aturan" group: users allowed to edit, test and publish scoring rules."""

from django.db import migrations

GROUP = "Admin Aturan"


def create_group(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    # Permissions are created after migrate; make this one now so the group can hold it.
    ct, _ = ContentType.objects.get_or_create(app_label="rules", model="ruleset")
    perm, _ = Permission.objects.get_or_create(
        content_type=ct, codename="manage_rules", defaults={"name": "Can edit, test and publish scoring rules"}
    )
    group, _ = Group.objects.get_or_create(name=GROUP)
    group.permissions.add(perm)


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("rules", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_group, remove_group)]
