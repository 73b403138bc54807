"""`load_plan` after a deployment: creates what is missing, keeps the city's edits and lists them,
puts the fixture's values back only when told to, and records every write in the history."""

import io
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from evaluation.services.reference import PLAN_FIXTURE, reference_data_load
from measures.models import Initiative, Measure

KEPT = "基準データと異なる項目（データベースの値を残しました。基準データの値に戻すには --overwrite を付けて実行してください）:"
RESTORED = "基準データと異なっていた項目（--overwrite のため基準データの値に戻しました。履歴に残っています）:"
AIM = "デジタル技術の活用により業務効率化を図り、人的資源を行政サービスの更なる向上につなげます。"


def load_plan(*args) -> list[str]:
    out = io.StringIO()
    call_command("load_plan", *args, stdout=out)
    return out.getvalue().splitlines()


@pytest.fixture
def edited(plan):
    """An initiative title and a measure aim the city has changed in the admin."""
    initiative = Initiative.objects.get(measure__plan=plan, measure__code="1-1", number=1)
    initiative.title = "電子申請の利用拡大"
    initiative.save()
    measure = Measure.objects.get(plan=plan, code="2-1")
    measure.aim = "業務効率化を図ります。\n生成AIも活用します。"
    measure.save()
    return initiative, measure


def _differences(header: str) -> list[str]:
    return [
        header,
        "- 主な取組（ict2 1-1 1）「主な取組」",
        "    基準データ　: 電子申請の利用促進",
        "    データベース: 電子申請の利用拡大",
        "- 施策（ict2 2-1）「施策の方向性」",
        f"    基準データ　: {AIM}",
        "    データベース: 業務効率化を図ります。",
        "                  生成AIも活用します。",
    ]


def test_the_citys_edits_are_kept_and_listed(edited):
    initiative, measure = edited
    history = (initiative.history.count(), measure.history.count())
    assert load_plan() == [
        *_differences(KEPT),
        "計画の基本データを読み込みました（追加 0件、基準データと異なる項目 2件）。",
    ]
    initiative.refresh_from_db()
    measure.refresh_from_db()
    assert (initiative.title, measure.aim) == (
        "電子申請の利用拡大",
        "業務効率化を図ります。\n生成AIも活用します。",
    )
    assert (initiative.history.count(), measure.history.count()) == history


def test_overwrite_restores_the_fixture_with_the_reason_in_the_history(edited):
    initiative, measure = edited
    assert load_plan("--overwrite") == [
        *_differences(RESTORED),
        "計画の基本データを読み込みました（追加 0件、基準データと異なる項目 2件、基準データの値に戻しました）。",
    ]
    initiative.refresh_from_db()
    measure.refresh_from_db()
    assert (initiative.title, measure.aim) == ("電子申請の利用促進", AIM)
    for obj, field, value in ((initiative, "title", "電子申請の利用促進"), (measure, "aim", AIM)):
        latest = obj.history.first()
        assert (
            latest.history_type,
            latest.history_change_reason,
            latest.history_user,
            getattr(latest, field),
        ) == (
            "~",
            "基準データの読込",
            None,
            value,
        )
    assert load_plan() == ["計画の基本データを読み込みました（追加 0件、基準データと異なる項目 0件）。"]


def test_a_missing_row_is_created_with_history(plan):
    Initiative.objects.get(measure__plan=plan, measure__code="3-3", number=1).delete()
    assert load_plan() == [
        "追加: 主な取組（ict2 3-3 1）",
        "計画の基本データを読み込みました（追加 1件、基準データと異なる項目 0件）。",
    ]
    created = Initiative.objects.get(measure__plan=plan, measure__code="3-3", number=1)
    assert created.title == "職員のICTスキルの向上"
    assert [(h.history_type, h.history_change_reason, h.history_user) for h in created.history.all()] == [
        ("+", "基準データの読込", None)
    ]


def test_a_fixture_text_with_a_radical_is_refused_and_nothing_is_written(plan, tmp_path):
    entries = json.loads(PLAN_FIXTURE.read_text(encoding="utf-8"))
    for entry in entries:
        if entry["model"] == "measures.initiative" and entry["fields"]["measure"] == ["ict2", "1-1"]:
            entry["fields"]["title"] = {1: "電⼦申請の利用促進", 2: "キャッシュレス化の推進\x0bと拡大"}.get(
                entry["fields"]["number"], entry["fields"]["title"]
            )
    fixture = tmp_path / "plan.json"
    fixture.write_text(json.dumps(entries, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(ValidationError) as caught:
        reference_data_load(overwrite=True, fixture=fixture)
    assert caught.value.messages == [
        "基準データの主な取組（ict2 1-1 1）「主な取組」: 部首の形をした文字が含まれています（PDFからの貼り付けによるものです）。"
        "通常の漢字に直してください: 「⼦」→「子」"
    ]
    assert list(
        Initiative.objects.filter(measure__plan=plan, measure__code="1-1").values_list("title", flat=True)
    ) == ["電子申請の利用促進", "キャッシュレス化の推進", "行政手続のワンストップサービスの推進"]


def test_a_fixture_naming_rows_further_down_loads_the_same(db, tmp_path):
    entries = json.loads(PLAN_FIXTURE.read_text(encoding="utf-8"))
    # The second plan's measures first: their predecessors (first-plan measures) come later.
    first_plan_measures = [
        e for e in entries if e["model"] == "measures.measure" and e["fields"]["plan"] == ["ict1"]
    ]
    reordered = [e for e in entries if e not in first_plan_measures] + first_plan_measures
    fixture = tmp_path / "plan.json"
    fixture.write_text(json.dumps(reordered, ensure_ascii=False), encoding="utf-8")
    load = reference_data_load(fixture=fixture)
    assert (len(load.created), load.differences) == (44, [])
    predecessors = {
        measure.code: sorted(p.code for p in measure.predecessors.all())
        for measure in Measure.objects.filter(plan__code="ict2").prefetch_related("predecessors")
    }
    assert predecessors == {
        "1-1": ["1-1"],
        "1-2": ["1-2"],
        "2-1": ["2-1", "2-2"],
        "2-2": ["2-3"],
        "2-3": [],
        "3-1": ["3-1"],
        "3-2": ["3-2"],
        "3-3": ["3-3"],
    }
    assert reference_data_load().differences == []
