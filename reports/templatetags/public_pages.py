"""Filters of the public pages: years, dates and labels in the visitor's language, data marked Japanese."""

from django import template
from django.utils.html import conditional_escape, format_html

from reports.public import labels

register = template.Library()


@register.filter(needs_autoescape=True)
def ja(value, autoescape=True):
    """Data written in Japanese (names, aims, main results) as it is, marked `lang="ja"` on a page read
    in English, so that screen readers speak it as Japanese (WCAG 3.1.2, language of parts)."""
    if value in (None, ""):
        return ""
    if not labels.english():
        return conditional_escape(value) if autoescape else value
    return format_html('<span lang="ja">{}</span>', value)


@register.filter
def year(value):
    """2024 → 令和6年度（2024年度）, FY2024 in English."""
    return labels.year_text(int(value)) if value not in (None, "") else "−"


@register.filter
def year_short(value):
    """2024 → R6, FY2024 in English."""
    return labels.year_brief(int(value)) if value not in (None, "") else "−"


@register.filter
def day(value):
    """A date: 令和7年(2025年)8月31日, 31 August 2025 in English."""
    return labels.date_text(value) if value else "−"


LABELS = {
    "direction": labels.DIRECTIONS,
    "kind": labels.KINDS,
    "actual_status": labels.ACTUAL_STATUSES,
    "lineage": labels.LINEAGES,
    "plan_status": labels.PLAN_STATUSES,
    "project_status": labels.PROJECT_STATUSES,
}


@register.filter
def label(value, kind):
    """An enum's value in words: {{ indicator.direction|label:"direction" }} → 増加を目指す / Increase."""
    return LABELS[kind].get(value, value)
