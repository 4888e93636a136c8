"""The topic board's indexes: a town's or a village's topics newest first, read in order."""

from typing import Any

from django.db import migrations, models


def refresh_statistics(apps: Any, schema_editor: Any) -> None:
    """On SQLite with statistics already gathered (`ANALYZE`), gather the topics' again: the
    planner would otherwise know the old indexes' sizes but guess the new ones', and read the
    counts by state through the board's index instead of the covering one. Without any
    statistics there is nothing to bring up to date."""
    connection = schema_editor.connection
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat1'")
        if cursor.fetchone():
            cursor.execute("ANALYZE deliberation_topic")


class Migration(migrations.Migration):
    dependencies = [
        ("deliberation", "0002_agenda_resolution"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="topic",
            index=models.Index(fields=["town", "created_at"], name="topic_town_time"),
        ),
        migrations.AddIndex(
            model_name="topic",
            index=models.Index(fields=["village", "created_at"], name="topic_village_time"),
        ),
        migrations.RunPython(refresh_statistics, migrations.RunPython.noop, elidable=True),
    ]
