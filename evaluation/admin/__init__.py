"""The admin: reference data and the yearly cycle (`cycle`), and the staff's entry pages (`records`)."""

from evaluation.admin import cycle, records

__all__ = ["cycle", "records"]
