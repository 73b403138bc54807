"""Writes of the evaluation app: one function for each change of state, split by job.

Each service records who acted (simple-history's `_history_user`) and why (`_change_reason`) and
is the only path for its change: the admin, its actions, the spreadsheet import and the commands
all call it. Each raises `ValidationError` with a message for the user when the change is not
allowed. Transitions are atomic and lock the rows they change; the few that are not atomic say so
in their docstring and run inside their caller's transaction.
"""

from evaluation.services.common import version_check
from evaluation.services.cycle import fiscal_year_close, fiscal_year_lock, fiscal_year_open, records_prepare
from evaluation.services.measures import grade_reason_check, measure_evaluate, measure_evaluation_check
from evaluation.services.records import (
    RecordEntry,
    record_approve,
    record_entry_save,
    record_entry_submit,
    record_reopen,
    record_return,
    record_submit,
    records_entry_save,
)
from evaluation.services.reference import reference_data_load, roles_sync

__all__ = [
    "RecordEntry",
    "fiscal_year_close",
    "fiscal_year_lock",
    "fiscal_year_open",
    "grade_reason_check",
    "measure_evaluate",
    "measure_evaluation_check",
    "record_approve",
    "record_entry_save",
    "record_entry_submit",
    "record_reopen",
    "record_return",
    "record_submit",
    "records_entry_save",
    "records_prepare",
    "reference_data_load",
    "roles_sync",
    "version_check",
]
