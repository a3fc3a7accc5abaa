"""The full-text index over the search entries' words, one per database engine.

PostgreSQL: a stored `tsvector` column, `vector`, generated from the words with the
'simple' configuration (they are already folded, and no language's stemming applies),
with a GIN index; ranking reads the stored vector instead of parsing every hit again.
SQLite: an FTS5 table over the same column (external
content, so the words are stored once), kept in step by triggers, so that every insert,
update and delete of an entry, a test database's flush included, reaches it.
The SQL is frozen here as it stood when this migration was written.
"""

from django.db import migrations

STATEMENTS = {
    "postgresql": (
        [
            """ALTER TABLE records_searchentry ADD COLUMN vector tsvector
            GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, document)) STORED""",
            "CREATE INDEX records_searchentry_vector_gin ON records_searchentry USING gin (vector)",
        ],
        [
            "DROP INDEX IF EXISTS records_searchentry_vector_gin",
            "ALTER TABLE records_searchentry DROP COLUMN IF EXISTS vector",
        ],
    ),
    "sqlite": (
        [
            """CREATE VIRTUAL TABLE records_searchentry_fts USING fts5(
            document, content='records_searchentry', content_rowid='id',
            tokenize='unicode61 remove_diacritics 2')""",
            """CREATE TRIGGER records_searchentry_fts_insert AFTER INSERT ON records_searchentry
            BEGIN
              INSERT INTO records_searchentry_fts(rowid, document) VALUES (new.id, new.document);
            END""",
            """CREATE TRIGGER records_searchentry_fts_delete AFTER DELETE ON records_searchentry
            BEGIN
              INSERT INTO records_searchentry_fts(records_searchentry_fts, rowid, document)
              VALUES ('delete', old.id, old.document);
            END""",
            """CREATE TRIGGER records_searchentry_fts_update AFTER UPDATE ON records_searchentry
            BEGIN
              INSERT INTO records_searchentry_fts(records_searchentry_fts, rowid, document)
              VALUES ('delete', old.id, old.document);
              INSERT INTO records_searchentry_fts(rowid, document) VALUES (new.id, new.document);
            END""",
            # Entries written before the table existed.
            "INSERT INTO records_searchentry_fts(records_searchentry_fts) VALUES ('rebuild')",
        ],
        [
            "DROP TRIGGER IF EXISTS records_searchentry_fts_update",
            "DROP TRIGGER IF EXISTS records_searchentry_fts_delete",
            "DROP TRIGGER IF EXISTS records_searchentry_fts_insert",
            "DROP TABLE IF EXISTS records_searchentry_fts",
        ],
    ),
}


def _run(index: int):
    def run(apps, schema_editor):
        for statement in STATEMENTS.get(schema_editor.connection.vendor, ([], []))[index]:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("records", "0001_search_entry")]

    operations = [migrations.RunPython(_run(0), _run(1))]
