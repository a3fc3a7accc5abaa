"""Triggers that refuse UPDATE, DELETE and TRUNCATE on the audit table.

The SQL is frozen here as it stood when this migration was written, so the migration
means the same thing forever; entente.audit.triggers keeps the live copy the tests use
to reinstall the triggers after a flush.
"""

from django.db import migrations

STATEMENTS = {
    "sqlite": (
        [
            """CREATE TRIGGER IF NOT EXISTS audit_auditevent_no_update
            BEFORE UPDATE ON audit_auditevent
            BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END""",
            """CREATE TRIGGER IF NOT EXISTS audit_auditevent_no_delete
            BEFORE DELETE ON audit_auditevent
            BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END""",
        ],
        [
            "DROP TRIGGER IF EXISTS audit_auditevent_no_update",
            "DROP TRIGGER IF EXISTS audit_auditevent_no_delete",
        ],
    ),
    "postgresql": (
        [
            """CREATE OR REPLACE FUNCTION audit_auditevent_append_only() RETURNS trigger AS $$
            BEGIN RAISE EXCEPTION 'audit events are append-only' USING ERRCODE = 'restrict_violation';
            END; $$ LANGUAGE plpgsql""",
            """CREATE OR REPLACE TRIGGER audit_auditevent_no_change
            BEFORE UPDATE OR DELETE ON audit_auditevent
            FOR EACH ROW EXECUTE FUNCTION audit_auditevent_append_only()""",
            """CREATE OR REPLACE TRIGGER audit_auditevent_no_truncate
            BEFORE TRUNCATE ON audit_auditevent
            FOR EACH STATEMENT EXECUTE FUNCTION audit_auditevent_append_only()""",
        ],
        [
            "DROP TRIGGER IF EXISTS audit_auditevent_no_truncate ON audit_auditevent",
            "DROP TRIGGER IF EXISTS audit_auditevent_no_change ON audit_auditevent",
        ],
    ),
}


def _execute(schema_editor, which):
    statements = STATEMENTS.get(schema_editor.connection.vendor, ([], []))[which]
    with schema_editor.connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def install(apps, schema_editor):
    _execute(schema_editor, 0)


def remove(apps, schema_editor):
    _execute(schema_editor, 1)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(install, remove)]
