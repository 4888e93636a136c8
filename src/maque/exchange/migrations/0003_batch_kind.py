from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("exchange", "0002_batch_rows"),
    ]

    operations = [
        migrations.AddField(
            model_name="historicalimportbatch",
            name="kind",
            field=models.CharField(default="ledger", max_length=12, verbose_name="kind of sheet"),
        ),
        migrations.AddField(
            model_name="importbatch",
            name="kind",
            field=models.CharField(default="ledger", max_length=12, verbose_name="kind of sheet"),
        ),
    ]
