"""The permission matrix: every admin URL we register, for every kind of user.

Department A is 市民課 (`dept1`), department B is 教育DX推進課 (`dept2`, which succeeded 学校ICT推進室).
No row of B may ever reach A, by any path; B's objects answer 404 to A; viewers change nothing.
"""

import io
import re
from html import unescape

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse
from openpyxl import load_workbook

from core.roles import DEMO
from evaluation.models import (
    ActionResult,
    FiscalYear,
    IndicatorResult,
    MeasureEvaluation,
    MeasureIndicatorResult,
    ProjectRecord,
    YearSnapshot,
)
from projects.models import ActionGoal, OutcomeIndicator, OutcomeIndicatorTarget, Project, ProjectAssignment
from projects.services import project_move
from strategy.models import Department
from tests import factories

OURS = {"strategy", "measures", "projects", "evaluation"}
MODELS = sorted((m for m in admin.site._registry if m._meta.app_label in OURS), key=lambda m: m._meta.label)
# Text only B's rows carry: its projects' names and codes.
B_MARKERS = ["GIGAスクール端末の家庭学習活用", "学校のICT活用授業支援", "1-2-1-03", "3-3-1-03"]
B_PROJECTS = {"name__in": ["GIGAスクール端末の家庭学習活用", "学校のICT活用授業支援"]}
B_CODES = {"1-2-1-03", "3-3-1-03"}
A_PROJECTS = {"1-1-1-02", "1-1-3-01"}  # 市民課's projects in the demo
A_SEES = {OutcomeIndicatorTarget: {"1-1-3-01"}}  # 1-1-1-02's indicator has no yearly targets

# The lists department staff may open (a copy of core.roles.STAFF_READS, kept apart so that a change
# to the roles shows here); every other list answers them 403. Viewers and the DX office open all.
STAFF_LISTS = {
    "strategy.Plan", "strategy.BasicGoal", "strategy.Department",
    "measures.Measure", "measures.Initiative", "measures.MeasureIndicator", "measures.MeasureIndicatorTarget",
    "projects.Project", "projects.ProjectAssignment", "projects.ActionGoal", "projects.OutcomeIndicator",
    "projects.OutcomeIndicatorTarget",
    "evaluation.GradeScale", "evaluation.Grade", "evaluation.FiscalYear", "evaluation.ProjectRecord",
    "evaluation.ActionResult", "evaluation.IndicatorResult",
}  # fmt: skip
# Rows that belong to a project, and the path to its code: these lists are scoped by department.
PROJECT_CODE = {
    Project: "code",
    ProjectAssignment: "project__code",
    ActionGoal: "project__code",
    OutcomeIndicator: "project__code",
    OutcomeIndicatorTarget: "indicator__project__code",
    ProjectRecord: "project__code",
    ActionResult: "record__project__code",
    IndicatorResult: "record__project__code",
}
# What an autocomplete offers 市民課 when it lists scoped rows.
A_CHOICES = {Project: {"code__in": A_PROJECTS}, OutcomeIndicator: {"project__code__in": A_PROJECTS}}
AUTOCOMPLETES = [
    (model, field) for model in MODELS for field in admin.site._registry[model].autocomplete_fields
]


@pytest.fixture(autouse=True)
def accounts_as_real_staff(demo):
    """Production refuses demo accounts (DEBUG is off in tests); here they stand for real staff."""
    Group.objects.get(name=DEMO).user_set.clear()


def url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def login(client, username):
    client.force_login(get_user_model().objects.get(username=username))
    return client


def assert_no_b(response):
    text = response.content.decode()
    leaked = [marker for marker in B_MARKERS if marker in text]
    assert leaked == [], f"{response.request['PATH_INFO']} shows {leaked}"


def b_objects():
    """One object of each project-owned kind that belongs to department B."""
    project = Project.objects.filter(**B_PROJECTS).first()
    record = ProjectRecord.objects.filter(project=project, fiscal_year=2024).first()
    return [
        project,
        ProjectAssignment.objects.filter(project=project).first(),
        ActionGoal.objects.filter(project=project).first(),
        OutcomeIndicator.objects.filter(project=project).first(),
        OutcomeIndicatorTarget.objects.filter(
            indicator__project__in=Project.objects.filter(**B_PROJECTS)
        ).first(),
        record,
        ActionResult.objects.filter(record=record).first(),
        IndicatorResult.objects.filter(record=record).first(),
    ]


