"""Link each project record to its fiscal year (評価年度) instead of looking it up by (plan, year)."""

import django.db.models.deletion
from django.db import migrations, models


def link_cycles(apps, schema_editor):
    FiscalYear = apps.get_model("evaluation", "FiscalYear")
    ProjectRecord = apps.get_model("evaluation", "ProjectRecord")
    cycles = {(c.plan_id, c.year): c.pk for c in FiscalYear.objects.all()}
    for record in ProjectRecord.objects.select_related("project"):
        key = (record.project.plan_id, record.fiscal_year)
        if key not in cycles:
            cycles[key] = FiscalYear.objects.create(plan_id=key[0], year=key[1]).pk
        ProjectRecord.objects.filter(pk=record.pk).update(cycle_id=cycles[key])


class Migration(migrations.Migration):
    dependencies = [
        ("evaluation", "0003_actual_not_entered"),
    ]

    operations = [
        migrations.AddField(
            model_name="projectrecord",
            name="cycle",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="records",
                to="evaluation.fiscalyear",
                verbose_name="評価年度",
            ),
        ),
        migrations.RunPython(link_cycles, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="projectrecord",
            name="cycle",
            field=models.ForeignKey(
                help_text="この評価が属する計画の年度。受付・審査・確定の状態はここから読みます。",
                on_delete=django.db.models.deletion.PROTECT,
                related_name="records",
                to="evaluation.fiscalyear",
                verbose_name="評価年度",
            ),
        ),
        migrations.AddField(
            model_name="historicalprojectrecord",
            name="cycle",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                help_text="この評価が属する計画の年度。受付・審査・確定の状態はここから読みます。",
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="evaluation.fiscalyear",
                verbose_name="評価年度",
            ),
        ),
    ]
