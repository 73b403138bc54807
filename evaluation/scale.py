"""Scale data: the portal at city size, for benchmarks and for trying the dashboards (development only).

About 2,000 sample projects with three outcome indicators each on the real plan structure, 40
departments (one renamed and one pair merged during the plan), and four fiscal years of results in
every state the workflow knows. Everything is marked as a sample the way the demo is (`samples.py`).

Speed comes from writing the bulk of the rows with `bulk_create_with_history` and
`bulk_update_with_history`, one workflow step at a time for all records taking it, so every row
still has its history (who, and 「提出」「差戻し: …」「承認」 as the reason). Twenty records a year
(one of each path a record can take) go through the workflow services themselves, and the cycle
itself (open, close, lock with its snapshot, measure evaluations) always does: the data set is one
the services would have produced.
"""

import datetime
import random
from collections import Counter, defaultdict
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from core.roles import DEMO, DEPARTMENT_STAFF, DX_OFFICE, VIEWER
from evaluation import services
from evaluation.demo import DEPARTMENTS as DEMO_DEPARTMENTS
from evaluation.demo import PROJECTS as DEMO_PROJECTS
from evaluation.demo import STAGES, _measure_indicators
from evaluation.enums import ActualStatus, Completion, NextDirection, RecordStatus
from evaluation.models import (
    ActionResult,
    CommitteeOpinion,
    FiscalYear,
    Grade,
    IndicatorResult,
    MeasureEvaluation,
    MeasureIndicatorResult,
    ProjectRecord,
)
from evaluation.rollups.year import rollup_year
from evaluation.samples import SAMPLE_NOTE, SAMPLE_SOURCE
from evaluation.services.common import save_with_history
from measures.models import Initiative, MeasureIndicator
from projects.enums import AssignmentRole
from projects.models import ActionGoal, OutcomeIndicator, OutcomeIndicatorTarget, Project, ProjectAssignment
from strategy.achievement import IndicatorSpec, target_for_year
from strategy.models import Department, DepartmentKind, Membership, Plan, PlanRevision, RevisionKind

RENAMED = datetime.date(2025, 4, 1)
MERGED = datetime.date(2026, 4, 1)

# The demo's 22 units and 18 more: code, name, parent code, valid from, valid to, predecessor codes.
DEPARTMENTS = [
    *(
        (code, name, parent, start, end, [old] if old else [])
        for code, name, parent, start, end, old in DEMO_DEPARTMENTS
    ),
    ("B09", "都市建設局", None, None, None, []),
    ("B10", "こども・若者未来局", None, None, None, []),
    ("S15", "交通政策課", "B09", None, MERGED - datetime.timedelta(days=1), []),
    ("S16", "都市計画課", "B09", None, MERGED - datetime.timedelta(days=1), []),
    ("S17", "都市交通計画課", "B09", MERGED, None, ["S15", "S16"]),
    ("S18", "道路計画課", "B09", None, None, []),
    ("S19", "こども家庭課", "B10", None, None, []),
    ("S20", "保育課", "B10", None, None, []),
    ("S21", "青少年学習センター", "B05", None, None, []),
    ("S22", "生涯学習課", "B05", None, None, []),
    ("S23", "図書館", "B05", None, None, []),
    ("S24", "地域福祉課", "B07", None, None, []),
    ("S25", "介護保険課", "B07", None, None, []),
    ("S26", "健康増進課", "B07", None, None, []),
    ("S27", "環境政策課", "B08", None, None, []),
    ("S28", "産業支援課", "B08", None, RENAMED - datetime.timedelta(days=1), []),
    ("S29", "産業・雇用政策課", "B08", RENAMED, None, ["S28"]),
    ("S30", "観光政策課", "B08", None, None, []),
]
WARDS = ["緑区", "中央区", "南区", "全市"]