@pytest.mark.parametrize("username", ["dept1", "viewer", "dx"])
@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.label)
def test_each_role_lists_exactly_its_rows(demo, client, username, model):
    login(client, username)
    response = client.get(url(model, "changelist") + ("?year=all" if model is ProjectRecord else ""))
    listed = username != "dept1" or model._meta.label in STAFF_LISTS
    assert response.status_code == (200 if listed else 403)
    if username == "dept1":
        assert_no_b(response)
    if listed and model in PROJECT_CODE:
        codes = set(response.context["cl"].queryset.values_list(PROJECT_CODE[model], flat=True))
        everyone = set(model._default_manager.values_list(PROJECT_CODE[model], flat=True))
        assert codes == (A_SEES.get(model, A_PROJECTS) if username == "dept1" else everyone)
        assert B_CODES & everyone  # the demo gives B rows of every kind to hide
    elif listed:  # reference data: the same for every role
        assert response.context["cl"].result_count == model._default_manager.count()


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.label)
def test_department_staff_add_nothing(demo, client, model):
    login(client, "dept1")
    response = client.get(url(model, "add"))
    assert response.status_code == 403


def test_b_objects_answer_404_to_a_on_every_object_url(demo, client):
    login(client, "dept1")
    for obj in b_objects():
        assert obj is not None
        for view in ("change", "history", "delete"):
            response = client.get(url(type(obj), view, obj.pk))
            assert response.status_code == 404, (type(obj).__name__, view)


def test_b_records_cannot_be_moved_through_the_workflow_by_a(demo, client):
    login(client, "dept1")
    record = ProjectRecord.objects.filter(project__name="学校のICT活用授業支援", fiscal_year=2025).get()
    for action in ("submit", "return", "approve", "reopen"):
        response = client.post(reverse("records:workflow", args=[record.pk, action]))
        assert response.status_code == 404


@pytest.mark.parametrize(
    ("model", "field"), AUTOCOMPLETES, ids=[f"{m.__name__}.{f}" for m, f in AUTOCOMPLETES]
)
def test_autocomplete_offers_department_staff_only_their_rows(demo, client, model, field):
    login(client, "dept1")
    target = model._meta.get_field(field).related_model
    query = {"app_label": model._meta.app_label, "model_name": model._meta.model_name, "field_name": field}
    response = client.get(reverse("admin:autocomplete"), {**query, "term": ""})
    assert response.status_code == (200 if target._meta.label in STAFF_LISTS else 403)
    assert_no_b(response)
    if response.status_code == 200:
        texts = [item["text"] for item in response.json()["results"]]
        if target in A_CHOICES:
            assert sorted(texts) == sorted(str(obj) for obj in target.objects.filter(**A_CHOICES[target]))
        else:  # reference data, not scoped: the first page of all of it
            assert len(texts) == min(target._default_manager.count(), 20)


def test_autocomplete_offers_the_dx_office_every_department(demo, client):
    login(client, "dx")
    response = client.get(
        reverse("admin:autocomplete")
        + "?app_label=projects&model_name=actiongoal&field_name=project&term=GIGA"
    )
    assert response.status_code == 200
    assert [item["text"] for item in response.json()["results"]] == [
        "1-2-1-03 GIGAスクール端末の家庭学習活用"
    ]


def test_department_b_sees_its_predecessors_years_and_a_does_not_see_them(demo, client):
    login(client, "dept2")
    response = client.get(url(ProjectRecord, "changelist") + "?year=all")
    rows = sorted((r.project.code, r.fiscal_year) for r in response.context["cl"].result_list)
    assert rows == [("1-2-1-03", 2024), ("1-2-1-03", 2025), ("3-3-1-03", 2024), ("3-3-1-03", 2025)]


