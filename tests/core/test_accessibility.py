"""Accessibility in the served HTML: every input of a table row named by its column and its row, the
error and lock-out pages in the portal's layout and in Japanese, a heading on the login page, and the
accessibility statement linked from every page. The browser checks are in tests/browser."""

import datetime
import json
import re

import pytest
from django.test import RequestFactory
from django.urls import reverse

from core.roles import DEPARTMENT_STAFF, DX_OFFICE
from core.views import ACCESSIBILITY_RESULTS, server_error
from evaluation import services
from evaluation.models import FiscalYear, ProjectRecord
from tests import factories

STATEMENT_LINK = '<a href="/accessibility/">アクセシビリティ</a>'


@pytest.fixture
def opened(plan):
    """An opened FY2025 record of 市民課 with one action goal and one indicator, and its staff."""
    unit = factories.department("市民課")
    project = factories.project(unit, code="1-1-1-01", name="書かない窓口の推進")
    factories.action_goal(project, year=2025, description="対象手続を10件に拡大")
    factories.indicator(project, name="書かない窓口の対象手続数", unit="件")
    dx = factories.user("dx", role=DX_OFFICE)
    staff = factories.user("tanaka", role=DEPARTMENT_STAFF, departments=[unit])
    services.fiscal_year_open(
        FiscalYear.objects.get(plan=plan, year=2025), deadline=datetime.date(2026, 6, 30), by=dx
    )
    return ProjectRecord.objects.get(project=project), staff, dx


def _labels(page: str) -> dict[str, str]:
    """Each named input, select and textarea with an aria-label: its name → its label."""
    return dict(
        re.findall(r'<(?:input|select|textarea)\b[^>]*\bname="([^"]+)"[^>]*\baria-label="([^"]+)"', page)
    )


def test_each_result_input_is_named_by_its_column_and_its_row(opened, client):
    record, staff, _ = opened
    client.force_login(staff)
    response = client.get(reverse("admin:evaluation_projectrecord_change", args=[record.pk]))
    assert response.status_code == 200
    assert _labels(response.content.decode()) == {
        "action_results-0-done": "取組実績（行動目標1）",
        "action_results-0-completion": "達成状況（行動目標1）",
        "indicator_results-0-actual": "実績値（書かない窓口の対象手続数）",
        "indicator_results-0-actual_status": "実績の状態（書かない窓口の対象手続数）",
        "indicator_results-0-note": "補足（書かない窓口の対象手続数）",
    }


def test_a_result_rows_help_is_in_words_and_tied_to_its_input(opened, client):
    record, staff, _ = opened
    client.force_login(staff)
    page = client.get(reverse("admin:evaluation_projectrecord_change", args=[record.pk])).content.decode()
    assert '<th scope="row" class="field-indicator_name" data-label="成果指標">' in page
    assert 'aria-describedby="id_indicator_results-0-note_helptext"' in page
    assert (
        '<span class="cell-help" id="id_indicator_results-0-note_helptext">定性指標の実績や、数値の注記</span>'
        in page
    )
    assert (
        '<caption class="visually-hidden">成果指標の実績（目標値を見ながら入力してください）</caption>'
        in page
    )


def test_each_deadline_of_the_fiscal_year_list_is_named_by_its_year(opened, client):
    _, _, dx = opened
    client.force_login(dx)
    response = client.get(reverse("admin:evaluation_fiscalyear_changelist"))
    assert response.status_code == 200
    page = response.content.decode()
    labels = _labels(page)
    assert [labels[name] for name in sorted(labels) if name.endswith("-deadline")] == [
        f"提出期限（{year}）"
        for year in re.findall(r'<th class="field-label"><a [^>]*>([^<]+)</a></th>', page)
    ]
    assert "提出期限（令和7年度（2025年度））" in labels.values()
    assert '<caption class="visually-hidden">評価年度の一覧</caption>' in page


def test_an_inline_of_any_admin_names_its_inputs_and_new_rows(plan, client):
    member = factories.user("suzuki", departments=[factories.department("市民課")])
    client.force_login(factories.user("root", is_superuser=True))
    response = client.get(reverse("admin:auth_user_change", args=[member.pk]))
    assert response.status_code == 200
    labels = _labels(response.content.decode())
    assert labels["memberships-0-department"] == "所属（suzuki / 市民課）"
    assert labels["memberships-__prefix__-department"] == "所属（追加する行）"


