"""The figures clock: a counter per fiscal year that database triggers move on every change of the
roll-up's inputs, in the same transaction as the change, whatever made it (a form, an import, a
bulk write, a restore, raw SQL). See `evaluation.rollups.stored`.

The tables and the fiscal year each row's change concerns are written out here, frozen with this
migration; `tests/evaluation/test_stored_figures.py` checks that every input model's table has its
triggers, so a new input needs a new migration."""

from django.db import migrations, models

CLOCK = "evaluation_figuresclock"
# The fiscal year a row of the table concerns, `{row}` being NEW or OLD; None: every year (0).
RECORD_YEAR = "(SELECT fiscal_year FROM evaluation_projectrecord WHERE id = {row}.record_id)"
INPUTS = {
    "strategy_plan": None,
    "strategy_basicgoal": None,
    "strategy_department": None,
    "evaluation_gradescale": None,
    "evaluation_grade": None,
    "measures_measure": None,
    "measures_initiative": None,
    "measures_measureindicator": None,
    "measures_measureindicatortarget": None,  # every year's targets shape every year's figures
    "evaluation_measureindicatorresult": "{row}.fiscal_year",
    "evaluation_measureevaluation": "{row}.fiscal_year",
    "projects_project": None,
    "projects_projectassignment": None,
    "projects_actiongoal": "{row}.fiscal_year",
    "projects_outcomeindicator": None,
    "projects_outcomeindicatortarget": None,
    "evaluation_projectrecord": "{row}.fiscal_year",
    "evaluation_indicatorresult": RECORD_YEAR,
    "evaluation_actionresult": RECORD_YEAR,
}


def _year(table: str, row: str) -> str:
    expression = INPUTS[table]
    return "0" if expression is None else f"COALESCE({expression.format(row=row)}, 0)"


def _changed_year(table: str) -> dict[str, str]:
    """The year to tick per event. A year's figures read the inputs of every year up to it, so an
    update ticks the earlier of its old and new years, which stales both."""
    old, new = _year(table, "OLD"), _year(table, "NEW")
    return {"INSERT": new, "DELETE": old, "UPDATE": old if old == new else f"LEAST({old}, {new})"}


def _tick(year: str) -> str:
    return (
        f"INSERT INTO {CLOCK} (fiscal_year, tick) VALUES ({year}, 1) "
        f"ON CONFLICT (fiscal_year) DO UPDATE SET tick = {CLOCK}.tick + 1"
    )


def _postgresql(table: str) -> list[str]:
    years = _changed_year(table)
    return [
        f"""CREATE FUNCTION figures_tick_{table}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF TG_OP = 'INSERT' THEN {_tick(years["INSERT"])};
          ELSIF TG_OP = 'UPDATE' THEN {_tick(years["UPDATE"])};
          ELSE {_tick(years["DELETE"])};
          END IF;
          RETURN NULL;
        END $$""",
        f"CREATE TRIGGER figures_tick AFTER INSERT OR UPDATE OR DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION figures_tick_{table}()",
    ]


def _sqlite(table: str) -> list[str]:
    years = _changed_year(table)
    return [
        f"CREATE TRIGGER figures_tick_{table}_{event.lower()} AFTER {event} ON {table} "
        f"BEGIN {_tick(year.replace('LEAST(', 'MIN('))}; END"
        for event, year in years.items()
    ]


def triggers_create(apps, schema_editor):
    statements = {"postgresql": _postgresql, "sqlite": _sqlite}[schema_editor.connection.vendor]
    for table in INPUTS:
        for sql in statements(table):
            schema_editor.execute(sql)


def triggers_drop(apps, schema_editor):
    for table in INPUTS:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER figures_tick ON {table}")
            schema_editor.execute(f"DROP FUNCTION figures_tick_{table}()")
        else:
            for event in ("insert", "update", "delete"):
                schema_editor.execute(f"DROP TRIGGER figures_tick_{table}_{event}")


class Migration(migrations.Migration):
    dependencies = [
        ("evaluation", "0005_year_figures"),
        ("measures", "0003_drop_unused_rule"),
        ("projects", "0003_drop_unused_rule"),
        ("strategy", "0003_plan_grading_rate"),
    ]

    operations = [
        migrations.CreateModel(
            name="FiguresClock",
            fields=[
                (
                    "fiscal_year",
                    models.PositiveSmallIntegerField(
                        primary_key=True, serialize=False, verbose_name="年度（0は全年度）"
                    ),
                ),
                ("tick", models.BigIntegerField(default=0, verbose_name="変更回数")),
            ],
            options={
                "verbose_name": "年度数値の入力の変更回数",
                "verbose_name_plural": "年度数値の入力の変更回数",
            },
        ),
        migrations.RunPython(triggers_create, triggers_drop),
    ]
