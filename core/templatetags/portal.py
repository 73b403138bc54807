"""Display filters: fiscal years, era dates, percentages and grades, as the city writes them."""

from decimal import ROUND_HALF_UP, Decimal

from django import template

from core import fiscal

register = template.Library()


@register.filter
def fiscal_year(year):
    """2024 → 令和6年度（2024年度）"""
    return fiscal.fiscal_year_label(int(year)) if year not in (None, "") else "−"


@register.filter
def fiscal_year_short(year):
    """2024 → R6"""
    return fiscal.fiscal_year_short(int(year)) if year not in (None, "") else "−"


@register.filter
def wareki(day):
    """date(2024, 4, 1) → 令和6年(2024年)4月1日"""
    return fiscal.wareki_date(day) if day else "−"


@register.filter
def percent(value, places=1):
    """Decimal('0.825') → 82.5%, rounded half up (四捨五入) as public documents do; no figure → −

    Only display rounds: figures are kept unrounded, and grades compare the same rounded value.
    """
    if value is None or value == "":
        return "−"
    shown = (Decimal(str(value)) * 100).quantize(Decimal(1).scaleb(-int(places)), rounding=ROUND_HALF_UP)
    return f"{shown}%"


@register.filter
def number(value, places=0):
    """A value with at least its indicator's decimals, every digit it has (up to the 4 stored places),
    no trailing zeros beyond those, and thousands separators: 22.5 → 「22.5」, 25.0000 → 「25」; none → −"""
    if value is None or value == "":
        return "−"
    value = Decimal(value)
    shown = value.quantize(Decimal(1).scaleb(-shown_places(value, int(places))), rounding=ROUND_HALF_UP)
    return f"{shown:,f}"


def shown_places(value: Decimal, places: int) -> int:
    """The decimal places to show `value` with: its indicator's, or more when it has more digits."""
    digits = -value.normalize().as_tuple().exponent if value.is_finite() else 0
    return min(max(places, digits), 4)


@register.filter
def get_count(counts, key):
    """A count from a dict of counts; 0 when absent."""
    return counts.get(key, 0)
