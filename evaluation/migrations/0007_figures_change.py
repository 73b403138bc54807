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


# PostgreSQL: what the row concerns is looked up once per change (for a result row, its record's
# year and project in one read), then the clock ticked and the tick noted.
ROW_OF_TABLE = {
    "projects_actiongoal": "SELECT {row}.fiscal_year, {row}.project_id",
    "evaluation_projectrecord": "SELECT {row}.fiscal_year, {row}.project_id",
    "evaluation_indicatorresult": "SELECT fiscal_year, project_id FROM evaluation_projectrecord WHERE id = {row}.record_id",
    "evaluation_actionresult": "SELECT fiscal_year, project_id FROM evaluation_projectrecord WHERE id = {row}.record_id",
}


def _postgresql_function(table: str, *, noted: bool) -> str:
    if not noted:  # migration 0006's function, as it was
        return clock._postgresql(table)[0].replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1)
    old, new = (ROW_OF_TABLE[table].format(row=row) for row in ("OLD", "NEW"))
    return f"""CREATE OR REPLACE FUNCTION figures_tick_{table}() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE
          old_year integer; old_project bigint; new_year integer; new_project bigint;
          changed_year integer; changed_project bigint; ticked bigint;
        BEGIN
          IF TG_OP <> 'INSERT' THEN {old} INTO old_year, old_project; END IF;
          IF TG_OP <> 'DELETE' THEN {new} INTO new_year, new_project; END IF;
          old_year := COALESCE(old_year, 0); new_year := COALESCE(new_year, 0);
          IF TG_OP = 'INSERT' THEN
            changed_year := new_year; changed_project := new_project;
          ELSIF TG_OP = 'DELETE' THEN
            changed_year := old_year; changed_project := old_project;
          ELSE
            -- The earlier of the two years stales both; a row moved to another project is noted for neither.
            changed_year := LEAST(old_year, new_year);
            changed_project := CASE WHEN old_project = new_project THEN new_project END;
          END IF;
          INSERT INTO {clock.CLOCK} (fiscal_year, tick) VALUES (changed_year, 1)
            ON CONFLICT (fiscal_year) DO UPDATE SET tick = {clock.CLOCK}.tick + 1
            RETURNING tick INTO ticked;
          IF changed_year <> 0 AND changed_project IS NOT NULL THEN
            INSERT INTO {CHANGES} (fiscal_year, tick, project_id) VALUES (changed_year, ticked, changed_project);
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
            field=models.TextField(verbose_name="入力データの版"),
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
