"""An uploaded spreadsheet (.xlsx or CSV): checked against the limits before any parser opens it,
then read into a `tablib.Dataset` of the cells as the sheet holds them.

A spreadsheet is small on the wire and large in memory: an .xlsx is a zip of XML, so a 512 KB file
can inflate to 150 MB and a 53 KB one can hold 200,000 rows. So, in this order and each with its own
message: the upload's size, what the bytes are (never the file's name), the inflated size and the
compression ratio of the zip's parts (their declared sizes, which Python's zipfile enforces while
reading), and the number of rows (counted in the raw XML or text). Only then does openpyxl, which
reads the XML through defusedxml (an entity bomb or external entity is refused), or the CSV reader
see the file. Both the results import and the DX office's master-data imports read files here.
"""

import contextlib
import csv
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass

import tablib
from django.core.exceptions import ValidationError

MAX_UPLOAD_BYTES = 10 * 2**20
MAX_ROWS = 20_000
MAX_INFLATED_BYTES = 50 * 2**20
# A part inflating more than this many times its stored size is a zip bomb, not a spreadsheet
# (the portal's own 20,000-row export inflates about 8×). Small parts compress freely.
MAX_RATIO = 100
RATIO_CHECKED_FROM = 2**20
MAX_PARTS = 1_000

ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
# Office's older container: an .xls workbook, and also any password-protected .xlsx.
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Files people pick by mistake that are not text either.
OTHER_MAGIC = (b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"\x1f\x8b", b"7z\xbc\xaf", b"Rar!")
SNIFFED_BYTES = 8192
# A worksheet's row element, with or without a namespace prefix (strict OOXML writers add one).
ROW_TAG = re.compile(rb"<(?:\w{1,10}:)?row[\s>/]")
ROW_TAG_LONGEST = 16
WORKSHEET_PART = re.compile(r"^xl/worksheets/[^/]+\.xml$")


def _mb(size: int) -> str:
    return f"{size / 2**20:.1f} MB"


def _limit(size: int) -> str:
    return f"{size // 2**20} MB"


def upload_limits() -> dict[str, str]:
    """The limits as a page states them."""
    return {"size": _limit(MAX_UPLOAD_BYTES), "rows": f"{MAX_ROWS:,}"}


@dataclass(frozen=True)
class Sheet:
    """What an upload holds: `xlsx` bytes, or `csv` text already decoded."""

    kind: str
    content: bytes | str


def upload_content(upload) -> bytes:
    """The bytes of an uploaded file, read into memory only once its size passed the limit."""
    if upload.size > MAX_UPLOAD_BYTES:
        raise _too_large(upload.size)
    return upload.read()


def _too_large(size: int) -> ValidationError:
    return ValidationError(
        "ファイルが大きすぎます（%(size)s）。取り込めるのは%(limit)sまでです。行を分けて、いくつかのファイルにしてください。",
        code="too_large",
        params={"size": _mb(size), "limit": _limit(MAX_UPLOAD_BYTES)},
    )


def content_check(content: bytes) -> Sheet:
    """What a file is, by its bytes and never its name, once it passed every limit; a refusal is a
    ValidationError whose message tells the user what to do."""
    if len(content) > MAX_UPLOAD_BYTES:
        raise _too_large(len(content))
    if not content.strip():
        raise ValidationError(
            "ファイルが空です。ダウンロードした表に入力して保存したファイルを選んでください。", code="empty"
        )
    if content.startswith(ZIP_MAGIC):
        _xlsx_check(content)
        return Sheet("xlsx", content)
    if content.startswith(OLE_MAGIC):
        raise ValidationError(
            "古い形式のExcelファイル（.xls）か、パスワードで保護されたExcelファイルです。"
            "パスワードを外し、Excelで「Excelブック（.xlsx）」として保存し直してから選んでください。",
            code="legacy_excel",
        )
    text = _text(content)
    _rows_check(text.count("\n") + (not text.endswith("\n")) - 1)
    return Sheet("csv", text)


def _not_a_spreadsheet() -> ValidationError:
    return ValidationError(
        "このファイルはExcelファイル（.xlsx）でもCSVファイル（.csv）でもありません。"
        "名前を .xlsx に変えただけのファイルは読めません。Excelで開いて「Excelブック（.xlsx）」として保存し直してください。",
        code="not_a_spreadsheet",
    )


def _xlsx_check(content: bytes) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        parts = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as error:
        raise ValidationError(
            "ファイルが壊れているため読み込めません。Excelで開けるか確かめ、保存し直してから選んでください。",
            code="damaged",
        ) from error
    names = {part.filename for part in parts}
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise _not_a_spreadsheet()
    if len(parts) > MAX_PARTS or sum(part.file_size for part in parts) > MAX_INFLATED_BYTES:
        raise _inflates(sum(part.file_size for part in parts))
    for part in parts:
        if part.file_size > RATIO_CHECKED_FROM and part.file_size > MAX_RATIO * max(part.compress_size, 1):
            raise _inflates(sum(p.file_size for p in parts))
    rows = max((_xml_rows(archive, part) for part in parts if WORKSHEET_PART.match(part.filename)), default=0)
    _rows_check(rows - 1)