# The steps a record can go through, and the paths (sequences of steps) records take.
SAVE, SUBMIT, RETURN, APPROVE = "save", "submit", "return", "approve"
PATHS = {
    "not_started": (),
    "draft": (SAVE,),
    "submitted": (SAVE, SUBMIT),
    "approved": (SAVE, SUBMIT, APPROVE),
    "returned": (SAVE, SUBMIT, RETURN),
    "resubmitted": (SAVE, SUBMIT, RETURN, SAVE, SUBMIT),
    "approved_after_return": (SAVE, SUBMIT, RETURN, SAVE, SUBMIT, APPROVE),
    "returned_twice": (SAVE, SUBMIT, RETURN, SAVE, SUBMIT, RETURN),
    "approved_after_two_returns": (SAVE, SUBMIT, RETURN, SAVE, SUBMIT, RETURN, SAVE, SUBMIT, APPROVE),
}
# Per fiscal year: where its cycle ends, and how many of every 20 records take each path.
YEARS = {
    2024: ("locked", {"approved": 18, "approved_after_return": 2}),
    2025: ("locked", {"approved": 16, "approved_after_return": 2, "approved_after_two_returns": 2}),
    2026: (
        "review",
        {
            "approved": 9,
            "approved_after_return": 1,
            "submitted": 4,
            "resubmitted": 2,
            "returned": 2,
            "returned_twice": 2,
        },
    ),
    2027: (
        "open",
        {"not_started": 5, "draft": 5, "submitted": 5, "returned": 2, "returned_twice": 1, "approved": 2},
    ),
}
SLOTS = 20
RETURN_COMMENTS = [
    "成果指標の実績の根拠（集計方法）を補足してください（サンプル）。",
    "評価の理由が実績と合っていません。達成状況に触れて書き直してください（サンプル）。",
]
# How the values are spread: (status, weight) in a locked year and in a year still being reported.
ACTUAL_STATUSES = {
    "final": [
        (ActualStatus.CONFIRMED, 95),
        (ActualStatus.PROVISIONAL, 3),
        (ActualStatus.TALLYING, 1),
        (ActualStatus.NOT_SURVEYED, 1),
    ],
    "current": [
        (ActualStatus.CONFIRMED, 74),
        (ActualStatus.PROVISIONAL, 18),
        (ActualStatus.TALLYING, 6),
        (ActualStatus.NOT_SURVEYED, 2),
    ],
}
SHARES = [0.5, 0.7, 0.85, 0.95, 1.0, 1.0, 1.02, 1.05, 1.1, 1.2, 1.3]
IMPLAUSIBLE = 0.02  # share of values far beyond the target (over 150%: a target set too low?)
UNCHANGED = 0.05  # share of values copied from the year before


def scale_load(*, projects: int = 2000, seed: int = 2024, password: str, today: datetime.date) -> bool:
    """Create the scale data on the plan ict2; return False, changing nothing, when it has projects.

    Runs in one transaction per fiscal year after the plan data (a failure leaves a partial set:
    start again with `seed_scale --reset`). Development only; the command checks DEBUG.
    """
    plan = Plan.objects.get(code="ict2")
    if plan.projects.exists():
        return False
    Builder(plan, projects=projects, seed=seed, password=password, today=today).build()
    return True


