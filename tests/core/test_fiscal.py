import datetime

import pytest
from django.template import Context, Template

from core.fiscal import fiscal_year_label, fiscal_year_of, fiscal_year_short, wareki_date


@pytest.mark.parametrize(
    ("year", "label", "short"),
    [
        (2024, "令和6年度（2024年度）", "R6"),
        (2027, "令和9年度（2027年度）", "R9"),
        (2019, "令和元年度（2019年度）", "R1"),
        (2018, "平成30年度（2018年度）", "H30"),
        (2020, "令和2年度（2020年度）", "R2"),
    ],
)
def test_fiscal_year_labels(year, label, short):
    assert fiscal_year_label(year) == label
    assert fiscal_year_short(year) == short


def test_fiscal_year_runs_april_to_march():
    assert fiscal_year_of(datetime.date(2024, 4, 1)) == 2024
    assert fiscal_year_of(datetime.date(2025, 3, 31)) == 2024


def test_era_dates_put_the_western_year_in_brackets():
    assert wareki_date(datetime.date(2024, 4, 1)) == "令和6年(2024年)4月1日"
    assert wareki_date(datetime.date(2019, 4, 30)) == "平成31年(2019年)4月30日"
    assert wareki_date(datetime.date(2019, 5, 1)) == "令和元年(2019年)5月1日"


def test_template_filters():
    template = Template(
        "{% load portal %}{{ y|fiscal_year }} {{ y|fiscal_year_short }} {{ r|percent }} {{ n|number:1 }} {{ none|percent }}"
    )
    rendered = template.render(Context({"y": 2025, "r": "0.825", "n": "12345.60", "none": None}))
    assert rendered == "令和7年度（2025年度） R7 82.5% 12,345.6 −"
    # A value never loses a digit it has: an interpolated 22.5 of a whole-number indicator stays 22.5.
    digits = Template("{% load portal %}{{ a|number:0 }} {{ b|number:1 }} {{ c|number:0 }}")
    assert digits.render(Context({"a": "22.5", "b": "25.0000", "c": "1234.00005"})) == "22.5 25.0 1,234.0001"
