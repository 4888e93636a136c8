import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0002_initial"),
        ("organisation", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    # The four keys lose their single-column index: each leads a composite index already. Done as
    # plain DROP INDEX (names as Django gave them, the same on every backend) rather than the
    # table rebuild SQLite would otherwise do for an altered foreign key.
    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="item",
                    name="category",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="items",
                        to="ledger.category",
                        verbose_name="category",
                    ),
                ),
                migrations.AlterField(
                    model_name="item",
                    name="owner",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="owned_items",
                        to="organisation.person",
                        verbose_name="owner",
                    ),
                ),
                migrations.AlterField(
                    model_name="item",
                    name="town",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="items",
                        to="organisation.town",
                        verbose_name="town",
                    ),
                ),
                migrations.AlterField(
                    model_name="item",
                    name="village",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="items",
                        to="organisation.village",
                        verbose_name="village",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{name}"',
                    f'CREATE INDEX "{name}" ON "ledger_item" ("{column}")',
                )
                for name, column in (
                    ("ledger_item_category_id_d3e39073", "category_id"),
                    ("ledger_item_owner_id_aa06bdd9", "owner_id"),
                    ("ledger_item_town_id_eda6a73f", "town_id"),
                    ("ledger_item_village_id_0c7aba54", "village_id"),
                )
            ],
        ),
        # Before the new indexes: on SQLite adding a constraint rebuilds the table.
        migrations.AddConstraint(
            model_name="item",
            constraint=models.CheckConstraint(
                condition=models.Q(models.Q(("closed_at__isnull", False), ("state", "closed")))
                | models.Q(
                    models.Q(("state", "closed"), _negated=True), ("closed_at__isnull", True)
                ),
                name="item_closed_at_iff_closed",
            ),
        ),
        migrations.AddIndex(
            model_name="item",
            index=models.Index(
                fields=[
                    "town",
                    "state",
                    "campaign",
                    "village",
                    "owner",
                    "deadline",
                    "last_progress_at",
                    "created_at",
                ],
                name="item_town_figures",
            ),
        ),
        migrations.AddIndex(
            model_name="item",
            index=models.Index(
                fields=["town", "created_at", "state", "campaign", "village"],
                name="item_town_created",
            ),
        ),
        migrations.AddIndex(
            model_name="item",
            index=models.Index(fields=["town", "closed_at"], name="item_town_closed"),
        ),
        migrations.AddIndex(
            model_name="transition",
            index=models.Index(
                fields=["action", "created_at", "item"], name="transition_action_time"
            ),
        ),
    ]