def test_co_responsible_departments_view_but_do_not_edit(demo, client):
    co_staff = factories.user("co", role="所管課職員", departments=[ProjectAssignment.objects.get(
        project__name="書かない窓口の推進", role="co").department])  # fmt: skip
    client.force_login(co_staff)
    record = ProjectRecord.objects.get(project__name="書かない窓口の推進", fiscal_year=2025)
    page = client.get(url(ProjectRecord, "change", record.pk))
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert client.post(url(ProjectRecord, "change", record.pk), {}).status_code == 403


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.label)
def test_viewers_read_everything_and_change_nothing(demo, client, model):
    login(client, "viewer")
    listing = client.get(url(model, "changelist"))
    assert listing.status_code == 200
    assert client.get(url(model, "add")).status_code == 403
    obj = model._default_manager.order_by("pk").first()
    assert obj is not None, "the demo has a row of every kind"
    page = client.get(url(model, "change", obj.pk))
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert client.post(url(model, "change", obj.pk), {}).status_code == 403
    assert client.post(url(model, "delete", obj.pk), {"post": "yes"}).status_code == 403
    assert model._default_manager.filter(pk=obj.pk).exists()


def test_viewers_cannot_move_records_through_the_workflow(demo, client):
    login(client, "viewer")
    record = ProjectRecord.objects.filter(fiscal_year=2025, status="submitted").first()
    response = client.post(reverse("records:workflow", args=[record.pk, "approve"]))
    assert response.status_code == 403
    assert ProjectRecord.objects.get(pk=record.pk).status == "submitted"


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.label)
def test_staff_without_a_group_are_refused_everywhere(demo, client, model):
    client.force_login(factories.user("nobody"))
    assert client.get(url(model, "changelist")).status_code == 403
    obj = model._default_manager.order_by("pk").first()
    assert obj is not None, "the demo has a row of every kind"
    # A project's rows are out of scope for someone in no department: they do not exist for them.
    hidden = 404 if model in PROJECT_CODE else 403
    assert client.get(url(model, "change", obj.pk)).status_code == hidden
    assert client.get(url(model, "history", obj.pk)).status_code == hidden


def test_the_dx_office_sees_every_department(demo, client):
    login(client, "dx")
    response = client.get(url(Project, "changelist") + "?q=GIGA")
    assert "GIGAスクール端末の家庭学習活用" in response.content.decode()
    assert client.get(reverse("records:board")).status_code == 200
    menu = client.get(reverse("admin:index")).content.decode()
    assert '<a href="/rollups/ict2/2025/plan/ict2/">令和7年度（2025年度）の達成状況と計算根拠</a>' in menu
    years = client.get(reverse("admin:evaluation_fiscalyear_changelist")).content.decode()
    assert "報告時点との差分</a>" in years and '<a href="/rollups/ict2/2024/plan/ict2/">計算根拠</a>' in years


def _links(response) -> set[str]:
    """The site's own links on a page, static files aside."""
    hrefs = {unescape(href) for href in re.findall(r'href="(/[^"#]*)"', response.content.decode())}
    return {href for href in hrefs if not href.startswith("/static/")}


def _shortcuts(response) -> list[tuple[str, str]]:
    block = re.search(r'<div class="module" id="portal-shortcuts">.*?</ul>', response.content.decode(), re.S)
    return re.findall(r'<a href="([^"]+)">([^<]+)</a>', block.group())


@pytest.mark.parametrize("username", ["dept1", "dept2", "viewer"])
def test_no_link_on_the_menu_or_the_pages_it_opens_leads_to_403_or_404(demo, client, username):
    """Every admin link on the menu and sidebar is followed, then every link leaving the admin
    (explanations, snapshots) on the pages they open, so no link to the DX office's pages hides there."""
    login(client, username)
    menu = client.get("/admin/?menu=1")
    assert menu.status_code == 200
    pages = {link: client.get(link) for link in _links(menu)}
    outside = {link for page in pages.values() for link in _links(page) if not link.startswith("/admin/")}
    pages.update({link: client.get(link) for link in outside - pages.keys()})
    assert {link: page.status_code for link, page in pages.items() if page.status_code not in (200, 302)} == {}


