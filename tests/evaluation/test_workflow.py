"""The yearly PDCA workflow: each transition, the refused ones, and what staff see on the entry page."""

import datetime
import re
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from core.roles import DEPARTMENT_STAFF, DX_OFFICE
from evaluation import services
from evaluation.enums import ActualStatus, Completion, CycleStatus, RecordStatus
from evaluation.models import FiscalYear, Grade, ProjectRecord
from evaluation.selectors import record_may_edit
from tests import factories

DEADLINE = datetime.date(2026, 6, 30)


@pytest.fixture
def setting(plan):
    """Department A with one project for FY2025 (one action goal, one indicator), FY2025 opened."""
    unit_a, unit_b = factories.department("市民課"), factories.department("広報課")
    project = factories.project(unit_a, code="1-1-1-01", name="書かない窓口の推進")
    factories.action_goal(project, year=2025, description="対象手続を10件に拡大")
    factories.indicator(project, name="書かない窓口の対象手続数", unit="件")
    dx = factories.user("dx", role=DX_OFFICE)
    staff = factories.user("staff_a", role=DEPARTMENT_STAFF, departments=[unit_a])
    other = factories.user("staff_b", role=DEPARTMENT_STAFF, departments=[unit_b])
    year = FiscalYear.objects.get(plan=plan, year=2025)
    services.fiscal_year_open(year, deadline=DEADLINE, by=dx)
    record = ProjectRecord.objects.get(project=project, fiscal_year=2025)
    return {"project": project, "record": record, "dx": dx, "staff": staff, "other": other, "year": year}


def fill(record, *, actual=Decimal(165), grade="A"):
    """What staff type on the entry page, saved the way the page saves it."""
    result = record.indicator_results.get()
    result.actual, result.actual_status = actual, ActualStatus.CONFIRMED
    action = record.action_results.get()
    action.done, action.completion = "10件に拡大した", Completion.ACHIEVED
    record.self_grade = Grade.objects.get(scale__plan=record.project.plan, code=grade)
    record.self_grade_reason = "対象手続を予定どおり拡大した"
    record.next_direction = "continue"
    staff = record.project.assignments.get().department.memberships.first().user
    services.record_entry_save(record, by=staff, seen_version=record.version, results=[result, action])


def reload(record):
    return ProjectRecord.objects.get(pk=record.pk)


def history_reasons(record):
    return list(
        reload(record)
        .history.order_by("history_id")
        .values_list("history_change_reason", "history_user__username")
    )


def test_opening_a_year_prepares_every_running_project_with_empty_rows(setting):
    record = setting["record"]
    assert record.status == RecordStatus.NOT_STARTED
    assert [(r.action_goal.description, r.completion) for r in record.action_results.all()] == [
        ("対象手続を10件に拡大", "")
    ]
    assert [(r.indicator.name, r.actual_status, r.actual) for r in record.indicator_results.all()] == [
        ("書かない窓口の対象手続数", ActualStatus.NOT_ENTERED, None)
    ]
    year = FiscalYear.objects.get(pk=setting["year"].pk)
    assert (year.status, year.deadline) == (CycleStatus.OPEN, DEADLINE)
    assert history_reasons(record) == [("年度の評価を準備", "dx")]


def test_opening_is_refused_twice_and_for_staff(setting):
    with pytest.raises(
        ValidationError, match="令和7年度（2025年度）は「入力受付中」のため入力受付を開始できません。"
    ):
        services.fiscal_year_open(setting["year"], deadline=DEADLINE, by=setting["dx"])
    other_year = FiscalYear.objects.get(plan=setting["year"].plan, year=2026)
    with pytest.raises(PermissionDenied):
        services.fiscal_year_open(other_year, deadline=DEADLINE, by=setting["staff"])
    assert FiscalYear.objects.get(pk=other_year.pk).status == CycleStatus.PLANNED


