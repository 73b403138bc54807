"""Taking a filled results sheet back: every row is saved, or none and every problem is named.

Reads .xlsx, or CSV in UTF-8 or the Shift_JIS that Excel writes in Japan, once the file passed the
limits in `core.uploads`. Codes, numbers and statuses are read as half-width (NFKC), so 「２０２５」
is 2025; notes are kept as typed. Problems carry the row number the spreadsheet shows (the header is
row 1), the column and a message in Japanese. The same function previews an import (what each row
would change) and performs it, reading every row in a few queries and saving through the one entry
service in a single transaction, so ten thousand rows fit in a request.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

import tablib
from django.contrib.auth import get_user_model
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from core.uploads import content_check, dataset_read
from evaluation import services
from evaluation.enums import CycleStatus, RecordStatus
from evaluation.models import ActionResult, IndicatorResult, ProjectRecord
from evaluation.resources import IMPORT_REASON, LABEL_BY_STATUS, SHEET_TITLE, IndicatorResultResource
from evaluation.selectors import record_changes_since
from evaluation.services.common import stale_version_error
from projects.scoping import scope_by_project_year

REQUIRED_COLUMNS = ("事業番号", "年度", "指標番号", "版", "実績値", "実績の状態")
KEY_FIELDS = ("project_code", "fiscal_year", "indicator_code")
INPUT_FIELDS = ("actual", "actual_status", "note")
WHOLE_ROW = "（行全体）"
# The portal sets a result row's links; they are never read from the sheet, so never re-validated.
LINKS = ["record", "indicator"]


@dataclass(frozen=True)
class ImportProblem:
    row: int | None
    column: str
    message: str


@dataclass(frozen=True)
class RowChange:
    """What one row of the sheet changes, for the preview: (column, before, after) per changed cell."""

    row: int
    project: str
    fiscal_year: int
    indicator: str
    cells: tuple[tuple[str, str, str], ...]


@dataclass(frozen=True)
class ImportOutcome:
    """What an import did (or, previewed, would do): the rows that change and how many do not, or
    the problems that stopped it (then nothing changed)."""

    changes: tuple[RowChange, ...] = ()
    unchanged: int = 0
    problems: tuple[ImportProblem, ...] = ()

    @property
    def changed(self) -> int:
        return len(self.changes)


@dataclass
class _Row:
    number: int
    cells: dict
    key: tuple | None = None
    result: IndicatorResult | None = None
    change: RowChange | None = None


def results_sheet_read(content: bytes) -> tablib.Dataset:
    """An uploaded results sheet as a dataset, once it passed every limit; else a ValidationError."""
    return dataset_read(content_check(content), sheet_name=SHEET_TITLE)


def results_import(dataset: tablib.Dataset, *, by, dry_run: bool = False) -> ImportOutcome:
    """Save a results sheet for `by`: all rows or none; with `dry_run`, only say what would change.

    Each row must match a result the user may fill now and carry its record's current version (版),
    or a version whose only later changes are the user's own earlier import of rows in this sheet
    (re-uploading one's corrected file). Unchanged rows are not saved and leave no history.
    """
    problems = _column_problems(dataset)
    if problems:
        return ImportOutcome(problems=tuple(problems))
    rows = _filled_rows(dataset)
    if not rows:
        return ImportOutcome(problems=(ImportProblem(None, WHOLE_ROW, "取り込むデータの行がありません。"),))
    resource = IndicatorResultResource(user=by)
    problems = _key_problems(rows, resource)
    keyed = [row for row in rows if row.key]
    results = _results_by_key(resource, keyed)
    for row in keyed:
        row.result = results.get(row.key)
    problems += _not_open_problems(by, [row for row in keyed if row.result is None])
    matched = [row for row in keyed if row.result is not None]
    problems += _cell_problems(matched, resource)
    problems += _version_problems(matched, resource, by)
    if problems:
        return ImportOutcome(problems=tuple(sorted(problems, key=lambda p: p.row or 0)))
    changed = [row for row in matched if row.change]
    if not dry_run and changed:
        services.records_entry_save(_entries(changed), by=by, reason=IMPORT_REASON)
    return ImportOutcome(changes=tuple(row.change for row in changed), unchanged=len(matched) - len(changed))


def _headers(dataset) -> list[str]:
    return [str(header or "").strip() for header in (dataset.headers or [])]


def _column_problems(dataset) -> list[ImportProblem]:
    headers = _headers(dataset)
    return [
        ImportProblem(1, column, "この列がありません。ダウンロードした表の見出しを変えずに使ってください。")
        for column in REQUIRED_COLUMNS
        if column not in headers
    ]


def _filled_rows(dataset) -> list[_Row]:
    """The rows with anything in them, keyed by column, with their numbers on the sheet (blank rows
    are passed over). Columns are found by name, so a sheet whose columns were reordered still works."""
    headers = _headers(dataset)
    rows = []
    for number, cells in enumerate(dataset, start=2):
        if any(str(cell).strip() for cell in cells if cell is not None):
            rows.append(_Row(number, dict(zip(headers, cells, strict=True))))
    return rows


def _key_problems(rows: list[_Row], resource) -> list[ImportProblem]:
    """Read each row's 事業番号・年度・指標番号; a row that repeats an earlier row's is a problem
    naming both (2025 and 2025.0 are the same year)."""
    problems = []
    first_seen: dict[tuple, int] = {}
    for row in rows:
        key, row_problems = [], []
        for name in KEY_FIELDS:
            field = resource.fields[name]
            try:
                value = field.clean(row.cells)
            except ValueError as error:
                row_problems.append(ImportProblem(row.number, field.column_name, str(error)))
                continue
            if value in (None, ""):
                row_problems.append(
                    ImportProblem(
                        row.number,
                        field.column_name,
                        f"{field.column_name}が空欄です。ダウンロードした表の番号を変えずに使ってください。",
                    )
                )
            key.append(value)
        problems += row_problems
        if row_problems:
            continue
        row.key = tuple(key)
        if row.key in first_seen:
            code, year, indicator = row.key
            problems.append(
                ImportProblem(
                    row.number,
                    WHOLE_ROW,
                    f"{first_seen[row.key]}行目と{row.number}行目は、同じ事業番号・年度・指標番号"
                    f"（{code}・{year}・{indicator}）の行です。どちらか一方を削除してください。",
                )
            )
            row.key = None
        else:
            first_seen[row.key] = row.number
    return problems


def _results_by_key(resource, rows: list[_Row]) -> dict[tuple, IndicatorResult]:
    """The results the user may fill now of the sheet's projects and years, by (事業番号, 年度, 指標番号):
    one query."""
    years, codes = {row.key[1] for row in rows}, {row.key[0] for row in rows}
    results = resource.get_queryset().filter(record__fiscal_year__in=years, record__project__code__in=codes)
    return {(r.record.project.code, r.record.fiscal_year, r.indicator.code): r for r in results}


def _not_open_problems(by, rows: list[_Row]) -> list[ImportProblem]:
    """Why each row matched nothing the user may fill, in the user's terms, never revealing another
    department's projects: one query for every such row."""
    if not rows:
        return []
    seen = scope_by_project_year(
        by,
        IndicatorResult.objects.select_related("record__project", "record__cycle", "indicator"),
        "record__project",
        "record__fiscal_year",
    ).filter(
        record__project__code__in={row.key[0] for row in rows},
        record__fiscal_year__in={row.key[1] for row in rows},
        indicator__code__in={row.key[2] for row in rows},
    )
    visible = {(r.record.project.code, r.record.fiscal_year, r.indicator.code): r.record for r in seen}
    return [ImportProblem(row.number, WHOLE_ROW, _why_not_open(visible.get(row.key))) for row in rows]


def _why_not_open(record) -> str:
    if record is None:
        return "この行の事業番号・年度・指標番号に当たる、あなたが入力できる実績はありません。番号を変えずに使ってください。"
    cycle = record.cycle
    if cycle.status == CycleStatus.LOCKED:
        return f"{cycle}は確定しているため取り込めません。訂正が必要なときはDX推進課に相談してください。"
    if record.status not in RecordStatus.with_department():
        return f"この事業は「{record.get_status_display()}」のため取り込めません。変更が必要なときはDX推進課に差戻しを依頼してください。"
    return "この年度は今、入力を受け付けていません。"


def _cell_problems(rows: list[_Row], resource) -> list[ImportProblem]:
    """Read each row's inputs into its result and check them as the entry page does (the model's
    rules); note what changes. A missing 補足 column leaves notes as they are."""
    problems = []
    for row in rows:
        result = row.result
        before = {name: getattr(result, name) for name in INPUT_FIELDS}
        failed = {}
        for name in INPUT_FIELDS:
            field = resource.fields[name]
            if field.column_name not in row.cells:
                continue
            try:
                setattr(result, name, field.clean(row.cells))
            except ValueError as error:
                failed[name] = str(error)
        errors = {name: [message] for name, message in failed.items()}
        try:
            result.clean_fields(exclude=[*LINKS, *failed])
            if not failed:  # the rules between fields only once every cell could be read
                result.clean()
        except ValidationError as error:
            for attribute, messages in error.message_dict.items():
                errors.setdefault(attribute, []).extend(messages)
        for attribute, messages in errors.items():
            column = WHOLE_ROW if attribute == NON_FIELD_ERRORS else resource.column_of(attribute)
            problems += [ImportProblem(row.number, column, str(message)) for message in messages]
        cells = tuple(
            (
                resource.fields[name].column_name,
                _shown(name, before[name]),
                _shown(name, getattr(result, name)),
            )
            for name in INPUT_FIELDS
            if before[name] != getattr(result, name)
        )
        if cells and not errors:
            code, year, indicator = row.key
            project = f"{code} {result.record.project.name}"
            row.change = RowChange(row.number, project, year, f"{indicator} {result.indicator.name}", cells)
    return problems


def _shown(name: str, value) -> str:
    if name == "actual_status":
        return LABEL_BY_STATUS.get(value, value)
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return "" if value is None else str(value)


def _version_problems(rows: list[_Row], resource, by) -> list[ImportProblem]:
    """Each row's 版 must be its record's current version, unless every change since is the user's
    own earlier import of rows in this sheet (a corrected file uploaded again)."""
    field = resource.fields["version"]
    problems, seen = [], {}
    for row in rows:
        try:
            version = field.clean(row.cells)
        except ValueError as error:
            problems.append(ImportProblem(row.number, field.column_name, str(error)))
            continue
        if version is None:
            problems.append(
                ImportProblem(
                    row.number,
                    field.column_name,
                    "版が空欄です。ダウンロードした表の値を変えないでください。",
                )
            )
            continue
        record = row.result.record
        if version > record.version:  # never given out: typed over, and no proof of what was seen
            problems.append(
                ImportProblem(
                    row.number,
                    field.column_name,
                    f"版（{version}）がこの事業の今の版（{record.version}）より大きくなっています。"
                    "ダウンロードした表の値を変えないでください。",
                )
            )
        elif version < record.version:
            seen[record.pk] = min(version, seen.get(record.pk, version))
    if not seen:
        return problems
    changes = record_changes_since(seen)
    result_ids = _result_ids_by_record(rows)
    stale = {
        pk: found
        for pk, found in changes.items()
        if not _own_import_only(found, by=by, result_ids=result_ids[pk])
    }
    refusals = _stale_refusals(stale)
    problems += [
        ImportProblem(row.number, field.column_name, refusals[row.result.record_id])
        for row in rows
        if row.result.record_id in refusals
    ]
    return problems


def _result_ids_by_record(rows: Iterable[_Row]) -> dict[int, set[int]]:
    ids: dict[int, set[int]] = {}
    for row in rows:
        ids.setdefault(row.result.record_id, set()).add(row.result.pk)
    return ids


def _own_import_only(changes: list | None, *, by, result_ids: set[int]) -> bool:
    """Whether every change since the sheet's version is `by`'s own import of rows in this sheet
    (an import never touches action goals, so any change to one is someone else's work)."""
    if changes is None:
        return False
    return all(
        change.user_id == by.pk
        and change.reason == IMPORT_REASON
        and change.model is not ActionResult
        and (change.model is not IndicatorResult or change.row_id in result_ids)
        for change in changes
    )


def _stale_refusals(stale: dict[int, list | None]) -> dict[int, str]:
    """The refusal for each record changed by someone else since the sheet was downloaded, naming
    who changed it last and when (one query for the users)."""
    latest = {pk: (found[-1] if found else None) for pk, found in stale.items()}
    users = get_user_model().objects.in_bulk({c.user_id for c in latest.values() if c and c.user_id})
    refusals = {}
    for pk, change in latest.items():
        error = stale_version_error(
            ProjectRecord,
            users.get(change.user_id) if change else None,
            change.when if change else None,
            seen="表をダウンロードした",
            redo="表をダウンロードし直して",
        )
        refusals[pk] = error.messages[0]
    return refusals


def _entries(rows: list[_Row]) -> list:
    """One entry per record: the record as read with its first row, whose version the rows were
    checked against, and its changed rows."""
    entries: dict[int, tuple] = {}
    for row in rows:
        record = row.result.record
        record, results = entries.setdefault(record.pk, (record, []))
        row.result.record = record
        results.append(row.result)
    return [services.RecordEntry(record, record.version, results) for record, results in entries.values()]
