"""The figures clock's changes by project: the triggers of the tables whose rows belong to one project
and one year (a record, its results, the year's action goals) also note that project beside each tick,
so a worker holding a year's figures computes again only the projects changed since. See
`evaluation.models.FiguresChange` and `evaluation.rollups.stored`.

Built on migration 0006's triggers (its tables, years and tick statement), frozen as they are there."""

import importlib

from django.db import migrations, models

clock = importlib.import_module("evaluation.migrations.0006_figures_clock")

CHANGES = "evaluation_figureschange"
RECORD_PROJECT = "(SELECT project_id FROM evaluation_projectrecord WHERE id = {row}.record_id)"
# The project a row of the table belongs to, `{row}` being NEW or OLD.
PROJECTS = {
    "projects_actiongoal": "{row}.project_id",
    "evaluation_projectrecord": "{row}.project_id",
    "evaluation_indicatorresult": RECORD_PROJECT,
    "evaluation_actionresult": RECORD_PROJECT,
}


def _noted(table: str) -> dict[str, str]:
    """Per event, the statement noting the tick's project. An update that moved a row to another
    project (which the portal never does) is noted for neither, so its tick asks for a full roll-up."""
    years = clock._changed_year(table)
    old, new = (PROJECTS[table].format(row=row) for row in ("OLD", "NEW"))
    projects = {"INSERT": (new, "TRUE"), "DELETE": (old, "TRUE"), "UPDATE": (new, f"{old} = {new}")}
    return {
        event: (
            f"INSERT INTO {CHANGES} (fiscal_year, tick, project_id) "
            f"SELECT fiscal_year, tick, {project} FROM {clock.CLOCK} "
            f"WHERE fiscal_year = {years[event]} AND fiscal_year <> 0 AND {project} IS NOT NULL AND {same}"
        )
        for event, (project, same) in projects.items()
    }


def _postgresql_function(table: str, *, noted: bool) -> str:
    years, notes = clock._changed_year(table), _noted(table)

    def body(event: str) -> str:
        return clock._tick(years[event]) + (f"; {notes[event]}" if noted else "")

    return f"""CREATE OR REPLACE FUNCTION figures_tick_{table}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF TG_OP = 'INSERT' THEN {body("INSERT")};
          ELSIF TG_OP = 'UPDATE' THEN {body("UPDATE")};
          ELSE {body("DELETE")};
          END IF;
          RETURN NULL;
        END $$"""


def _sqlite_triggers(table: str, *, noted: bool) -> list[str]:
    years, notes = clock._changed_year(table), _noted(table)
    drops = [f"DROP TRIGGER figures_tick_{table}_{event.lower()}" for event in years]
    creates = [
        f"CREATE TRIGGER figures_tick_{table}_{event.lower()} AFTER {event} ON {table} BEGIN "
        + clock._tick(year.replace("LEAST(", "MIN("))
        + (f"; {notes[event].replace('LEAST(', 'MIN(')}" if noted else "")
        + "; END"
        for event, year in years.items()
    ]
    return drops + creates


def _triggers(schema_editor, *, noted: bool) -> None:
    for table in PROJECTS:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(_postgresql_function(table, noted=noted))
        else:
            for sql in _sqlite_triggers(table, noted=noted):
                schema_editor.execute(sql)


def triggers_note(apps, schema_editor):
    _triggers(schema_editor, noted=True)


def triggers_tick_only(apps, schema_editor):
    _triggers(schema_editor, noted=False)


class Migration(migrations.Migration):
    dependencies = [
        ("evaluation", "0006_figures_clock"),
    ]

    operations = [
        migrations.AlterField(
            model_name="yearfigures",
            name="version",
            field=models.CharField(max_length=255, verbose_name="入力データの版"),
        ),
        migrations.CreateModel(
            name="FiguresChange",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("fiscal_year", models.PositiveSmallIntegerField(verbose_name="年度")),
                ("tick", models.BigIntegerField(verbose_name="変更回数")),
                ("project_id", models.BigIntegerField(verbose_name="事業のID")),
            ],
            options={
                "verbose_name": "年度数値の入力の変更の記録",
                "verbose_name_plural": "年度数値の入力の変更の記録",
                "indexes": [models.Index(fields=["fiscal_year", "tick"], name="figures_change_year_tick")],
            },
        ),
        migrations.RunPython(triggers_note, triggers_tick_only),
    ]