def test_department_staff_are_offered_only_their_own_pages(demo, client):
    login(client, "dept1")
    menu = client.get("/admin/?menu=1")
    assert menu.status_code == 200
    assert _shortcuts(menu) == [
        ("/admin/evaluation/projectrecord/mine/", "担当事業の入力状況"),
        ("/admin/evaluation/projectrecord/", "事業の年度評価の一覧"),
    ]
    years = client.get(url(FiscalYear, "changelist"))
    assert years.status_code == 200
    assert "令和6年度（2024年度）" in years.content.decode()
    outside_admin = sorted(link for link in _links(years) if not link.startswith("/admin/"))
    assert outside_admin == ["/", "/accessibility/"]  # the public site, the accessibility statement


def test_viewers_are_offered_the_board_and_the_figures(demo, client):
    login(client, "viewer")
    menu = client.get("/admin/?menu=1")
    assert menu.status_code == 200
    assert _shortcuts(menu) == [
        ("/admin/evaluation/projectrecord/mine/", "担当事業の入力状況"),
        ("/admin/evaluation/projectrecord/", "事業の年度評価の一覧"),
        ("/admin/evaluation/projectrecord/board/", "提出状況ボード"),
        ("/rollups/ict2/2025/plan/ict2/", "令和7年度（2025年度）の達成状況と計算根拠"),
    ]
    snapshot = YearSnapshot.objects.get(fiscal_year=2024)
    years = client.get(url(FiscalYear, "changelist"))
    assert years.status_code == 200
    assert sorted(link for link in _links(years) if link.startswith("/rollups/")) == [
        "/rollups/ict2/2024/plan/ict2/",
        "/rollups/ict2/2025/plan/ict2/",
        f"/rollups/snapshots/{snapshot.pk}/",
    ]


def test_internal_notes_never_reach_department_staff(demo, client):
    record = ProjectRecord.objects.get(project__name="書かない窓口の推進", fiscal_year=2024)
    ProjectRecord.objects.filter(pk=record.pk).update(internal_note="庁内限りのメモ：予算要求と関連")
    login(client, "dept1")
    assert "庁内限りのメモ" not in client.get(url(ProjectRecord, "change", record.pk)).content.decode()
    login(client, "dx")
    assert "庁内限りのメモ" in client.get(url(ProjectRecord, "change", record.pk)).content.decode()


def _history_form_url(obj):
    version = obj.history.order_by("history_id").last()
    return url(type(obj), "simple_history", obj.pk, version.history_id)


def test_history_pages_only_read(demo, client):
    project = Project.objects.get(name="書かない窓口の推進")
    login(client, "viewer")
    assert client.get(_history_form_url(project)).status_code == 200
    response = client.post(_history_form_url(project), {"name": "改ざん", "code": project.code})
    assert response.status_code == 403
    login(client, "dept1")
    record = ProjectRecord.objects.get(project=project, fiscal_year=2024)
    assert client.post(_history_form_url(record), {"self_grade_reason": "改ざん"}).status_code == 403
    assert Project.objects.get(pk=project.pk).name == "書かない窓口の推進"
    assert client.get(url(Project, "history", "abc")).status_code == 404
    assert client.get(url(Project, "simple_history", project.pk, "abc")).status_code == 404


def test_the_history_list_hides_internal_notes_from_staff(demo, client):
    record = ProjectRecord.objects.get(project__name="書かない窓口の推進", fiscal_year=2025)
    record.internal_note = "庁内限りのメモ：予算要求と関連"
    record.save()
    login(client, "dept1")
    assert "庁内限りのメモ" not in client.get(url(ProjectRecord, "history", record.pk)).content.decode()
    login(client, "dx")
    assert "庁内限りのメモ" in client.get(url(ProjectRecord, "history", record.pk)).content.decode()


def test_a_member_without_a_role_cannot_use_the_entry_views(demo, client):
    department = (
        ProjectAssignment.objects.filter(project__name="書かない窓口の推進", role="primary").get().department
    )
    client.force_login(factories.user("member_only", departments=[department]))
    record = ProjectRecord.objects.get(project__name="書かない窓口の推進", fiscal_year=2025)
    assert client.get(reverse("records:mine")).status_code == 403
    submit = reverse("records:workflow", args=[record.pk, "submit"])
    assert client.post(submit).status_code == 403
    assert ProjectRecord.objects.get(pk=record.pk).status == record.status