@pytest.mark.parametrize("approved", [False, True])
def test_a_dx_office_correction_after_submission_recomputes_the_proposed_grade(setting, approved):
    record, staff, dx = setting["record"], setting["staff"], setting["dx"]
    fill(record)  # 165 against the interpolated 160 from 100: (165 − 100) ÷ (160 − 100) = 108 %, A
    services.record_submit(record, by=staff)
    if approved:
        services.record_approve(record, by=dx)
    record = reload(record)
    assert record.proposed_grade.code == "A"
    result = record.indicator_results.get()
    result.actual = Decimal(130)  # (130 − 100) ÷ (160 − 100) = 50 %: C
    services.record_entry_save(record, by=dx, seen_version=record.version, results=[result])
    corrected = reload(record)
    assert (corrected.status, corrected.proposed_grade.code) == (
        RecordStatus.APPROVED if approved else RecordStatus.SUBMITTED,
        "C",
    )
    assert corrected.final_grade == (
        Grade.objects.get(scale__plan=record.project.plan, code="A") if approved else None
    )
    assert history_reasons(record)[-1] == ("入力内容を保存", "dx")


def test_submitting_an_incomplete_record_lists_what_is_missing_and_changes_nothing(setting):
    record = setting["record"]
    with pytest.raises(ValidationError) as caught:
        services.record_submit(record, by=setting["staff"])
    assert caught.value.messages == [
        "未入力の項目があるため提出できません。次の項目を入力してください: 行動目標「対象手続を10件に拡大」の達成状況、"
        "成果指標「書かない窓口の対象手続数」の実績値（数値がないときはその理由）、自己評価、評価の理由、今後の方向性"
    ]
    assert reload(record).status == RecordStatus.NOT_STARTED
    assert reload(record).version == 0


def test_submit_return_resubmit_approve(setting):
    record, staff, dx = setting["record"], setting["staff"], setting["dx"]
    fill(record)
    submitted = services.record_submit(record, by=staff)
    assert (submitted.status, submitted.submitted_by, submitted.proposed_grade.code) == (
        RecordStatus.SUBMITTED,
        staff,
        "A",
    )
    returned = services.record_return(record, by=dx, comment="集計方法を補足してください")
    assert (returned.status, returned.review_comment) == (RecordStatus.RETURNED, "集計方法を補足してください")
    resubmitted = services.record_submit(record, by=staff)
    assert resubmitted.status == RecordStatus.RESUBMITTED
    approved = services.record_approve(record, by=dx)
    assert (approved.status, approved.final_grade.code, approved.approved_by) == (
        RecordStatus.APPROVED,
        "A",
        dx,
    )
    assert history_reasons(record)[1:] == [
        ("入力内容を保存", "staff_a"),
        ("提出", "staff_a"),
        ("差戻し: 集計方法を補足してください", "dx"),
        ("再提出", "staff_a"),
        ("承認", "dx"),
    ]


def test_refused_transitions_change_nothing(setting):
    record, staff, dx = setting["record"], setting["staff"], setting["dx"]
    with pytest.raises(
        ValidationError, match="承認できるのは「提出済み・再提出」の評価だけです（現在は「未着手」）。"
    ):
        services.record_approve(record, by=dx)
    fill(record)
    services.record_submit(record, by=staff)
    with pytest.raises(PermissionDenied):
        services.record_approve(record, by=staff)
    with pytest.raises(ValidationError, match="差し戻す理由を入力してください"):
        services.record_return(record, by=dx, comment="  ")
    with pytest.raises(
        ValidationError, match="自己評価と異なる最終評価にするときは、その理由を入力してください。"
    ):
        services.record_approve(record, by=dx, final_grade=Grade.objects.get(code="B"))
    assert reload(record).status == RecordStatus.SUBMITTED
    final = services.record_approve(
        record, by=dx, final_grade=Grade.objects.get(code="B"), reason="成果の根拠が弱い"
    )
    assert (final.self_grade.code, final.final_grade.code, final.final_grade_reason) == (
        "A",
        "B",
        "成果の根拠が弱い",
    )


