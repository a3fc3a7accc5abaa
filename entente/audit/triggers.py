"""Database triggers that refuse UPDATE, DELETE and TRUNCATE on the audit table.

Migration audit 0002 installs a frozen copy of these statements; tests that must empty
the database between runs (live-server tests) remove and reinstall them around the
flush with this live copy, which must stay what the migrations install.
"""

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


def install(connection) -> None:
    _execute(connection, STATEMENTS.get(connection.vendor, ([], []))[0])


def remove(connection) -> None:
    _execute(connection, STATEMENTS.get(connection.vendor, ([], []))[1])


def _execute(connection, statements) -> None:
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
