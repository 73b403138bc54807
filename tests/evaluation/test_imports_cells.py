"""Cells as staff type them: full-width digits and signs are read (NFKC), and every number the
column cannot hold is named with its own message, by row and column; nothing is saved then."""

from decimal import Decimal

import pytest
from openpyxl import Workbook

from evaluation.models import IndicatorResult, ProjectRecord
from tests.evaluation.sheets import HEADERS, problems, upload, upload_and_confirm


def _sheet(actual, *, year=2025, code="1-1-1-01", indicator="1", version=0, status="確定値"):
    workbook = Workbook()
    workbook.active.append(HEADERS)
    workbook.active.append([code, "", year, indicator, "", "", None, "", actual, status, None, version])
    return workbook


def test_full_width_input_is_read_as_half_width(year_open, client):
    client.force_login(year_open)
    upload_and_confirm(
        client,
        _sheet("１，２３４．５", year="２０２５", code="１－１－１－０１", indicator="１", version="０"),
    )
    result = IndicatorResult.objects.get(record__project__code="1-1-1-01", indicator__code="1")
    assert (result.actual, result.actual_status) == (Decimal("1234.5"), "confirmed")
    assert ProjectRecord.objects.get(project__code="1-1-1-01").version == 1


def test_a_minus_sign_from_a_japanese_keyboard_is_a_minus(year_open, client):
    """A rate may fall below zero: 「−２．５」 (U+2212) on a ％ indicator is -2.5."""
    indicator = IndicatorResult.objects.get(record__project__code="1-1-1-01", indicator__code="1").indicator
    indicator.kind = "rate"
    indicator.save()
    client.force_login(year_open)
    upload_and_confirm(client, _sheet("\u2212２．５"))
    assert IndicatorResult.objects.get(indicator=indicator).actual == Decimal("-2.5")


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        (1e308, "「1e+308」は大きすぎます。実績値は整数部分12桁（999,999,999,999）までで入力してください。"),
        ("1e308", "「1e308」は大きすぎます。実績値は整数部分12桁（999,999,999,999）までで入力してください。"),
        (10**12, "「1000000000000」は大きすぎます。実績値は整数部分12桁（999,999,999,999）までで入力してください。"),
        ("inf", "「inf」は数値として扱えません（無限大や非数は入力できません）。半角の数値で入力してください（例: 1234.5）。"),
        ("-Infinity", "「-Infinity」は数値として扱えません（無限大や非数は入力できません）。半角の数値で入力してください（例: 1234.5）。"),
        ("nan", "「nan」は数値として扱えません（無限大や非数は入力できません）。半角の数値で入力してください（例: 1234.5）。"),
        ("0.12345", "「0.12345」は小数点以下が5桁以上あります。小数点以下は4桁までで入力してください。"),
        ("12件", "「12件」は数値ではありません。半角の数値で入力してください（例: 1234.5）。数値がないときは空欄にして、実績の状態を選びます。"),
        (-5, "実績値がマイナスです（-5）。この指標は種類が「単年度（人/年・件/年）」で件数や人数を数えるため、0以上の数値を入力してください。"),
        ("－５", "実績値がマイナスです（-5）。この指標は種類が「単年度（人/年・件/年）」で件数や人数を数えるため、0以上の数値を入力してください。"),
    ],
    ids=["1e308", "1e308-text", "13-digits", "inf", "-infinity", "nan", "five-places", "unit", "negative", "negative-full-width"],
)  # fmt: skip
def test_a_number_the_column_cannot_hold_is_named(year_open, client, typed, message):
    client.force_login(year_open)
    assert problems(upload(client, _sheet(typed))) == [["2", "実績値", message]]
    assert IndicatorResult.objects.filter(actual__isnull=False).count() == 0


def test_a_version_typed_over_is_refused(year_open, client):
    """A 版 larger than the record's is no proof of what the user saw: it never passes as current."""
    client.force_login(year_open)
    assert problems(upload(client, _sheet(170, version=7))) == [
        ["2", "版", "版（7）がこの事業の今の版（0）より大きくなっています。ダウンロードした表の値を変えないでください。"]
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("column", "cells", "message"),
    [
        ("年度", {"year": 2025.5}, "年度は西暦の数字で入力してください（例: 2025）。「2025.5」は使えません。"),
        ("年度", {"year": None}, "年度が空欄です。ダウンロードした表の番号を変えずに使ってください。"),
        ("事業番号", {"code": " "}, "事業番号が空欄です。ダウンロードした表の番号を変えずに使ってください。"),
        ("版", {"version": "最新"}, "版は数字です。ダウンロードした表の値を変えないでください（「最新」になっています）。"),
        ("版", {"version": -1}, "版は数字です。ダウンロードした表の値を変えないでください（「-1」になっています）。"),
        ("実績の状態", {"status": "だいたい"}, "「だいたい」は実績の状態に使えません。未入力・確定値・速報値・集計中・調査未実施のいずれかを入力してください。"),
    ],
    ids=["half-year", "no-year", "no-code", "version-text", "version-negative", "status"],
)  # fmt: skip
def test_a_key_or_choice_that_cannot_be_read_is_named(year_open, client, column, cells, message):
    client.force_login(year_open)
    assert problems(upload(client, _sheet(170, **cells))) == [["2", column, message]]
