"""The seed_scale data set for the benchmarks: `scale_data()` fills the (throwaway) database bench/run.py
has created, so the pages and the roll-up are measured at city size.
"""

import datetime

from evaluation.scale import scale_load
from strategy.models import Plan


def scale_data(projects: int = 2000, seed: int = 2024) -> Plan:
    """Create the seed_scale data (reference data must be loaded); returns the plan. About 2 minutes on
    SQLite for 2,000 projects."""
    scale_load(projects=projects, seed=seed, password="bench-only-password", today=datetime.date(2027, 5, 1))
    return Plan.objects.get(code="ict2")
