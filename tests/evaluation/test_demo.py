"""The demo: clearly sample data, loaded by a command, refused in production."""

import pytest
from django.db.models import Count

from core.roles import DX_OFFICE
from evaluation.models import MeasureEvaluation, ProjectRecord, YearSnapshot
from evaluation.rollups.snapshots import snapshot_diff
from measures.models import Initiative
from projects.models import Project
from strategy.models import Department
from tests import factories
from tests.conftest import DEMO_PASSWORD

BANNER = (
    '<p class="demo-banner" role="note">'
    "デモアカウントでログインしています。表示されているデータはすべてサンプルです。</p>"
)


def test_demo_has_a_dozen_departments_and_one_renamed_mid_plan(demo):
    sections = Department.objects.filter(kind="section")
    assert sections.count() >= 12
    renamed = Department.objects.get(name="教育DX推進課")
    assert [d.name for d in renamed.predecessors.all()] == ["学校ICT推進室"]
    project = Project.objects.get(name="学校のICT活用授業支援")
    assert factories.responsible_department(project, 2024).name == "学校ICT推進室"
    assert factories.responsible_department(project, 2025).name == "教育DX推進課"


def test_demo_has_two_to_four_projects_per_initiative_all_marked_as_samples(demo):
    per_initiative = Initiative.objects.filter(measure__plan=demo).annotate(n=Count("projects"))
    assert sorted({i.n for i in per_initiative}) <= [2, 3, 4] and per_initiative.count() == 15
    assert all(2 <= i.n <= 4 for i in per_initiative)
    assert all(p.summary.startswith("【デモ用サンプル】") for p in Project.objects.all())
    assert all(p.indicators.get().source.startswith("デモ用サンプル値") for p in Project.objects.all())
    assert all(p.action_goals.count() == 4 for p in Project.objects.all())


def test_fy2024_is_approved_and_fy2025_partly_entered(demo):
    by_status = dict(
        ProjectRecord.objects.filter(fiscal_year=2025)
        .values_list("status")
        .annotate(n=Count("id"))
        .order_by()
    )
    assert by_status == {"not_started": 8, "draft": 8, "submitted": 7, "returned": 7, "approved": 4}
    assert set(ProjectRecord.objects.filter(fiscal_year=2024).values_list("status", flat=True)) == {
        "approved"
    }
    assert ProjectRecord.objects.filter(fiscal_year=2024, final_grade__isnull=True).count() == 0
    assert demo.fiscal_years.get(year=2024).status == "locked"
    assert demo.fiscal_years.get(year=2025).status == "open"


def test_the_locked_year_was_reported_as_the_demo_shows_it(demo, client, settings):
    """The lock's own snapshot holds every FY2024 figure, measure evaluations included."""
    snapshot = YearSnapshot.objects.get(plan=demo, fiscal_year=2024)
    assert snapshot_diff(snapshot) == []
    assert MeasureEvaluation.objects.filter(fiscal_year=2024, evaluated_by__username="dx").count() == 8
    settings.DEBUG = True
    _login(client, "dx")
    response = client.get(f"/rollups/snapshots/{snapshot.pk}/")
    assert response.status_code == 200
    assert "<p>報告時点から変わった値はありません。</p>" in response.content.decode()


def _login(client, username, password=DEMO_PASSWORD):
    return client.post("/admin/login/?next=/admin/", {"username": username, "password": password})


@pytest.mark.parametrize(
    ("username", "landing"),
    [
        ("dx", "管理メニュー"),
        ("viewer", "管理メニュー"),
        ("dept1", "担当事業の入力状況"),
        ("dept2", "担当事業の入力状況"),
    ],
)
def test_admin_accepts_the_demo_accounts_in_development(demo, client, settings, username, landing):
    settings.DEBUG = True
    response = _login(client, username)
    assert response.status_code == 302 and response["Location"] == "/admin/"
    page = client.get("/admin/", follow=True)
    assert page.status_code == 200
    assert f"<h1>{landing}</h1>" in page.content.decode()


def test_demo_accounts_are_refused_when_debug_is_off(demo, client, settings):
    settings.DEBUG = False
    response = _login(client, "dx")
    assert response.status_code == 200
    assert "正しいユーザー名とパスワードを入力してください" in response.content.decode()


@pytest.mark.parametrize(
    ("username", "path"),
    [
        ("dx", "/admin/"),
        ("dx", "/admin/evaluation/projectrecord/board/"),
        ("viewer", "/admin/strategy/plan/"),
        ("dept1", "/admin/evaluation/projectrecord/mine/"),
        ("dept2", "/admin/?menu=1"),
    ],
)
def test_demo_accounts_are_told_on_admin_pages_that_everything_is_a_sample(demo, client, settings, username, path):
    settings.DEBUG = True
    _login(client, username)
    page = client.get(path)
    assert page.status_code == 200
    assert page.content.decode().count(BANNER) == 1


def test_other_accounts_see_no_demo_banner(demo, client, settings):
    settings.DEBUG = True
    client.force_login(factories.user("dx-real", role=DX_OFFICE))
    page = client.get("/admin/")
    assert page.status_code == 200
    assert "<h1>管理メニュー</h1>" in page.content.decode()
    assert "デモアカウント" not in page.content.decode()
