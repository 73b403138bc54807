"""The `percent` filter rounds half up (四捨五入) as public documents do, and agrees with the grades."""

from decimal import Decimal

import pytest
from django.template import Context, Template

from strategy.achievement import percent_text


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (Decimal("0.8225"), "82.3%"),  # half to even would print 82.2%
        (Decimal("0.8245"), "82.5%"),
        (Decimal("0.99996"), "100.0%"),
        (0.8225, "82.3%"),  # a float from stored JSON, read as written
        (None, "−"),
    ],
)
def test_percent_rounds_half_up_as_the_arithmetic_does(value, shown):
    rendered = Template("{% load portal %}{{ value|percent }}").render(Context({"value": value}))
    assert rendered == shown == percent_text(None if value is None else Decimal(str(value)))
