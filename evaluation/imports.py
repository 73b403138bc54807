"""Taking a filled results sheet back: every row is saved, or none and every problem is named.

Reads .xlsx, or CSV in UTF-8 or the Shift_JIS that Excel writes in Japan. Problems carry the row
number the spreadsheet shows (the header is row 1) and the column, in Japanese.
"""

import logging
from dataclasses import dataclass

import tablib
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction

from evaluation import services
from evaluation.models import ProjectRecord
from evaluation.resources import IMPORT_REASON, IndicatorResultResource
from evaluation.selectors import records_editable_by

logger = logging.getLogger(__name__)

REQUIRED_COLUMNS = ("事業番号", "年度", "指標番号", "版", "実績値", "実績の状態")
KEY_COLUMNS = ("事業番号", "年度", "指標番号")
WHOLE_ROW = "（行全体）"


@dataclass(frozen=True)
class ImportProblem:
    row: int | None
    column: str
    message: str


@dataclass(frozen=True)
class ImportOutcome:
    """What an import did: the results changed, or the problems that stopped it (then nothing changed)."""

    changed: int = 0
    unchanged: int = 0
    problems: tuple[ImportProblem, ...] = ()


def dataset_from_upload(upload) -> tablib.Dataset:
    """Read an uploaded .xlsx or .csv into a dataset; an unreadable file is a ValidationError."""
    content = upload.read()
    name = (upload.name or "").lower()
    if not name.endswith((".xlsx", ".csv")):
        raise ValidationError("Excelファイル（.xlsx）かCSVファイル（.csv）を選んでください。", code="format")
    try:
        if name.endswith(".xlsx"):
            return tablib.Dataset().load(content, format="xlsx")
        return tablib.Dataset().load(_decode(content), format="csv")
    except ValidationError:
        raise
    except Exception as error:  # a damaged file raises whatever its parser raises
        raise ValidationError(
            "ファイルを読み込めませんでした。ダウンロードした表を、列を増やしたり減らしたりせずに保存してください。",
            code="unreadable",
        ) from error


def _decode(content: bytes) -> str:
    for encoding in ("utf-8-sig", "cp932"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValidationError(
        "CSVの文字コードが読めません。UTF-8かShift_JISで保存してください。", code="encoding"
    )


def results_import(dataset: tablib.Dataset, *, by) -> ImportOutcome:
    """Save a results sheet for `by`: all rows or none.

    The records the user may fill are locked first (in a fixed order, as the entry page locks a
    record before its results), each row must carry its record's current version, and every touched
    record gets a new version, so an entry page opened before the import cannot overwrite it.
    """
    problems = _column_problems(dataset)
    if problems:
        return ImportOutcome(problems=tuple(problems))
    numbers, rows = _filled_rows(dataset)
    if not rows:
        return ImportOutcome(problems=(ImportProblem(None, WHOLE_ROW, "取り込むデータの行がありません。"),))
    problems = _duplicate_problems(dataset.headers, numbers, rows)
    if problems:
        return ImportOutcome(problems=tuple(problems))
    with transaction.atomic():
        list(records_editable_by(by).select_for_update(of=("self",)).order_by("pk"))
        resource = IndicatorResultResource(user=by)
        result = resource.import_data(
            _dataset(dataset.headers, rows),
            use_transactions=False,
            raise_errors=False,
            retain_instance_in_row_result=True,
        )
        problems = _row_problems(result, resource, numbers)
        if problems:
            transaction.set_rollback(True)
            return ImportOutcome(problems=tuple(problems))
        changed = resource.changed
        rows_of: dict[int, list] = {}
        for instance in changed:
            rows_of.setdefault(instance.record_id, []).append(instance)
        for record in ProjectRecord.objects.filter(pk__in=rows_of).order_by("pk"):
            services.record_entry_save(
                record, by=by, seen_version=record.version, results=rows_of[record.pk], reason=IMPORT_REASON
            )
    return ImportOutcome(changed=len(changed), unchanged=len(rows) - len(changed))


def _column_problems(dataset) -> list[ImportProblem]:
    headers = [str(header or "").strip() for header in (dataset.headers or [])]
    return [
        ImportProblem(1, column, "この列がありません。ダウンロードした表の見出しを変えずに使ってください。")
        for column in REQUIRED_COLUMNS
        if column not in headers
    ]


def _filled_rows(dataset) -> tuple[list[int], list[tuple]]:
    """The rows with anything in them, and their numbers on the sheet (blank rows are passed over)."""
    numbers, rows = [], []
    for index, row in enumerate(dataset, start=2):
        if any(str(cell).strip() for cell in row if cell is not None):
            numbers.append(index)
            rows.append(row)
    return numbers, rows


def _duplicate_problems(headers, numbers, rows) -> list[ImportProblem]:
    # Columns are found by name, so a sheet whose columns were reordered still works.
    positions = [[str(header or "").strip() for header in headers].index(column) for column in KEY_COLUMNS]
    first_seen: dict[tuple, int] = {}
    problems = []
    for number, row in zip(numbers, rows, strict=True):
        key = tuple(str(row[position]).strip() for position in positions)
        if key in first_seen:
            problems.append(
                ImportProblem(
                    number,
                    WHOLE_ROW,
                    f"同じ事業番号・年度・指標番号の行が{first_seen[key]}行目にもあります。どちらか一方にしてください。",
                )
            )
        first_seen.setdefault(key, number)
    return problems


def _dataset(headers, rows) -> tablib.Dataset:
    dataset = tablib.Dataset(headers=headers)
    for row in rows:
        dataset.append(row)
    return dataset


def _row_problems(result, resource, numbers) -> list[ImportProblem]:
    problems = []
    for number, row in zip(numbers, result.rows, strict=True):
        error = row.validation_error
        if error is not None:
            by_field = (
                error.message_dict if hasattr(error, "error_dict") else {NON_FIELD_ERRORS: error.messages}
            )
            for attribute, messages in by_field.items():
                problems += [
                    ImportProblem(number, resource.column_of(attribute), message) for message in messages
                ]
        for failure in row.errors:
            logger.error("Results import failed on row %s", number, exc_info=failure.error)
            problems.append(
                ImportProblem(
                    number,
                    WHOLE_ROW,
                    "この行を取り込めませんでした。内容を確かめ、直らなければDX推進課に連絡してください。",
                )
            )
    return problems