def test_a_locked_year_is_read_only_and_a_correction_needs_a_reason(setting):
    record, staff, dx, year = setting["record"], setting["staff"], setting["dx"], setting["year"]
    fill(record)
    services.record_submit(record, by=staff)
    with pytest.raises(ValidationError, match="は「入力受付中」のため確定できません。"):
        services.fiscal_year_lock(year, by=dx)
    services.fiscal_year_close(year, by=dx)
    with pytest.raises(ValidationError, match="承認されていない事業が1件あるため確定できません。"):
        services.fiscal_year_lock(year, by=dx)
    services.record_approve(record, by=dx)
    snapshot = services.fiscal_year_lock(year, by=dx)
    assert (snapshot.fiscal_year, snapshot.taken_by) == (2025, dx)
    assert FiscalYear.objects.get(pk=year.pk).status == CycleStatus.LOCKED
    assert not record_may_edit(staff, reload(record))
    with pytest.raises(ValidationError, match="訂正のために再開する理由を入力してください。"):
        services.record_reopen(record, by=dx, reason="")
    reopened = services.record_reopen(record, by=dx, reason="実績値の誤記を訂正")
    assert (reopened.status, reopened.reopened) == (RecordStatus.RETURNED, True)
    assert record_may_edit(staff, reload(record))
    services.record_submit(record, by=staff)
    assert services.record_approve(record, by=dx).reopened is False


def _rates_cell(page: str) -> str:
    """The text of the first result row's 進捗率／達成率 cell."""
    return re.search(r'<td class="field-rates"[^>]*>\s*<p>(.*?)</p>', page, re.S).group(1).strip()


def _entry_data(record, **overrides):
    indicator_result = record.indicator_results.get()
    action_result = record.action_results.get()
    data = {
        "seen_version": str(record.version),
        "results_summary": "対象手続を拡大した",
        "self_grade": str(Grade.objects.get(code="A").pk),
        "self_grade_reason": "予定どおり",
        "issues": "",
        "next_direction": "continue",
        "next_steps": "",
        "action_results-TOTAL_FORMS": "1",
        "action_results-INITIAL_FORMS": "1",
        "action_results-MIN_NUM_FORMS": "0",
        "action_results-MAX_NUM_FORMS": "1000",
        "action_results-0-id": str(action_result.pk),
        "action_results-0-record": str(record.pk),
        "action_results-0-done": "10件に拡大した",
        "action_results-0-completion": "achieved",
        "indicator_results-TOTAL_FORMS": "1",
        "indicator_results-INITIAL_FORMS": "1",
        "indicator_results-MIN_NUM_FORMS": "0",
        "indicator_results-MAX_NUM_FORMS": "1000",
        "indicator_results-0-id": str(indicator_result.pk),
        "indicator_results-0-record": str(record.pk),
        "indicator_results-0-actual": "150",
        "indicator_results-0-actual_status": "not_entered",
        "indicator_results-0-note": "",
    }
    data.update(overrides)
    return data


def test_staff_fill_the_entry_page_with_the_target_beside_the_input(setting, client):
    record, staff = setting["record"], setting["staff"]
    client.force_login(staff)
    url = reverse("admin:evaluation_projectrecord_change", args=[record.pk])
    page = client.get(url).content.decode()
    assert "書かない窓口の対象手続数（増加を目指す）" in page
    assert "160 件（基準値と最終目標から補間）" in page
    assert "提出する前に、次の5項目を入力してください。" in page
    response = client.post(url, _entry_data(record))
    assert (response.status_code, response.url) == (302, reverse("records:mine"))  # back to their list
    saved = reload(record)
    result = saved.indicator_results.get()
    assert (saved.status, saved.version, result.actual, result.actual_status) == (
        RecordStatus.DRAFT, 1, Decimal(150), ActualStatus.CONFIRMED
    )  # fmt: skip
    response = client.post(url, _entry_data(saved, _submit="提出する"), follow=True)
    assert response.status_code == 200
    assert "書かない窓口の推進：提出しました。" in response.content.decode()
    assert reload(record).status == RecordStatus.SUBMITTED


