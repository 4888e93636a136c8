"""The database itself refuses to change an issued petition notice.

SQLite: a BEFORE UPDATE trigger. PostgreSQL: BEFORE UPDATE and BEFORE DELETE row triggers (a
TRUNCATE, as the test runner's flush uses, is a statement, not a row change, so tests still reset).
SQLite has no DELETE trigger here because its test flush deletes rows one table at a time; the
model and queryset refuse deletes on every database.
"""

from django.db import migrations

SQLITE = [
    """
    CREATE TRIGGER petitions_notice_immutable BEFORE UPDATE ON petitions_petitionnotice
    BEGIN SELECT RAISE(ABORT, 'issued notices are immutable'); END;
    """,
]
SQLITE_REVERSE = ["DROP TRIGGER IF EXISTS petitions_notice_immutable;"]

POSTGRES = [
    """
    CREATE OR REPLACE FUNCTION petitions_notice_refuse_change() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION 'issued notices are immutable' USING ERRCODE = 'integrity_constraint_violation';
    END;
    $$ LANGUAGE plpgsql;
    """,
    """
    CREATE TRIGGER petitions_notice_immutable BEFORE UPDATE OR DELETE ON petitions_petitionnotice
    FOR EACH ROW EXECUTE FUNCTION petitions_notice_refuse_change();
    """,
]
POSTGRES_REVERSE = [
    "DROP TRIGGER IF EXISTS petitions_notice_immutable ON petitions_petitionnotice;",
    "DROP FUNCTION IF EXISTS petitions_notice_refuse_change();",
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
    dependencies = [("petitions", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
