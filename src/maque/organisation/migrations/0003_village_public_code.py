import secrets

from django.db import migrations, models

import maque.organisation.models


def fill_codes(apps, schema_editor):  # noqa: ANN001, ANN201
    for model_name in ("Village", "HistoricalVillage"):
        model = apps.get_model("organisation", model_name)
        if model_name == "Village":
            for village in model.objects.filter(public_code__isnull=True).only("pk"):
                model.objects.filter(pk=village.pk).update(public_code=secrets.token_urlsafe(12))
        else:
            codes = dict(
                apps.get_model("organisation", "Village").objects.values_list("pk", "public_code")
            )
            for row in model.objects.filter(public_code__isnull=True).only("history_id", "id"):
                model.objects.filter(pk=row.pk).update(public_code=codes.get(row.id, ""))


class Migration(migrations.Migration):
    dependencies = [("organisation", "0002_plot_relapses")]

    operations = [
        migrations.AddField(
            model_name="village",
            name="public_code",
            field=models.CharField(max_length=24, null=True, verbose_name="public page code"),
        ),
        migrations.AddField(
            model_name="historicalvillage",
            name="public_code",
            field=models.CharField(max_length=24, null=True, verbose_name="public page code"),
        ),
        migrations.RunPython(fill_codes, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="village",
            name="public_code",
            field=models.CharField(
                default=maque.organisation.models.new_public_code,
                max_length=24,
                unique=True,
                verbose_name="public page code",
            ),
        ),
        migrations.AlterField(
            model_name="historicalvillage",
            name="public_code",
            field=models.CharField(
                db_index=True,
                default=maque.organisation.models.new_public_code,
                max_length=24,
                verbose_name="public page code",
            ),
        ),
    ]
