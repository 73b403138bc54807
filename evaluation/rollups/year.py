"""A fiscal year's figures read from the database: the whole plan's, or one record's or one measure's
proposed grade (評価案).

The proposals are what the workflow services store in `proposed_grade`; they read the saved rows,
so call them after saving a record's indicator and action results.
"""

from collections import defaultdict
from collections.abc import Sequence

from django.db import connection

from evaluation.models import Grade, MeasureEvaluation, ProjectRecord
from evaluation.rollups.compute import YearRollup, rollup_compute
from evaluation.rollups.selectors import rollup_inputs
from evaluation.rollups.stored import figures_version, rollup_stored
from projects.models import Project
from strategy.models import Plan


def rollup_year(*, plan: Plan, fiscal_year: int) -> YearRollup:
    """Every figure of the plan's fiscal year, from indicators up to the plan.

    Computed once per change of its inputs and stored (see `evaluation.rollups.stored`): one query
    when nothing changed since, else `rollup_stored`'s (the version read twice, the roll-up's 16,
    storing it, and on PostgreSQL the lock taken and released). The
    figures returned may be shared with other requests: read them, never change them."""
    return rollup_stored(plan=plan, fiscal_year=fiscal_year)


def record_proposed_grade(record: ProjectRecord) -> Grade | None:
    """The grade the record's outcome indicators (else its action goals) earn in its year.

    「−」 when nothing has a figure yet; None when the plan has no grade scale, or when the project is
    left out of the year (not started, abolished, merged or suspended).
    """
    project = record.project
    inputs = rollup_inputs(
        plan=project.plan, fiscal_year=record.fiscal_year, project=project, projects_only=True
    )
    return rollup_compute(inputs).projects[0].proposed_grade


# The proposals this worker last showed, by (project id, fiscal year): (inputs' version, proposal).
_shown_proposals: dict[tuple[int, int], tuple[str, Grade | None]] = {}
SHOWN_PROPOSALS_KEPT = 10_000  # some 2,000 projects × a plan's four years, with room to spare


def record_proposal_shown(record: ProjectRecord) -> Grade | None:
    """`record_proposed_grade` as the entry page shows it: computed again only when an input of the
    year's figures changed since this worker last showed it (one query to know, see
    `evaluation.rollups.stored`), so a page opened again costs one query instead of nine.

    Kept only outside a transaction, as `rollup_stored` keeps figures: one may still roll back what
    it read, and its ticks would then be reused by other changes."""
    key = (record.project_id, record.fiscal_year)
    version = figures_version(plan=record.project.plan, fiscal_year=record.fiscal_year)
    shown = _shown_proposals.get(key)
    if shown is not None and shown[0] == version:
        return shown[1]
    proposal = record_proposed_grade(record)
    if not connection.in_atomic_block:
        if len(_shown_proposals) >= SHOWN_PROPOSALS_KEPT:
            _shown_proposals.clear()
        _shown_proposals[key] = (version, proposal)
    return proposal


def records_proposed_grades(records: Sequence[ProjectRecord]) -> dict[int, Grade | None]:
    """{record id: its proposed grade, as `record_proposed_grade` gives it} for many records at
    once: one roll-up narrowed to their projects per plan year (two queries, and 9 a plan year),
    whatever the number of records."""
    projects = {
        pk: (plan_id, code)
        for pk, plan_id, code in Project.objects.filter(pk__in={r.project_id for r in records}).values_list(
            "pk", "plan_id", "code"
        )
    }
    plans = Plan.objects.in_bulk({plan_id for plan_id, _ in projects.values()})
    wanted: dict[tuple[int, int], list[int]] = defaultdict(list)  # (plan id, year): project ids
    for record in records:
        wanted[(projects[record.project_id][0], record.fiscal_year)].append(record.project_id)
    proposals: dict[tuple[int, str], Grade | None] = {}  # (year, project code): proposal
    for (plan_id, year), project_ids in wanted.items():
        inputs = rollup_inputs(
            plan=plans[plan_id], fiscal_year=year, project_ids=project_ids, projects_only=True
        )
        proposals.update(
            ((year, figure.code), figure.proposed_grade) for figure in rollup_compute(inputs).projects
        )
    return {record.pk: proposals[(record.fiscal_year, projects[record.project_id][1])] for record in records}


def measure_proposed_grade(evaluation: MeasureEvaluation) -> Grade | None:
    """The grade the measure's target indicators (else its projects' figures) earn in the year.

    「−」 when nothing has a figure yet; None when the plan has no grade scale.
    """
    measure = evaluation.measure
    inputs = rollup_inputs(plan=measure.plan, fiscal_year=evaluation.fiscal_year, measure=measure)
    return rollup_compute(inputs).measures[0].proposed_grade
