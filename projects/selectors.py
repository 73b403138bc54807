"""Reading implementation projects' data for many rows at once."""

from collections import defaultdict
from decimal import Decimal

from projects.models import OutcomeIndicatorTarget


def yearly_targets(indicator_ids) -> dict[int, dict[int, Decimal]]:
    """The year targets the plan states for each outcome indicator, by year, in one query: what
    `OutcomeIndicator.spec` takes for a list without reading each indicator's `targets`."""
    targets = defaultdict(dict)
    rows = OutcomeIndicatorTarget.objects.filter(indicator__in=indicator_ids).values_list(
        "indicator_id", "fiscal_year", "value"
    )
    for indicator_id, year, value in rows:
        targets[indicator_id][year] = value
    return dict(targets)
