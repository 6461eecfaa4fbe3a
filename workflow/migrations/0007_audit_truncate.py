"""PostgreSQL refuses TRUNCATE of the audit events too (0003 refuses UPDATE and DELETE row by row;
TRUNCATE fires no row triggers, only statement-level ones)."""

from django.db import migrations

NO_TRUNCATE_SQL = [
    """CREATE OR REPLACE FUNCTION workflow_auditevent_no_truncate() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit events are append-only: TRUNCATE of % refused', TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql""",
    "DROP TRIGGER IF EXISTS workflow_auditevent_no_truncate ON workflow_auditevent",
    """CREATE TRIGGER workflow_auditevent_no_truncate BEFORE TRUNCATE ON workflow_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION workflow_auditevent_no_truncate()""",
]
DROP_SQL = [
    "DROP TRIGGER IF EXISTS workflow_auditevent_no_truncate ON workflow_auditevent",
    "DROP FUNCTION IF EXISTS workflow_auditevent_no_truncate()",
]


def _run(schema_editor, statements):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def no_truncate_trigger(apps, schema_editor):
    _run(schema_editor, NO_TRUNCATE_SQL)


def drop_no_truncate_trigger(apps, schema_editor):
    _run(schema_editor, DROP_SQL)


class Migration(migrations.Migration):

    dependencies = [
        ("workflow", "0006_protected_uploads"),
    ]

    operations = [
        migrations.RunPython(no_truncate_trigger, drop_no_truncate_trigger),
    ]
