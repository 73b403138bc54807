"""The project catalogue in and out of a spreadsheet, for the DX office: keyed on natural codes
(a re-import updates, never duplicates), each change previewed and confirmed, all rows or none,
history written with the reason, and nothing of it for department staff."""

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from core.roles import DEPARTMENT_STAFF, DX_OFFICE, VIEWER
from projects.models import ActionGoal, OutcomeIndicator, Project, ProjectAssignment
from projects.services import REVISION_ONLY
from strategy.models import Department, PlanRevision
from tests import factories
from tests.evaluation.sheets import problems, shown_messages, table, workbook_bytes

PROJECT_HEADERS = [
    "計画", "事業番号", "事業名", "事業概要", "施策番号", "主な取組番号", "所管課コード", "所管課名（参考）",
    "開始年度", "終了年度", "状態", "統合先の事業番号",
]  # fmt: skip
REASON = "実施事業集（令和8年4月版）の取り込み"


@pytest.fixture
def catalogue(plan):
    citizens = factories.department("市民課", code="S01")
    factories.department("広報課", code="S02")
    project = factories.project(
        citizens, code="1-1-1-01", name="書かない窓口の推進", summary="窓口の手続をオンライン化する"
    )
    factories.indicator(project, code="1", name="対象手続数", unit="件")
    factories.action_goal(project, year=2025, number=1, description="対象手続を20件増やす")
    return {
        "dx": factories.user("dx", role=DX_OFFICE, first_name="一郎", last_name="電子"),
        "staff": factories.user("staff", role=DEPARTMENT_STAFF, departments=[citizens]),
        "project": project,
    }


def _url(model: str, step: str) -> str:
    return reverse(f"admin:projects_{model}_{step}")