def test_submitting_without_saving_first_saves_everything_typed(setting, client):
    record, staff = setting["record"], setting["staff"]
    client.force_login(staff)
    url = reverse("admin:evaluation_projectrecord_change", args=[record.pk])
    response = client.post(url, _entry_data(record, _submit="提出する"), follow=True)
    assert response.status_code == 200
    assert "書かない窓口の推進：提出しました。" in response.content.decode()
    saved = reload(record)
    result, action = saved.indicator_results.get(), saved.action_results.get()
    assert (saved.status, saved.results_summary, saved.self_grade_reason, saved.next_direction) == (
        RecordStatus.SUBMITTED, "対象手続を拡大した", "予定どおり", "continue"
    )  # fmt: skip
    assert (result.actual, action.done, action.completion) == (Decimal(150), "10件に拡大した", "achieved")
    assert list(saved.history.values_list("history_change_reason", "history_user__username")[:2]) == [
        ("提出", "staff_a"), ("入力内容を保存", "staff_a")
    ]  # fmt: skip


def test_a_submitted_record_is_read_only_for_staff(setting, client):
    record, staff = setting["record"], setting["staff"]
    fill(record)
    services.record_submit(record, by=staff)
    client.force_login(staff)
    url = reverse("admin:evaluation_projectrecord_change", args=[record.pk])
    assert 'name="self_grade_reason"' not in client.get(url).content.decode()
    response = client.post(url, _entry_data(reload(record), self_grade_reason="書き換え"))
    assert response.status_code == 403
    assert reload(record).self_grade_reason == "対象手続を予定どおり拡大した"


