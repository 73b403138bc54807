"""Daily reminders: each department hears what it still owes before the deadline and what was returned."""

import datetime
import io

import pytest
from django.core import mail
from django.core.management import call_command

from core.roles import DEPARTMENT_STAFF, DX_OFFICE
from evaluation import services
from evaluation.models import FiscalYear, ProjectRecord
from tests import factories


@pytest.fixture
def year_open(plan):
    """市民課 has two projects in the open FY2025; 広報課 one; the deadline is set per test."""
    citizens, relations = factories.department("市民課"), factories.department("広報課")
    first = factories.project(citizens, code="1-1-1-01", name="書かない窓口の推進")
    factories.project(citizens, code="1-1-1-02", name="窓口予約の導入")
    factories.project(relations, code="3-2-1-01", measure_code="3-2", name="市公式SNSの運用")
    factories.action_goal(first, year=2025)
    factories.user("staff", role=DEPARTMENT_STAFF, departments=[citizens], email="shimin@example.jp")
    factories.user("pr", role=DEPARTMENT_STAFF, departments=[relations], email="koho@example.jp")
    factories.user(
        "away", role=DEPARTMENT_STAFF, departments=[citizens], email="away@example.jp", is_active=False
    )
    dx = factories.user("dx", role=DX_OFFICE)
    year = FiscalYear.objects.get(plan=plan, year=2025)
    services.fiscal_year_open(year, deadline=datetime.date.today() + datetime.timedelta(days=3), by=dx)
    return year


def test_near_the_deadline_each_department_gets_its_own_list(year_open):
    out = io.StringIO()
    call_command("send_reminders", "--days", "7", stdout=out)
    assert out.getvalue() == "2件の所管課にお知らせを送信しました。\n"
    by_recipient = {tuple(message.to): message for message in mail.outbox}
    assert sorted(by_recipient) == [("koho@example.jp",), ("shimin@example.jp",)]
    citizens = by_recipient[("shimin@example.jp",)]
    assert citizens.subject == "【ICT総合戦略】令和7年度（2025年度）評価の入力のお願い（市民課）"
    assert (
        "・1-1-1-01 書かない窓口の推進（未着手）\n  未入力：行動目標「行動目標」の達成状況、自己評価、評価の理由、今後の方向性"
        in citizens.body
    )
    assert "・1-1-1-02 窓口予約の導入（未着手）" in citizens.body
    assert "市公式SNSの運用" not in citizens.body
    assert "入力画面：http://127.0.0.1:8000/admin/evaluation/projectrecord/mine/" in citizens.body


def test_far_from_the_deadline_only_returned_records_are_chased(year_open):
    FiscalYear.objects.filter(pk=year_open.pk).update(
        deadline=datetime.date.today() + datetime.timedelta(days=30)
    )
    record = ProjectRecord.objects.get(project__code="3-2-1-01")
    ProjectRecord.objects.filter(pk=record.pk).update(
        status="returned", review_comment="実績の根拠を補足してください"
    )
    call_command("send_reminders", "--days", "7", stdout=io.StringIO())
    assert [message.to for message in mail.outbox] == [["koho@example.jp"]]
    assert (
        "■ DX推進課から差し戻された事業\n・3-2-1-01 市公式SNSの運用\n  差戻しの理由：実績の根拠を補足してください"
        in mail.outbox[0].body
    )


def test_records_returned_during_review_are_still_chased(year_open):
    FiscalYear.objects.filter(pk=year_open.pk).update(status="review")
    ProjectRecord.objects.filter(project__code="1-1-1-02").update(
        status="returned", review_comment="再確認してください"
    )
    call_command("send_reminders", stdout=io.StringIO())
    assert [message.to for message in mail.outbox] == [["shimin@example.jp"]]
    assert "・1-1-1-02 窓口予約の導入\n  差戻しの理由：再確認してください" in mail.outbox[0].body
    assert "まだ提出されていない事業" not in mail.outbox[0].body