def _inflates(size: int) -> ValidationError:
    return ValidationError(
        "このファイルは展開すると大きくなりすぎるため読み込みません（展開後 %(size)s、上限 %(limit)s）。"
        "Excelで開いて、使っていない行・列やシートを削除してから保存し直してください。",
        code="inflates",
        params={"size": _mb(size), "limit": _limit(MAX_INFLATED_BYTES)},
    )


def _xml_rows(archive: zipfile.ZipFile, part: zipfile.ZipInfo) -> int:
    """Row elements in a worksheet's XML, counted on the stream without parsing it."""
    rows, carry = 0, b""
    with archive.open(part) as stream:
        while chunk := stream.read(2**20):
            block = carry + chunk
            # A tag starting in the last bytes may be cut off: it is counted with the next chunk.
            cut = max(len(block) - ROW_TAG_LONGEST, 0)
            rows += sum(1 for match in ROW_TAG.finditer(block) if match.start() < cut)
            carry = block[cut:]
    return rows + len(ROW_TAG.findall(carry))


def _rows_check(rows: int) -> None:
    if rows > MAX_ROWS:
        raise ValidationError(
            "行が多すぎます（%(rows)s行）。一度に取り込めるのは%(limit)s行までです。ファイルを分けて取り込んでください。",
            code="too_many_rows",
            params={"rows": f"{rows:,}", "limit": f"{MAX_ROWS:,}"},
        )


def _text(content: bytes) -> str:
    head = content[:SNIFFED_BYTES]
    if head.startswith(OTHER_MAGIC) or b"\x00" in head:
        raise _not_a_spreadsheet()
    for encoding in ("utf-8-sig", "cp932"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValidationError(
        "CSVの文字コードが読めません。UTF-8かShift_JISで保存してください。", code="encoding"
    )


def dataset_read(sheet: Sheet, *, sheet_name: str | None = None) -> tablib.Dataset:
    """The cells of a checked sheet: the first row as headers, then every row as it is (blank rows
    included, so row numbers match the sheet's). For an .xlsx, the sheet called `sheet_name` when
    there is one, else the first; formulas give the value Excel last computed."""
    try:
        rows = _xlsx_rows(sheet.content, sheet_name) if sheet.kind == "xlsx" else _csv_rows(sheet.content)
        headers = next(rows, [])
        if not headers:
            return tablib.Dataset()
        width = len(headers)
        unnamed = [i for i, header in enumerate(headers) if header is None or not str(header).strip()]
        dataset = tablib.Dataset(headers=headers)
        for row in rows:
            cells = list(row[:width]) + [None] * (width - len(row))
            stray = row[width:] + [cells[i] for i in unnamed]
            if any(cell is not None and str(cell).strip() for cell in stray):
                raise ValidationError(
                    "見出しのない列に値があります（%(row)s行目）。ダウンロードした表の列を増やさずに使ってください。",
                    code="extra_column",
                    params={"row": len(dataset) + 2},
                )
            dataset.append(cells)
        return dataset
    except ValidationError:
        raise
    except Exception as error:  # a damaged file raises whatever its parser raises
        raise ValidationError(
            "ファイルを読み込めませんでした。壊れているか、許可されていない内容（XMLの外部参照など）が含まれています。"
            "ダウンロードした表をExcelで開き、保存し直してから選んでください。",
            code="unreadable",
        ) from error


def _xlsx_rows(content: bytes, sheet_name: str | None):
    from openpyxl import load_workbook  # heavy: imported where a sheet is read

    workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    try:
        names = workbook.sheetnames
        worksheet = workbook[sheet_name if sheet_name in names else names[0]]
        for row in worksheet.iter_rows(values_only=True):
            yield list(row)
    finally:
        workbook.close()


def _csv_rows(text: str):
    return csv.reader(io.StringIO(text))


# Minus signs a Japanese keyboard or Word produces that NFKC leaves alone.
MINUS_SIGNS = str.maketrans(dict.fromkeys("\u2212\u2010\u2011\u2012\u2013", "-"))


def cell_normalised(value):
    """A code, number or choice cell as the portal reads it: full-width digits, letters and signs
    made half-width (NFKC: 「２０２５」→「2025」), minus signs unified, surrounding spaces dropped.
    Free text (notes) is never passed through here; other values come back unchanged."""
    if not isinstance(value, str):
        return value
    return unicodedata.normalize("NFKC", value).translate(MINUS_SIGNS).strip()


def upload_keep(content: bytes) -> str:
    """Keep an upload between its preview and its confirmation, in import-export's temporary storage
    (IMPORT_EXPORT_TMP_STORAGE_CLASS, shared with the admin's imports); returns its name."""
    storage = _tmp_storage(None)
    storage.save(content)
    return storage.name


def upload_take(name: str) -> bytes | None:
    """The upload kept under `name`, which is forgotten; None when it is gone."""
    storage = _tmp_storage(name)
    try:
        content = storage.read()
        storage.remove()
    except OSError:
        return None
    return content


def upload_drop(name: str) -> None:
    with contextlib.suppress(OSError):  # already gone
        _tmp_storage(name).remove()


def _tmp_storage(name: str | None):
    from django.conf import settings
    from django.utils.module_loading import import_string
    from import_export.tmp_storages import TempFolderStorage

    storage_class = getattr(settings, "IMPORT_EXPORT_TMP_STORAGE_CLASS", TempFolderStorage)
    if isinstance(storage_class, str):
        storage_class = import_string(storage_class)
    return storage_class(name=name, read_mode="rb")
