"""Japanese fiscal years and era dates, for display.

A fiscal year is stored as the Western year in which it starts (2024 = 2024-04-01 … 2025-03-31).
Pure functions: nothing of ours is imported here.
"""

import datetime

# (first day of the era, era name); newest first.
ERAS = (
    (datetime.date(2019, 5, 1), "令和"),
    (datetime.date(1989, 1, 8), "平成"),
)


def fiscal_year_of(day: datetime.date) -> int:
    return day.year if day.month >= 4 else day.year - 1


def _era_year(day: datetime.date) -> tuple[str, str]:
    for start, name in ERAS:
        if day >= start:
            number = day.year - start.year + 1
            return name, "元" if number == 1 else str(number)
    raise ValueError(f"{day} is before the eras this portal knows")


def fiscal_year_era(year: int) -> tuple[str, str]:
    """The era and its year for a fiscal year.

    The era is the one in force on the fiscal year's last day and the number counts from the era's
    first calendar year, as the city writes them: FY2024 is 令和6年度, and FY2019, which began in
    Heisei (April 2019), is 令和元年度.
    """
    last_day = datetime.date(year + 1, 3, 31)
    for start, name in ERAS:
        if last_day >= start:
            number = year - start.year + 1
            return name, "元" if number == 1 else str(number)
    raise ValueError(f"FY{year} is before the eras this portal knows")


def fiscal_year_label(year: int) -> str:
    """令和6年度（2024年度）"""
    era, number = fiscal_year_era(year)
    return f"{era}{number}年度（{year}年度）"


def fiscal_year_short(year: int) -> str:
    """R6, for dense tables."""
    era, number = fiscal_year_era(year)
    initial = {"令和": "R", "平成": "H"}[era]
    return f"{initial}{1 if number == '元' else number}"


def wareki_date(day: datetime.date) -> str:
    """令和6年(2024年)4月1日"""
    era, number = _era_year(day)
    return f"{era}{number}年({day.year}年){day.month}月{day.day}日"