def test_a_refused_submission_keeps_what_was_typed_as_a_draft_and_on_screen(setting, client):
    client.force_login(setting["staff"])
    record = setting["record"]
    url = reverse("admin:evaluation_projectrecord_change", args=[record.pk])
    data = _entry_data(record, _submit="提出する", **{"action_results-0-completion": ""})
    response = client.post(url, data, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain == [(url, 302)]  # back on the same record, not a list
    page = response.content.decode()
    assert (
        "入力内容は保存しました（入力中）。未入力の項目があるため提出できません。"
        "次の項目を入力してください: 行動目標「対象手続を10件に拡大」の達成状況" in page
    )
    saved = reload(record)
    assert (saved.status, saved.self_grade_reason, saved.indicator_results.get().actual) == (
        RecordStatus.DRAFT, "予定どおり", Decimal(150)
    )  # fmt: skip
    assert "\n予定どおり</textarea>" in page and 'value="150' in page and "10件に拡大した</textarea>" in page


def test_the_workflow_urls_offer_no_submission_without_the_form(setting, client):
    client.force_login(setting["staff"])
    record = setting["record"]
    response = client.post(reverse("records:workflow", args=[record.pk, "submit"]))
    assert response.status_code == 404
    assert reload(record).status == RecordStatus.NOT_STARTED


def test_a_second_save_from_an_old_page_is_refused_naming_who_saved(setting, client):
    record, staff = setting["record"], setting["staff"]
    colleague = factories.user(
        "colleague",
        role=DEPARTMENT_STAFF,
        departments=[record.project.assignments.get().department],
        first_name="花子",
        last_name="相模",
    )
    url = reverse("admin:evaluation_projectrecord_change", args=[record.pk])
    loaded = reload(record)  # both open the page at version 0
    client.force_login(colleague)
    assert client.post(url, _entry_data(loaded, self_grade_reason="最初の保存")).status_code == 302
    client.force_login(staff)
    typed = _entry_data(loaded, self_grade_reason="二番目の保存", **{"indicator_results-0-actual": "60"})
    response = client.post(url, typed)
    assert response.status_code == 200
    errors = response.context["adminform"].form.non_field_errors()
    assert errors[0].startswith("この事業の年度評価は、あなたが画面を開いた後に花子 相模さんが更新しました（")
    page = response.content.decode()
    assert "\n二番目の保存</textarea>" in page  # what was typed stays on screen
    assert 'name="indicator_results-0-actual" value="60"' in page
    # ... beside the 評価案 and the rates of the record as saved, computed for the page shown again.
    assert "評価案（成果指標と行動目標から自動計算）：<strong>B（若干の遅れ）</strong>" in page
    saved_page = client.get(url)
    assert saved_page.status_code == 200
    assert 'name="indicator_results-0-actual" value="150"' in saved_page.content.decode()
    # The saved 150 against FY2025's 160: (150 − 100) ÷ (160 − 100), and 150 ÷ 160.
    rates = "進捗率 83.3%／達成率 93.8%（進捗率で評価）"
    assert _rates_cell(page) == _rates_cell(saved_page.content.decode()) == rates
    saved = reload(record)
    assert (saved.self_grade_reason, saved.version) == ("最初の保存", 1)


def test_staff_land_on_their_projects_and_see_what_is_missing(setting, client):
    client.force_login(setting["staff"])
    page = client.get(reverse("admin:index"), follow=True).content.decode()
    assert "<h1>担当事業の入力状況</h1>" in page
    assert "1-1-1-01 書かない窓口の推進" in page
    assert "自己評価" in page and "令和8年(2026年)6月30日" in page
    client.force_login(setting["other"])
    assert "書かない窓口の推進" not in client.get(reverse("records:mine")).content.decode()


def test_the_board_counts_states_per_department_and_flags_overdue(setting, client, plan):
    other_project = factories.project(
        setting["other"].memberships.get().department, code="3-2-1-01", measure_code="3-2"
    )
    services.records_prepare(
        type(other_project).objects.filter(pk=other_project.pk), setting["year"], by=setting["dx"]
    )
    fill(setting["record"])
    services.record_submit(setting["record"], by=setting["staff"])
    FiscalYear.objects.filter(pk=setting["year"].pk).update(deadline=datetime.date(2020, 4, 30))
    client.force_login(setting["dx"])
    response = client.get(reverse("records:board"))
    rows = [(row.department, row.counts, row.overdue) for row in response.context["rows"]]
    assert sorted(rows) == [("市民課", {"submitted": 1}, False), ("広報課", {"not_started": 1}, True)]
    assert "期限超過（未提出1件）" in response.content.decode()
    client.force_login(setting["staff"])
    assert client.get(reverse("records:board")).status_code == 404


def test_the_history_page_shows_who_changed_what_before_and_after(setting, client):
    record, staff, dx = setting["record"], setting["staff"], setting["dx"]
    fill(record)
    services.record_submit(record, by=staff)
    services.record_return(record, by=dx, comment="根拠を補足してください")
    client.force_login(dx)
    page = client.get(reverse("admin:evaluation_projectrecord_history", args=[record.pk])).content.decode()
    assert (
        "<title>変更の履歴：令和7年度（2025年度） 1-1-1-01 書かない窓口の推進 | ICT総合戦略 進捗管理</title>"
        in page
    )
    assert "差戻し: 根拠を補足してください" in page
    assert "<strong>進捗状況:</strong> 提出済み&nbsp;&rarr;&nbsp;差戻し" in page
    assert "<strong>DX推進課のコメント:</strong> （空欄）&nbsp;&rarr;&nbsp;根拠を補足してください" in page


def test_nobody_edits_a_locked_year_on_the_entry_page(setting, client):
    record, staff, dx, year = setting["record"], setting["staff"], setting["dx"], setting["year"]
    fill(record)
    services.record_submit(record, by=staff)
    services.record_approve(record, by=dx)
    services.fiscal_year_close(year, by=dx)
    services.fiscal_year_lock(year, by=dx)
    url = reverse("admin:evaluation_projectrecord_change", args=[record.pk])
    for user in (staff, dx):
        client.force_login(user)
        assert 'name="_save"' not in client.get(url).content.decode()
        response = client.post(url, _entry_data(reload(record), self_grade_reason="確定後の書き換え"))
        assert response.status_code == 403
    assert reload(record).self_grade_reason == "対象手続を予定どおり拡大した"


def _more_projects(setting, count):
    owner = setting["record"].project.assignments.get().department
    projects = [factories.project(owner, code=f"1-1-1-{n + 10:02d}") for n in range(count)]
    for project in projects:
        factories.action_goal(project, year=2025)
        factories.indicator(project)
    services.records_prepare(
        type(projects[0]).objects.filter(pk__in=[p.pk for p in projects]), setting["year"], by=setting["dx"]
    )


@pytest.mark.parametrize("extra", [0, 9])
def test_my_projects_and_the_board_keep_their_queries_with_more_records(
    setting, client, django_assert_num_queries, extra
):
    if extra:
        _more_projects(setting, extra)
    client.force_login(setting["staff"])
    mine = reverse("records:mine")
    client.get(mine)  # warm the content-type cache
    # session, user, groups (2), memberships and lineage (2), the current year, the records with
    # their results (3), the records' cycles, permissions (2), and the session save (3)
    with django_assert_num_queries(16):
        page = client.get(mine)
    assert len(page.context["rows"]) == 1 + extra
    client.force_login(setting["dx"])
    board = reverse("records:board")
    client.get(board)
    # session, user, groups (2), the current year, permissions (2, for the menu), the board's one
    # query, the years for the picker, and the session save (3)
    with django_assert_num_queries(12):
        response = client.get(board)
    assert [(row.department, row.total) for row in response.context["rows"]] == [("市民課", 1 + extra)]


def test_approving_with_a_grade_of_another_scale_is_refused(setting, client):
    from evaluation.models import GradeScale

    record = setting["record"]
    fill(record)
    services.record_submit(record, by=setting["staff"])
    foreign = GradeScale.objects.create(code="other", name="他市の区分").grades.create(
        code="S", label="特に優れる", short_label="特優", min_achievement=Decimal("1.1")
    )
    client.force_login(setting["dx"])
    url = reverse("records:workflow", args=[record.pk, "approve"])
    response = client.post(url, {"final_grade": foreign.pk, "reason": "x"}, follow=True)
    assert "選んだ評価区分はこの計画の評価区分ではありません。" in response.content.decode()
    assert reload(record).status == RecordStatus.SUBMITTED


def test_every_cycle_action_leaves_one_history_row_with_the_user(setting, client):
    record, dx, year = setting["record"], setting["dx"], setting["year"]
    fill(record)
    services.record_submit(record, by=setting["staff"])
    client.force_login(dx)
    approve = client.post(
        reverse("admin:evaluation_projectrecord_changelist") + "?year=2025",
        {"action": "approve_selected", "_selected_action": [record.pk]},
    )
    assert approve.status_code == 302
    years = reverse("admin:evaluation_fiscalyear_changelist")
    for action in ("start_review", "lock"):
        before = FiscalYear.history.filter(id=year.pk).count()
        client.post(years, {"action": action, "_selected_action": [year.pk]})
        assert FiscalYear.history.filter(id=year.pk).count() == before + 1
        assert FiscalYear.history.filter(id=year.pk).first().history_user == dx
    assert FiscalYear.objects.get(pk=year.pk).status == CycleStatus.LOCKED
    approvals = reload(record).history.filter(history_change_reason="承認")
    assert [(h.history_user, h.status) for h in approvals] == [(dx, RecordStatus.APPROVED)]


def test_a_refused_return_keeps_the_comment_typed(setting, client):
    record = setting["record"]
    fill(record)
    services.record_submit(record, by=setting["staff"])
    client.force_login(setting["dx"])
    url = reverse("admin:evaluation_projectrecord_change", args=[record.pk])
    response = client.post(
        reverse("records:workflow", args=[record.pk, "return"]), {"comment": "数値を\x07確認"}, follow=True
    )
    assert response.redirect_chain == [(url, 302)]
    page = response.content.decode()
    assert "制御文字（U+0007）が含まれています。削除してください。" in page
    assert 'required aria-required="true">数値を\x07確認</textarea>' in page
    assert reload(record).status == RecordStatus.SUBMITTED
    assert "数値を\x07確認</textarea>" not in client.get(url).content.decode()  # shown once, then gone
