"""The database itself refuses to change an issued bulletin.

SQLite: a BEFORE UPDATE trigger. PostgreSQL: BEFORE UPDATE and BEFORE DELETE row triggers (a
TRUNCATE, as the test runner's flush uses, is a statement, not a row change, so tests still reset).
SQLite has no DELETE trigger here because its test flush deletes rows one table at a time; the
model and queryset refuse deletes on every database.
"""

from django.db import migrations

SQLITE = [
    """
    CREATE TRIGGER bulletins_bulletin_immutable BEFORE UPDATE ON bulletins_bulletin
    BEGIN SELECT RAISE(ABORT, 'issued bulletins are immutable'); END;
    """,
]
SQLITE_REVERSE = ["DROP TRIGGER IF EXISTS bulletins_bulletin_immutable;"]

POSTGRES = [
    """
    CREATE OR REPLACE FUNCTION bulletins_bulletin_refuse_change() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION 'issued bulletins are immutable' USING ERRCODE = 'integrity_constraint_violation';
    END;
    $$ LANGUAGE plpgsql;
    """,
    """
    CREATE TRIGGER bulletins_bulletin_immutable BEFORE UPDATE OR DELETE ON bulletins_bulletin
    FOR EACH ROW EXECUTE FUNCTION bulletins_bulletin_refuse_change();
    """,
]
POSTGRES_REVERSE = [
    "DROP TRIGGER IF EXISTS bulletins_bulletin_immutable ON bulletins_bulletin;",
    "DROP FUNCTION IF EXISTS bulletins_bulletin_refuse_change();",
]


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = {"sqlite": SQLITE, "postgresql": POSTGRES}.get(vendor, [])
    for statement in statements:
        schema_editor.execute(statement)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = {"sqlite": SQLITE_REVERSE, "postgresql": POSTGRES_REVERSE}.get(vendor, [])
    for statement in statements:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("bulletins", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