def test_the_login_page_has_a_heading(client, db):
    response = client.get(reverse("admin:login"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "<h1>ログイン</h1>" in page
    assert STATEMENT_LINK in page


def _in_the_portal_layout(page: str, title: str) -> None:
    assert f"<title>{title} | ICT総合戦略 進捗ポータル</title>" in page
    assert '<html lang="ja">' in page
    assert '<a class="skip-link" href="#main">本文へ移動</a>' in page
    assert '<main id="main" tabindex="-1" lang="ja">' in page
    assert STATEMENT_LINK in page
    assert "Django" not in page


def test_the_400_page_is_japanese_in_the_portal_layout(client, db):
    response = client.get("/?q=%01")
    assert response.status_code == 400
    _in_the_portal_layout(response.content.decode(), "要求を受け付けられません")


def test_the_404_page_is_japanese_in_the_portal_layout(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    _in_the_portal_layout(response.content.decode(), "ページが見つかりません")
    assert "<h1>ページが見つかりません（404）</h1>" in response.content.decode()


def test_the_403_page_is_japanese_in_the_portal_layout(client, plan):
    client.force_login(factories.user("nobody"))
    response = client.get(reverse("records:results_export"))
    assert response.status_code == 403
    _in_the_portal_layout(response.content.decode(), "この操作を行う権限がありません")


def test_the_500_page_needs_no_request_context_and_offers_no_form(db):
    request = RequestFactory().get("/boom")
    request.id = "req-1"
    response = server_error(request)
    assert response.status_code == 500
    page = response.content.decode()
    _in_the_portal_layout(page, "システムエラーが発生しました")
    assert '受付番号をお伝えください：<code id="request-id">req-1</code>' in page
    assert "<form" not in page  # a form would need the CSRF token this page cannot have


def test_the_lock_out_page_is_japanese_in_the_portal_layout(plan, client):
    factories.user("tanaka")
    for _ in range(5):
        response = client.post(
            reverse("admin:login"), {"username": "tanaka", "password": "wrong-password-123"}
        )
    assert response.status_code == 429
    page = response.content.decode()
    _in_the_portal_layout(page, "ログインできません")
    assert "<h1>ログインが一時的に制限されています</h1>" in page
    assert "Django 管理サイト" not in page


def test_the_statement_gives_the_target_the_method_and_the_latest_results(
    client, db, django_assert_num_queries
):
    published = json.loads(ACCESSIBILITY_RESULTS.read_text(encoding="utf-8"))
    with django_assert_num_queries(0):
        response = client.get("/accessibility/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "<title>アクセシビリティ | ICT総合戦略 進捗ポータル</title>" in page
    assert "の<strong>適合レベルAA</strong>に準拠することを目標としています" in page
    assert f"自動試験：axe-core {published['axe_core']} の WCAG 2.0・2.1 の適合レベルA・AAの規則" in page
    tested_on = datetime.date.fromisoformat(published["tested_on"])
    assert (
        f"試験日：令和{tested_on.year - 2018}年({tested_on.year}年){tested_on.month}月{tested_on.day}日"
        in page
    )
    rows = re.findall(
        r'<tr><th scope="row">([^<]+)</th><td><code>([^<]+)</code></td><td class="num">(\d+)件</td></tr>',
        page,
    )
    assert rows == [(row["name"], row["address"], str(row["violations"])) for row in published["pages"]]
    assert ("ログイン", "/admin/login/", "0") in rows
    assert STATEMENT_LINK in page


def test_every_page_links_the_statement_from_its_footer(client, plan, opened):
    record, staff, _ = opened
    assert STATEMENT_LINK in client.get("/").content.decode()
    client.force_login(staff)
    for url in [reverse("records:mine"), reverse("admin:evaluation_projectrecord_change", args=[record.pk])]:
        response = client.get(url)
        assert response.status_code == 200
        assert f'<footer id="footer"><p>{STATEMENT_LINK}</p></footer>' in response.content.decode()


def test_staff_pages_stay_japanese_after_english_was_chosen_on_the_public_pages(client, plan):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert '<html lang="en">' in client.get("/").content.decode()
    response = client.get(reverse("admin:login"))
    assert response.status_code == 200
    page = response.content.decode()
    assert '<html lang="ja" dir="ltr">' in page
    assert "<h1>ログイン</h1>" in page
    assert response["Content-Language"] == "ja"