def _statistics_refresh() -> None:
    """After a bulk load PostgreSQL plans queries with the row counts of empty tables until autovacuum
    next analyses them (never, where autovacuum is off): the results sheet's query for a large
    department took 53 ms instead of 22 at seed_scale. Refreshed now, as PostgreSQL's documentation
    advises after a bulk load."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


class Builder:
    def __init__(self, plan: Plan, *, projects: int, seed: int, password: str, today: datetime.date):
        self.plan, self.size, self.today, self.password = plan, projects, today, password
        self.rng = random.Random(seed)
        self.grades = list(Grade.objects.filter(scale__plan=plan).order_by("order"))
        self.unrated = next(g for g in self.grades if g.is_unrated)
        self.actuals: dict[int, dict[int, Decimal]] = defaultdict(dict)  # indicator id → year → actual
        self.primary_of: dict[int, Department] = {}  # project id → its primary department today

    def build(self) -> None:
        with transaction.atomic():
            self.departments = self._departments()
            self._revisions()
            _measure_indicators(self.plan, self.rng)
            self.projects = self._projects()
            self._accounts()
        for year, (end, paths) in YEARS.items():
            with transaction.atomic():
                self._cycle(year, end, paths)
        _statistics_refresh()

    # --- plan data -------------------------------------------------------------------------------

    def _departments(self) -> dict[str, Department]:
        """Bureaus first, then their sections, then who succeeded whom."""
        created: dict[str, Department] = {}
        for bureaus in (True, False):
            rows = [
                Department(
                    code=code,
                    name=name,
                    kind=DepartmentKind.BUREAU if bureaus else DepartmentKind.SECTION,
                    parent=created.get(parent),
                    valid_from=start or datetime.date(2020, 4, 1),
                    valid_to=end,
                )
                for code, name, parent, start, end, _olds in DEPARTMENTS
                if code.startswith("B") == bureaus
            ]
            rows = bulk_create_with_history(rows, Department, default_change_reason="規模確認用データ")
            created.update((d.code, d) for d in rows)
        through = Department.predecessors.through
        through.objects.bulk_create(
            through(from_department=created[code], to_department=created[old])
            for code, *_rest, olds in DEPARTMENTS
            for old in olds
        )
        return created

    def _revisions(self) -> None:
        for revised_on, reason, summary in [
            (
                RENAMED,
                "組織改正により学校ICT推進室・産業支援課が改組されたため（サンプル）",
                "学校ICT推進室の事業を教育DX推進課に、産業支援課の事業を産業・雇用政策課に引き継ぎ",
            ),
            (
                MERGED,
                "組織改正により交通政策課と都市計画課が統合されたため（サンプル）",
                "交通政策課・都市計画課の事業を都市交通計画課に引き継ぎ",
            ),
        ]:
            PlanRevision.objects.create(
                plan=self.plan,
                kind=RevisionKind.ORGANISATION,
                revised_on=revised_on,
                effective_year=revised_on.year,
                reason=reason,
                summary=summary,
            )

    def _projects(self) -> list[Project]:
        """Projects named after the demo's, spread over its initiatives; 3 indicators and 1–2 action
        goals a year each, yearly targets stated for about 60% of the indicators."""
        rng = self.rng
        initiatives = {
            (i.measure.code, i.number): i
            for i in Initiative.objects.filter(measure__plan=self.plan).select_related("measure")
        }
        measure_indicators = {
            mi.measure_id: mi for mi in MeasureIndicator.objects.filter(measure__plan=self.plan)
        }
        sections = [
            d
            for d in self.departments.values()
            if d.kind == DepartmentKind.SECTION and d.valid_from.year < 2024
        ]
        counters: Counter = Counter()
        rows, shapes, owners = [], [], []
        for index in range(self.size):
            measure_code, number, name, demo_owners, shape = DEMO_PROJECTS[index % len(DEMO_PROJECTS)]
            initiative = initiatives[(measure_code, number)]
            counters[initiative.pk] += 1
            ward = WARDS[(index // len(DEMO_PROJECTS)) % len(WARDS)]
            term = index // (len(DEMO_PROJECTS) * len(WARDS)) + 1
            full_name = f"{name}（{ward}・第{term}期）"
            rows.append(
                Project(
                    plan=self.plan,
                    code=f"{measure_code}-{number}-{counters[initiative.pk]:03d}",
                    name=full_name,
                    summary=f"{SAMPLE_NOTE}{initiative.title}の一環として「{full_name}」に取り組みます。",
                    measure=initiative.measure,
                    initiative=initiative,
                    start_year=self.plan.start_year,
                )
            )
            shapes.append((full_name, shape))
            primary = self.departments[demo_owners[0]] if rng.random() < 0.5 else rng.choice(sections)
            co = [rng.choice(sections)] if rng.random() < 0.1 else []
            owners.append((primary, [d for d in co if d != primary]))
        projects = bulk_create_with_history(rows, Project, default_change_reason="規模確認用データ")
        assignments, goals, indicators = [], [], []
        for project, (full_name, shape), (primary, co) in zip(projects, shapes, owners, strict=True):
            assignments += self._assignments(project, primary, co)
            for year, stage in STAGES.items():
                for number in range(1, rng.choice([1, 1, 2]) + 1):
                    description = (
                        f"{full_name}：{stage}" if number == 1 else f"{full_name}：関係課・地域との連携"
                    )
                    goals.append(
                        ActionGoal(project=project, fiscal_year=year, number=number, description=description)
                    )
            indicators += self._indicators(
                project, shape, full_name, measure_indicators.get(project.measure_id)
            )
        bulk_create_with_history(assignments, ProjectAssignment, default_change_reason="規模確認用データ")
        bulk_create_with_history(goals, ActionGoal, default_change_reason="規模確認用データ")
        indicators = bulk_create_with_history(
            indicators, OutcomeIndicator, default_change_reason="規模確認用データ"
        )
        targets = []
        self.specs = {}
        for indicator in indicators:
            stated = (
                rng.random() < 0.6
                and indicator.kind != "milestone"
                and indicator.baseline_value != indicator.final_target
            )
            yearly = {}
            if stated:
                span = len(self.plan.years)
                for step, year in enumerate(self.plan.years, start=1):
                    value = (
                        indicator.baseline_value
                        + (indicator.final_target - indicator.baseline_value) * Decimal(step) / span
                    )
                    yearly[year] = value.quantize(Decimal(1) / 10**indicator.decimals)
                    targets.append(
                        OutcomeIndicatorTarget(indicator=indicator, fiscal_year=year, value=yearly[year])
                    )
            self.specs[indicator.pk] = (
                indicator,
                IndicatorSpec(
                    direction=indicator.direction,
                    kind=indicator.kind,
                    baseline=indicator.baseline_value,
                    baseline_year=indicator.baseline_year,
                    final_target=indicator.final_target,
                    final_year=indicator.final_target_year,
                    tolerance=indicator.tolerance,
                    yearly_targets=yearly,
                ),
            )
        bulk_create_with_history(targets, OutcomeIndicatorTarget, default_change_reason="規模確認用データ")
        return projects

    def _assignments(self, project, primary, co) -> list[ProjectAssignment]:
        """The primary department, handing over to its successor from the year of a reorganisation."""
        rows = []
        successor = next(
            (d for d in self.departments.values() if primary.code in _predecessors(d.code)), None
        )
        if successor:
            handover = successor.valid_from.year
            rows.append(
                ProjectAssignment(project=project, department=primary, start_year=2024, end_year=handover - 1)
            )
            rows.append(ProjectAssignment(project=project, department=successor, start_year=handover))
        else:
            rows.append(ProjectAssignment(project=project, department=primary, start_year=2024))
        rows += [
            ProjectAssignment(project=project, department=d, role=AssignmentRole.CO, start_year=2024)
            for d in co
        ]
        self.primary_of[project.pk] = successor or primary
        return rows

    def _indicators(self, project, shape, full_name, measure_indicator) -> list[OutcomeIndicator]:
        rng = self.rng
        name, unit, kind, direction, baseline, final, decimals = shape
        scale = (
            Decimal(rng.choice(["0.5", "0.8", "1", "1", "1.2", "2"]))
            if kind in ("per_year", "cumulative", "stock")
            else Decimal(1)
        )
        satisfaction = Decimal(rng.choice([50, 55, 60, 65]))
        events = Decimal(rng.choice([4, 6, 10, 12, 20]))
        shapes = [
            (
                name,
                unit,
                kind,
                direction,
                _dec(baseline) * scale,
                _dec(final) * scale,
                decimals,
                measure_indicator,
            ),
            (
                "取組に対する利用者の満足度",
                "％",
                "rate",
                "increase",
                satisfaction,
                satisfaction + 15,
                1,
                None,
            ),
            (
                "説明会・研修の開催回数",
                "回/年",
                "per_year",
                "increase",
                events,
                events * 2,
                0,
                None,
            ),
        ]
        return [
            OutcomeIndicator(
                project=project,
                code=str(number),
                name=n,
                unit=u,
                kind=k,
                direction=d,
                decimals=dec,
                baseline_value=b.quantize(Decimal(1) / 10**dec),
                baseline_year=2022,
                final_target=f.quantize(Decimal(1) / 10**dec),
                final_target_year=2027,
                method="所管課による年度末の集計（サンプル）",
                source=SAMPLE_SOURCE,
                measure_indicator=mi,
            )
            for number, (n, u, k, d, b, f, dec, mi) in enumerate(shapes, start=1)
        ]

    def _accounts(self) -> None:
        """scale-dx (DX office), scale-viewer, and one staff account per current section (scale-S01 …);
        one password hash for all, so 30 accounts cost one hashing."""
        user_model = get_user_model()
        hashed = make_password(self.password)
        current = [
            d for d in self.departments.values() if d.kind == DepartmentKind.SECTION and not d.valid_to
        ]
        users = [
            user_model(
                username="scale-dx", first_name="DX推進課 担当者（サンプル）", is_staff=True, password=hashed
            ),
            user_model(
                username="scale-viewer", first_name="閲覧者（サンプル）", is_staff=True, password=hashed
            ),
            *(
                user_model(
                    username=f"scale-{d.code}",
                    first_name=f"{d.name} 職員（サンプル）",
                    is_staff=True,
                    password=hashed,
                )
                for d in current
            ),
        ]
        user_model.objects.bulk_create(users)
        users = {u.username: u for u in user_model.objects.filter(username__startswith="scale-")}
        groups = {
            g.name: g for g in Group.objects.filter(name__in=[DX_OFFICE, VIEWER, DEPARTMENT_STAFF, DEMO])
        }
        roles = {"scale-dx": DX_OFFICE, "scale-viewer": VIEWER}
        through = user_model.groups.through
        through.objects.bulk_create(
            through(user_id=user.pk, group_id=groups[name].pk)
            for user in users.values()
            for name in (roles.get(user.username, DEPARTMENT_STAFF), DEMO)
        )
        Membership.objects.bulk_create(
            Membership(user=users[f"scale-{d.code}"], department=d) for d in current
        )
        self.dx = users["scale-dx"]
        staff_of = {}
        for department in current:
            for pk in department.lineage_ids():
                staff_of[pk] = users[f"scale-{department.code}"]
        self.staff = {project_id: staff_of[d.pk] for project_id, d in self.primary_of.items()}

    # --- a fiscal year ---------------------------------------------------------------------------

    def _cycle(self, year: int, end: str, path_counts: dict[str, int]) -> None:
        fiscal_year = FiscalYear.objects.get(plan=self.plan, year=year)
        deadline = (
            datetime.date(year + 1, 6, 30) if end != "open" else self.today + datetime.timedelta(days=14)
        )
        services.fiscal_year_open(fiscal_year, deadline=deadline, by=self.dx)
        slots = [name for name, count in path_counts.items() for _ in range(count)]
        records = list(
            ProjectRecord.objects.filter(project__plan=self.plan, fiscal_year=year)
            .select_related("project")
            .with_results()
            .order_by("project__code")
        )
        self.rng.shuffle(records)
        paths = {record.pk: PATHS[slots[rank % SLOTS]] for rank, record in enumerate(records)}
        draft = {record.pk for record in records if paths[record.pk] == PATHS["draft"]}
        # The first SLOTS records (one of each path) go through the services; the rest in bulk.
        serviced, bulk = records[:SLOTS], [r for r in records[SLOTS:] if paths[r.pk]]
        status_weights = ACTUAL_STATUSES["final" if end == "locked" else "current"]
        for record in records:
            if paths[record.pk]:
                self._type_results(record, year, status_weights, partly=record.pk in draft)
        self._bulk_results(bulk)
        for record in serviced:
            if paths[record.pk]:
                services.record_entry_save(
                    record,
                    by=self.staff[record.project_id],
                    seen_version=record.version,
                    results=[*record.indicator_results.all(), *record.action_results.all()],
                )
        proposals = {f.code: f.proposed_grade for f in rollup_year(plan=self.plan, fiscal_year=year).projects}
        for record in records:
            if paths[record.pk] and record.pk not in draft:
                self._self_evaluate(record, proposals[record.project.code])
        for record in serviced:
            if paths[record.pk]:
                self._walk(record, paths[record.pk])
        self._bulk_walk(bulk, paths)
        self._measures(year, end)
        if end in ("review", "locked"):
            services.fiscal_year_close(fiscal_year, by=self.dx)
        if end == "locked":
            self._opinions(year)
            services.fiscal_year_lock(fiscal_year, by=self.dx)

    def _type_results(self, record, year: int, status_weights, *, partly: bool) -> None:
        rng = self.rng
        statuses, weights = zip(*status_weights, strict=True)
        shortfall = []
        for result in record.indicator_results.all():
            if partly and rng.random() < 0.4:
                continue  # still being typed: 未入力
            indicator, spec = self.specs[result.indicator_id]
            status = rng.choices(statuses, weights)[0]
            actual = None
            if status in ActualStatus.with_value():
                actual = self._actual(indicator, spec, year)
                self.actuals[indicator.pk][year] = actual
                target = target_for_year(spec, year).value
                shortfall.append(
                    target is not None
                    and abs(actual - spec.baseline) < abs(target - spec.baseline) * Decimal("0.7")
                )
            result.actual, result.actual_status = actual, status
            result.note = "決算確定前の数値（サンプル）" if status == ActualStatus.PROVISIONAL else ""
        behind = any(shortfall)
        for result in record.action_results.all():
            if partly and rng.random() < 0.5:
                continue
            result.done = f"{result.action_goal.description}を実施しました（サンプル）。"
            # Mostly consistent with the indicators; now and then not (a data-quality finding).
            if rng.random() < 0.05:
                behind = not behind
            result.completion = rng.choice(
                [Completion.PARTLY, Completion.NOT_ACHIEVED]
                if behind
                else [Completion.ACHIEVED, Completion.ACHIEVED, Completion.PARTLY]
            )
        record.results_summary = f"{record.project.name}について、計画に沿って取組を進めました（サンプル）。"
        record.issues = "対象の拡大に向けた関係課との調整（サンプル）"
        if not partly:
            record.next_direction = rng.choice(
                [NextDirection.CONTINUE] * 6 + [NextDirection.EXPAND, NextDirection.IMPROVE]
            )
            record.next_steps = "次年度も対象を広げて実施します（サンプル）。"

    def _actual(self, indicator, spec: IndicatorSpec, year: int) -> Decimal:
        rng = self.rng
        previous = self.actuals[indicator.pk].get(year - 1)
        if previous is not None and rng.random() < UNCHANGED:
            return previous
        if indicator.kind == "milestone":
            return Decimal(1) if year == 2027 or rng.random() < 0.5 else Decimal(0)
        target = target_for_year(spec, year).value
        baseline = spec.baseline
        if rng.random() < IMPLAUSIBLE:
            value = target * 2 if target else baseline * 2
        else:
            value = baseline + (target - baseline) * Decimal(str(rng.choice(SHARES)))
        return max(value, Decimal(0)).quantize(Decimal(1) / 10**indicator.decimals)

    def _bulk_results(self, records) -> None:
        """Every typed result row in a few statements (plus their history), as staff saved them."""
        indicator_rows, action_rows = [], []
        for record in records:
            staff = self.staff[record.project_id]
            for row in record.indicator_results.all():
                if row.actual_status != ActualStatus.NOT_ENTERED:
                    row._history_user = staff
                    indicator_rows.append(row)
            for row in record.action_results.all():
                if row.completion:
                    row._history_user = staff
                    action_rows.append(row)
        for rows, model, fields in [
            (indicator_rows, IndicatorResult, ["actual", "actual_status", "note"]),
            (action_rows, ActionResult, ["done", "completion"]),
        ]:
            _bulk_save(rows, model, fields, reason="入力内容を保存")

    def _self_evaluate(self, record, proposed: Grade | None) -> None:
        """The department's grade: the proposal, now and then one better with a reason."""
        proposed = proposed or self.unrated
        grade = proposed
        rated = [g for g in self.grades if not g.is_unrated]
        if proposed in rated and rated.index(proposed) > 0 and self.rng.random() < 0.1:
            grade = rated[rated.index(proposed) - 1]
            record.self_grade_reason = f"指標には表れない取組の進展を踏まえ、評価案より一段上の{grade.display}としました（サンプル）。"
        else:
            record.self_grade_reason = (
                f"成果指標と行動目標の達成状況から{grade.display}と評価しました（サンプル）。"
            )
        record.self_grade = grade
        record.expected_proposal = proposed

    def _walk(self, record, path) -> None:
        """One record through the services, step by step, by its department and the DX office."""
        staff, returns = self.staff[record.project_id], 0
        # The typed results are saved already; this save adds the grade and the texts.
        record = services.record_entry_save(record, by=staff, seen_version=record.version)
        for step in path[1:]:
            if step == SAVE:
                record.refresh_from_db()
                record.issues = "指摘を受けて集計方法を確認し、根拠を補足しました（サンプル）。"
                record = services.record_entry_save(record, by=staff, seen_version=record.version)
            elif step == SUBMIT:
                record = services.record_submit(record, by=staff)
            elif step == RETURN:
                record = services.record_return(record, by=self.dx, comment=RETURN_COMMENTS[returns % 2])
                returns += 1
            elif step == APPROVE:
                record = services.record_approve(record, by=self.dx)

    def _bulk_walk(self, records, paths) -> None:
        """The other records step by step, all records taking step k at once, as the services would
        leave them: same fields, same history reasons, a new version each time."""
        now = timezone.now()
        for record in records:
            record._history_user = self.staff[record.project_id]
            if record.status == RecordStatus.NOT_STARTED:
                record.status = RecordStatus.DRAFT
            record.version += 1
        fields = [
            "status",
            "version",
            "self_grade",
            "self_grade_reason",
            "results_summary",
            "issues",
            "next_direction",
            "next_steps",
        ]
        _bulk_save(records, ProjectRecord, fields, reason="入力内容を保存")
        returns = Counter()
        for k in range(1, max(len(p) for p in paths.values())):
            taking = defaultdict(list)
            for record in records:
                if len(paths[record.pk]) > k:
                    taking[paths[record.pk][k]].append(record)
            for step, group in taking.items():
                by_reason = defaultdict(list)
                for record in group:
                    record.version += 1
                    if step == SAVE:
                        record._history_user = self.staff[record.project_id]
                        record.issues = "指摘を受けて集計方法を確認し、根拠を補足しました（サンプル）。"
                        by_reason["入力内容を保存"].append(record)
                    elif step == SUBMIT:
                        record._history_user = self.staff[record.project_id]
                        again = record.status == RecordStatus.RETURNED
                        record.status = RecordStatus.RESUBMITTED if again else RecordStatus.SUBMITTED
                        record.proposed_grade = record.expected_proposal
                        record.submitted_at, record.submitted_by = now, record._history_user
                        by_reason["再提出" if again else "提出"].append(record)
                    elif step == RETURN:
                        record._history_user = self.dx
                        comment = RETURN_COMMENTS[returns[record.pk] % 2]
                        returns[record.pk] += 1
                        record.status, record.review_comment = RecordStatus.RETURNED, comment
                        by_reason[f"差戻し: {comment}"].append(record)
                    elif step == APPROVE:
                        record._history_user = self.dx
                        record.status, record.final_grade, record.final_grade_reason = (
                            RecordStatus.APPROVED,
                            record.self_grade,
                            "",
                        )
                        record.approved_at, record.approved_by, record.reopened = now, self.dx, False
                        by_reason["承認"].append(record)
                fields = {
                    SAVE: ["issues"],
                    SUBMIT: ["status", "proposed_grade", "submitted_at", "submitted_by"],
                    RETURN: ["status", "review_comment"],
                    APPROVE: [
                        "status",
                        "final_grade",
                        "final_grade_reason",
                        "approved_at",
                        "approved_by",
                        "reopened",
                    ],
                }[step]
                for reason, rows in by_reason.items():
                    _bulk_save(rows, ProjectRecord, [*fields, "version"], reason=reason)

    def _measures(self, year: int, end: str) -> None:
        """The DX office types the measures' actuals (provisional in a year still reported) and, in
        a reviewed year, evaluates the measures: all of them before a lock, half under review."""
        rng = self.rng
        indicators = (
            MeasureIndicator.objects.filter(measure__plan=self.plan)
            .select_related("measure")
            .prefetch_related("targets")
            .order_by("code")
        )
        evaluated = []
        for number, indicator in enumerate(indicators):
            if end == "open" and number % 2:
                continue
            target = indicator.target_for(year).value
            baseline = indicator.baseline_value
            share = Decimal(str(rng.choice([0.6, 0.8, 0.9, 1.0, 1.1])))
            actual = (baseline + (target - baseline) * share).quantize(Decimal(1) / 10**indicator.decimals)
            status = ActualStatus.CONFIRMED if end == "locked" else ActualStatus.PROVISIONAL
            result = MeasureIndicatorResult(
                indicator=indicator, fiscal_year=year, actual=actual, actual_status=status
            )
            result.full_clean()
            save_with_history(result, by=self.dx, reason="施策目標値の実績を入力")
            if end == "locked" or (end == "review" and number % 2 == 0):
                evaluated.append(indicator.measure)
        if not evaluated:
            return
        # The grades the figures propose, from one roll-up rather than one per measure.
        proposals = {f.code: f.proposed_grade for f in rollup_year(plan=self.plan, fiscal_year=year).measures}
        for measure in evaluated:
            grade = proposals[measure.code]
            evaluation = MeasureEvaluation(
                measure=measure,
                fiscal_year=year,
                grade=grade,
                grade_reason=f"施策目標値の達成状況と構成事業の評価から{grade.display if grade else '−'}"
                "としました（サンプル）。",
                comment="構成事業はおおむね計画どおり進んでいます（サンプル）。",
            )
            services.measure_evaluate(evaluation, by=self.dx)

    def _opinions(self, year: int) -> None:
        """The outside committee comments on about one in five projects graded B or C."""
        graded = ProjectRecord.objects.filter(
            project__plan=self.plan, fiscal_year=year, final_grade__code__in=["B", "C"]
        )
        opinions = [
            CommitteeOpinion(
                fiscal_year=year,
                project_id=project_id,
                recorded_by=self.dx,
                opinion="遅れの原因を分析し、目標達成に向けた工程を示すこと（サンプル）。",
                response="関係課と工程を見直し、次年度の行動目標に反映します（サンプル）。",
            )
            for number, project_id in enumerate(
                graded.order_by("project__code").values_list("project_id", flat=True)
            )
            if number % 5 == 0
        ]
        bulk_create_with_history(
            opinions, CommitteeOpinion, default_user=self.dx, default_change_reason="委員会の意見を記録"
        )


def _bulk_save(rows, model, fields: list[str], *, reason: str) -> None:
    """Update `fields` of `rows` with one prepared statement run for every row, and add their
    history rows (each row's `_history_user`, `reason`).

    What `bulk_update_with_history` does, without the CASE WHEN expression Django builds for a bulk
    update, which costs more than the writing itself at this size.
    """
    if not rows:
        return
    concrete = [model._meta.get_field(name) for name in fields]
    table, quote = model._meta.db_table, connection.ops.quote_name
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in concrete)
    sql = f"UPDATE {quote(table)} SET {assignments} WHERE {quote(model._meta.pk.column)} = %s"
    params = [
        [field.get_db_prep_save(getattr(row, field.attname), connection) for field in concrete] + [row.pk]
        for row in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)
    model.history.bulk_history_create(rows, update=True, default_change_reason=reason, batch_size=1000)


def _predecessors(code: str) -> list[str]:
    return next(olds for c, *_rest, olds in DEPARTMENTS if c == code)


def _dec(value) -> Decimal:
    return Decimal(str(value))