def test_a_moved_projects_later_years_leave_the_old_department(demo, client):
    project = Project.objects.get(name="書かない窓口の推進")
    new_home = Department.objects.get(name="DX推進課")
    dx = get_user_model().objects.get(username="dx")
    project_move(project, department=new_home, year=2026, reason="組織改正", by=dx)
    login(client, "dept1")
    goals = client.get(url(ActionGoal, "changelist") + "?q=書かない窓口").context["cl"].result_list
    assert sorted(goal.fiscal_year for goal in goals) == [2024, 2025]


def test_bad_filter_values_never_give_a_500(demo, client):
    login(client, "dx")
    for junk in ("abc", "²", "2025.5"):
        response = client.get(url(ProjectRecord, "changelist") + f"?year={junk}")
        assert response.status_code == 302 and response["Location"].endswith("?e=1")
    assert client.get(reverse("records:board") + "?year=²").status_code == 200
    assert client.get(url(ProjectRecord, "simple_history", 1, "²")).status_code == 404


def test_a_reported_year_cannot_be_deleted_or_changed_by_anyone(demo, client):
    login(client, "dx")
    year = FiscalYear.objects.get(plan__code="ict2", year=2024)
    assert client.post(url(FiscalYear, "delete", year.pk), {"post": "yes"}).status_code == 403
    evaluation = MeasureEvaluation.objects.filter(fiscal_year=2024).first()
    assert client.post(url(MeasureEvaluation, "delete", evaluation.pk), {"post": "yes"}).status_code == 403
    result = MeasureIndicatorResult.objects.filter(fiscal_year=2024).first()
    assert 'name="_save"' not in client.get(url(MeasureIndicatorResult, "change", result.pk)).content.decode()
    assert FiscalYear.objects.filter(pk=year.pk).exists()


def test_once_the_plan_has_begun_targets_and_status_change_only_by_revision(demo, client):
    login(client, "dx")
    project = Project.objects.get(name="書かない窓口の推進")
    form = client.get(url(Project, "change", project.pk)).context["adminform"].form
    assert {"status", "end_year", "merged_into", "start_year"}.isdisjoint(form.fields)
    indicator = OutcomeIndicator.objects.get(project=project)
    page = client.get(url(OutcomeIndicator, "change", indicator.pk))
    assert {"final_target", "baseline_value"}.isdisjoint(page.context["adminform"].form.fields)
    assert 'name="targets-0-value"' not in page.content.decode()


def _export_rows(client):
    response = client.get(reverse("records:results_export"))
    if response.status_code != 200:
        return response.status_code
    workbook = load_workbook(io.BytesIO(response.content))
    return [[cell.value for cell in row] for row in workbook.active.iter_rows(min_row=2)]


def test_spreadsheet_export_and_import_stay_inside_the_department(demo, client):
    login(client, "dept1")
    rows = _export_rows(client)
    assert {row[0] for row in rows} == {"1-1-1-02", "1-1-3-01"}
    assert not any(marker in str(row) for row in rows for marker in B_MARKERS)
    login(client, "dept2")
    assert {row[0] for row in _export_rows(client)} == {"1-2-1-03"}  # 3-3-1-03 is approved for 2025
    client.force_login(factories.user("nobody_export"))
    assert _export_rows(client) == 403
    assert client.post(reverse("records:results_import"), {}).status_code == 403


def test_another_departments_record_answers_a_japanese_404_page(demo, client):
    theirs = ProjectRecord.objects.exclude(project__code__in=A_PROJECTS).first()
    client.force_login(get_user_model().objects.get(username="dept1"))
    response = client.get(reverse("admin:evaluation_projectrecord_change", args=[theirs.pk]))
    assert response.status_code == 404
    page = response.content.decode()
    assert '<html lang="ja">' in page and "<h1>ページが見つかりません（404）</h1>" in page
    assert theirs.project.name not in page