def _export(client, model="project"):
    response = client.post(_url(model, "export"), {"format": "0", "resource": "0"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return load_workbook(io.BytesIO(response.content))


def _rows(workbook) -> list[list]:
    return [[cell.value for cell in row] for row in workbook.active.iter_rows()]


def _preview(client, workbook, model="project", name="catalogue.xlsx", reason=REASON):
    content = workbook if isinstance(workbook, bytes) else workbook_bytes(workbook)
    upload = SimpleUploadedFile(name, content)
    return client.post(
        _url(model, "import"), {"import_file": upload, "format": "0", "resource": "0", "reason": reason}
    )


def _confirm(client, preview, model="project"):
    form = preview.context["confirm_form"]
    data = {name: form.initial.get(name, "") for name in form.fields}
    return client.post(_url(model, "process_import"), data, follow=True)


def _histories() -> tuple[int, ...]:
    return tuple(m.history.count() for m in (Project, ProjectAssignment, ActionGoal, OutcomeIndicator))


def test_the_dx_office_exports_the_catalogue_as_the_import_takes_it(catalogue, client):
    client.force_login(catalogue["dx"])
    rows = _rows(_export(client))
    assert rows[0] == PROJECT_HEADERS
    assert rows[1] == [
        "ict2", "1-1-1-01", "書かない窓口の推進", "窓口の手続をオンライン化する", "1-1", None, "S01", "市民課",
        2024, None, "実施中", None,
    ]  # fmt: skip


def test_the_round_trip_changes_nothing_and_writes_no_history(catalogue, client):
    client.force_login(catalogue["dx"])
    before = _histories()
    preview = _preview(client, _export(client))
    assert [row[0] for row in table(preview, "")] == []  # no problems table
    response = _confirm(client, preview)
    assert shown_messages(response) == ["事業を取り込みました（追加0件、変更0件、変更なし1件）。"]
    assert _histories() == before
    assert Project.objects.count() == 1


def test_a_reimport_updates_the_row_and_its_history_says_who_and_why(catalogue, client):
    client.force_login(catalogue["dx"])
    workbook = _export(client)
    workbook.active["C2"] = "書かない窓口の全庁展開"
    preview = _preview(client, workbook)
    assert (preview.context["result"].totals["update"], preview.context["result"].totals["new"]) == (1, 0)
    # The preview shows each changed cell, what goes and what comes.
    assert (
        '<td><span>書かない窓口の</span><del style="background:#ffe6e6;">推進</del>'
        '<ins style="background:#e6ffe6;">全庁展開</ins></td>'
    ) in preview.content.decode()
    _confirm(client, preview)
    project = Project.objects.get()  # updated, not duplicated
    assert project.name == "書かない窓口の全庁展開"
    latest = project.history.first()
    assert (latest.history_user, latest.history_change_reason) == (catalogue["dx"], REASON)


def test_a_new_project_is_added_as_a_plan_revision(catalogue, client):
    client.force_login(catalogue["dx"])
    workbook = _export(client)
    workbook.active.append(
        [
            "ict2",
            "２－１－１－０１",
            "RPAの全庁導入",
            "",
            "2-1",
            "１",
            "S02",
            "",
            "２０２６",
            None,
            "実施中",
            None,
        ]
    )
    preview = _preview(client, workbook)
    assert preview.context["result"].totals["new"] == 1
    assert Project.objects.count() == 1  # the preview saved nothing
    response = _confirm(client, preview)
    assert shown_messages(response) == ["事業を取り込みました（追加1件、変更0件、変更なし1件）。"]
    added = Project.objects.get(code="2-1-1-01")
    assert (added.measure.code, added.initiative.number, added.start_year) == ("2-1", 1, 2026)
    assert added.assignments.get().department.name == "広報課"
    revision = PlanRevision.objects.get()
    assert (revision.kind, revision.reason, revision.effective_year) == ("project_added", REASON, 2026)
    assert added.history.first().history_user == catalogue["dx"]


def test_what_changed_between_preview_and_confirm_saves_nothing(catalogue, client):
    client.force_login(catalogue["dx"])
    workbook = _export(client)
    workbook.active["C2"] = "書かない窓口の全庁展開"
    workbook.active.append(
        ["ict2", "2-1-1-01", "RPAの全庁導入", "", "2-1", None, "S02", "", 2026, None, "実施中", None]
    )
    preview = _preview(client, workbook)
    Department.objects.get(code="S02").delete()  # the section is gone before the confirmation
    response = _confirm(client, preview)
    assert problems(response) == [["3", "所管課コード", "「S02」に当たる、いまある課がありません。"]]
    assert (Project.objects.get().name, Project.objects.count()) == ("書かない窓口の推進", 1)


def test_one_bad_row_among_many_saves_nothing_and_names_row_and_column(catalogue, client):
    client.force_login(catalogue["dx"])
    workbook = _export(client)
    for number in range(2, 60):
        workbook.active.append(
            [
                "ict2",
                f"2-1-1-{number:02d}",
                f"事業{number}",
                "",
                "2-1",
                None,
                "S02",
                "",
                2026,
                None,
                "実施中",
                None,
            ]
        )
    workbook.active["E40"] = "9-9"
    workbook.active["K41"] = "検討中"
    assert problems(_preview(client, workbook)) == [
        ["40", "施策番号", "「9-9」に当たる施策がありません。番号を確かめてください。"],
        [
            "41",
            "状態",
            "「検討中」は状態に使えません。実施中・完了・休止・廃止・統合のいずれかを入力してください。",
        ],
    ]
    assert Project.objects.count() == 1


def test_a_row_twice_is_refused_naming_both_rows(catalogue, client):
    client.force_login(catalogue["dx"])
    workbook = _export(client)
    workbook.active.append(list(_rows(workbook)[1]))
    assert problems(_preview(client, workbook)) == [
        ["3", "（行全体）", "2行目と3行目は同じ計画・事業番号の行です。どちらか一方を削除してください。"]
    ]


def test_once_the_plan_has_begun_revisions_are_refused_with_the_action_to_use(catalogue, client):
    client.force_login(catalogue["dx"])
    workbook = _export(client)
    workbook.active["E2"] = "1-2"  # another measure
    workbook.active["G2"] = "S02"  # another department
    assert problems(_preview(client, workbook)) == [
        ["2", "所管課コード", "所管課の変更は、事業一覧の操作「所管課を変更する」で、適用する年度と理由を付けて行ってください。"],
    ]  # fmt: skip
    workbook.active["G2"] = "S01"
    assert problems(_preview(client, workbook)) == [["2", "施策番号", REVISION_ONLY]]
    assert Project.objects.get().measure.code == "1-1"


def test_the_reason_is_required(catalogue, client):
    client.force_login(catalogue["dx"])
    response = _preview(client, _export(client), reason="")
    assert (
        '<ul class="errorlist" id="id_reason_error"><li>このフィールドは必須です。</li></ul>'
        in response.content.decode()
    )
    assert "confirm_form" not in response.context


def test_a_file_that_is_not_a_spreadsheet_is_refused_with_its_reason(catalogue, client):
    client.force_login(catalogue["dx"])
    response = _preview(client, b"%PDF-1.7\n%\xe2\xe3\xcf\xd3")
    message = "このファイルはExcelファイル（.xlsx）でもCSVファイル（.csv）でもありません。名前を .xlsx に変えただけのファイルは読めません。Excelで開いて「Excelブック（.xlsx）」として保存し直してください。"
    assert (
        f'<ul class="errorlist" id="id_import_file_error"><li>{message}</li></ul>'
        in response.content.decode()
    )


FORMULAS = ['=HYPERLINK("http://example.invalid")', "+1", "-1", "@x"]
# Where each export carries the payload: the model, the object's text field, the cell; and a number.
PAYLOAD_CELLS = {
    "project": ("name", "C2", "I2", 2024),
    "actiongoal": ("description", "F2", "D2", 2025),
    "outcomeindicator": ("name", "D2", "L2", 200),
}


@pytest.mark.parametrize("model", list(PAYLOAD_CELLS))
@pytest.mark.parametrize("formula", FORMULAS)
def test_a_formula_goes_out_as_text_and_comes_back_unchanged(catalogue, client, model, formula):
    field, cell, number_cell, number = PAYLOAD_CELLS[model]
    obj = {
        "project": catalogue["project"],
        "actiongoal": ActionGoal.objects.get(),
        "outcomeindicator": OutcomeIndicator.objects.get(),
    }[model]
    setattr(obj, field, formula)
    obj.save()
    client.force_login(catalogue["dx"])
    workbook = _export(client, model)
    sheet = workbook.active
    assert (sheet[cell].value, sheet[cell].data_type) == (f"'{formula}", "s")
    assert (sheet[number_cell].value, sheet[number_cell].data_type) == (number, "n")  # numbers stay numbers
    assert not [c.coordinate for row in sheet.iter_rows() for c in row if c.data_type == "f"]
    before = _histories()
    response = _confirm(client, _preview(client, workbook, model), model)
    assert shown_messages(response)[0].endswith("（追加0件、変更0件、変更なし1件）。")
    obj.refresh_from_db()
    assert (getattr(obj, field), _histories()) == (formula, before)


def test_a_department_named_like_a_formula_goes_out_as_text(catalogue, client):
    department = catalogue["project"].assignments.get().department
    department.name = "=1+1"
    department.save()
    client.force_login(catalogue["dx"])
    cell = _export(client).active["H2"]
    assert (cell.value, cell.data_type) == ("'=1+1", "s")


def test_indicators_come_with_a_column_per_year_for_their_targets(catalogue, client):
    client.force_login(catalogue["dx"])
    indicator = OutcomeIndicator.objects.get()
    indicator.targets.create(fiscal_year=2025, value=Decimal(150))
    rows = _rows(_export(client, "outcomeindicator"))
    header = rows[0]
    assert header[:4] == ["計画", "事業番号", "指標番号", "指標名"]
    assert header[-8:] == [f"{year}年度目標値" for year in range(2020, 2028)]
    assert rows[1][-8:] == [None, None, None, None, None, 150, None, None]
    # A new indicator gets its targets; the existing one cannot change them once the plan began.
    workbook = _export(client, "outcomeindicator")
    sheet = workbook.active
    new = list(rows[1])
    new[2], new[3] = "2", "電子申請の件数"
    new[-3] = 5000  # 2025
    sheet.append(new)
    _confirm(client, _preview(client, workbook, "outcomeindicator"), "outcomeindicator")
    added = OutcomeIndicator.objects.get(code="2")
    assert {t.fiscal_year: t.value for t in added.targets.all()} == {2025: Decimal(5000)}
    sheet.cell(2, len(header) - 2).value = 160
    assert problems(_preview(client, workbook, "outcomeindicator")) == [["2", "年度目標値", REVISION_ONLY]]


def test_action_goals_are_keyed_on_project_year_and_number(catalogue, client):
    client.force_login(catalogue["dx"])
    workbook = _export(client, "actiongoal")
    assert _rows(workbook) == [
        ["計画", "事業番号", "事業名（参考）", "年度", "番号", "行動目標"],
        ["ict2", "1-1-1-01", "書かない窓口の推進", 2025, 1, "対象手続を20件増やす"],
    ]
    workbook.active["F2"] = "対象手続を30件増やす"
    workbook.active.append(["ict2", "1-1-1-01", "", 2026, 1, "全手続をオンライン化する"])
    _confirm(client, _preview(client, workbook, "actiongoal"), "actiongoal")
    assert list(ActionGoal.objects.order_by("fiscal_year").values_list("fiscal_year", "description")) == [
        (2025, "対象手続を30件増やす"),
        (2026, "全手続をオンライン化する"),
    ]


@pytest.mark.parametrize("model", ["project", "actiongoal", "outcomeindicator"])
@pytest.mark.parametrize("who", ["staff", "viewer"])
def test_staff_and_viewers_see_no_buttons_and_cannot_reach_the_addresses(catalogue, client, model, who):
    user = catalogue["staff"] if who == "staff" else factories.user("viewer", role=VIEWER)
    client.force_login(user)
    page = client.get(_url(model, "changelist")).content.decode()
    assert _url(model, "import") not in page
    assert _url(model, "export") not in page
    assert client.get(_url(model, "import")).status_code == 403
    assert client.post(_url(model, "export"), {"format": "0"}).status_code == 403
    assert client.post(_url(model, "process_import"), {}).status_code == 403


def test_the_dx_office_sees_both_buttons(catalogue, client):
    client.force_login(catalogue["dx"])
    page = client.get(_url("project", "changelist")).content.decode()
    assert f'href="{_url("project", "import")}"' in page.replace("'", '"')
    assert _url("project", "export") in page


def test_confirming_a_file_not_previewed_by_this_user_is_refused(catalogue, client):
    client.force_login(catalogue["dx"])
    data = {
        "import_file_name": "/etc/passwd",
        "original_file_name": "x.xlsx",
        "format": "0",
        "reason": REASON,
    }
    response = client.post(_url("project", "process_import"), data, follow=True)
    assert shown_messages(response) == ["確認した表が見つかりません。もう一度ファイルを選んでください。"]


def test_a_missing_key_column_is_named(catalogue, client):
    client.force_login(catalogue["dx"])
    workbook = Workbook()
    workbook.active.append(["事業番号", "事業名"])
    workbook.active.append(["1-1-1-01", "書かない窓口"])
    assert problems(_preview(client, workbook)) == [
        ["−", "ファイル", "次の列がありません: 計画。書き出した表の見出しを変えずに使ってください。"]
    ]


# The session, the user, the user's groups (2), the permissions (2); then the rows with what they
# show; the session saved (3). Projects: the list's plan filter, a count, the projects, their
# departments. Action goals: the goals with their projects. Indicators: the plans' years (for the
# target columns), a count, the indicators, their targets.
EXPORT_QUERIES = {"project": 13, "actiongoal": 10, "outcomeindicator": 13}


@pytest.mark.parametrize("model", ["project", "actiongoal", "outcomeindicator"])
def test_exports_keep_their_query_count_for_one_row_and_many(
    catalogue, client, django_assert_num_queries, model
):
    client.force_login(catalogue["dx"])
    for _ in range(2):
        with django_assert_num_queries(EXPORT_QUERIES[model]):
            _export(client, model)
        for _ in range(3):
            more = factories.project(Department.objects.get(code="S02"), measure_code="2-1")
            factories.indicator(more, code="1")
            factories.action_goal(more, year=2025)


def test_the_import_page_states_the_limits_and_asks_for_a_reason(catalogue, client):
    client.force_login(catalogue["dx"])
    page = client.get(_url("project", "import"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "取り込めるファイル: .xlsx または .csv（UTF-8・Shift_JIS）、10 MB・20,000行まで。" in html
    assert '<label for="id_reason">取り込みの理由:</label>' in html
