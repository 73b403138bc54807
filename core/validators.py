"""Validators shared by every app: fiscal years inside a plan, text free of PDF artefacts and
control characters."""

import re
import unicodedata

from django.core.exceptions import ValidationError

# The city's PDFs extract many kanji as look-alike radicals (⾏ for 行, ⺠ for 民). They look right
# on screen but break search and sorting, so they must never be stored.
RADICAL_BLOCKS = ((0x2E80, 0x2EFF), (0x2F00, 0x2FDF))
# Kangxi radicals map to their kanji by NFKC; the supplement's forms do not, so they are listed.
SUPPLEMENT_KANJI = {"⺠": "民"}


def is_radical(char: str) -> bool:
    code = ord(char)
    return any(low <= code <= high for low, high in RADICAL_BLOCKS)


def ordinary_kanji(char: str) -> str:
    """The ordinary kanji a look-alike radical stands for (the character itself if it is none)."""
    return SUPPLEMENT_KANJI.get(char) or unicodedata.normalize("NFKC", char) if is_radical(char) else char


def radical_characters(text: str) -> list[str]:
    return sorted({char for char in text if is_radical(char)})


def validate_no_radicals(value: str) -> None:
    found = radical_characters(value or "")
    if found:
        suggestions = "、".join(f"「{c}」→「{ordinary_kanji(c)}」" for c in found)
        raise ValidationError(
            "部首の形をした文字が含まれています（PDFからの貼り付けによるものです）。通常の漢字に直してください: %(s)s",
            code="radical_character",
            params={"s": suggestions},
        )


# Every way of breaking a line that reaches us: browsers send \r\n, old Mac text \r, Word pastes a
# manual line break as \x0b and a page break as \x0c, and PDFs carry the Unicode separators.
LINE_BREAK = re.compile(r"\r\n|[\r\x0b\x0c\x85\u2028\u2029]")
# Tabs and line feeds are the only control characters text may hold: the others are invisible on
# screen and make a spreadsheet export fail (openpyxl refuses them).
ALLOWED_CONTROLS = {"\t", "\n"}
# Unicode's control characters (category Cc: U+0000–U+001F and U+007F–U+009F) but those allowed;
# a regular expression finds them at C speed, which exports writing every text of a year need.
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def line_breaks_normalised(text: str) -> str:
    return LINE_BREAK.sub("\n", text)


def control_characters(text: str) -> list[str]:
    return sorted(set(CONTROL.findall(text)))


def validate_no_control_characters(value: str) -> None:
    found = control_characters(value or "")
    if found:
        raise ValidationError(
            "制御文字（%(codes)s）が含まれています。削除してください。",
            code="control_character",
            params={"codes": "、".join(f"U+{ord(char):04X}" for char in found)},
        )


def validate_clean_text(value: str) -> None:
    """Refuse look-alike radicals and control characters, reporting both problems at once."""
    errors = []
    for validate in (validate_no_radicals, validate_no_control_characters):
        try:
            validate(value)
        except ValidationError as error:
            errors.extend(error.error_list)
    if errors:
        raise ValidationError(errors)


def text_for_output(text: str) -> str:
    """`text` with line breaks normalised and other control characters dropped, for files we hand out.

    Rows stored before text was checked may still hold them; an export must not fail on them.
    """
    if text.isprintable():  # no line break and no control character: most text, checked at C speed
        return text
    text = line_breaks_normalised(text)
    return CONTROL.sub("", text)


def validate_year_in_period(year, start_year: int, end_year: int, *, field: str, what: str = "計画") -> None:
    """Refuse a fiscal year outside [start_year, end_year], naming the field."""
    if year is None:
        return
    if not start_year <= year <= end_year:
        raise ValidationError(
            {
                field: ValidationError(
                    "%(year)s年度は%(what)sの期間（%(start)s〜%(end)s年度）の外です。期間内の年度を入力してください。",
                    code="outside_period",
                    params={"year": year, "what": what, "start": start_year, "end": end_year},
                )
            }
        )


def whole_number(text) -> int | None:
    """The non-negative whole number written in `text` (ASCII digits only), else None.

    `str.isdigit` also accepts characters such as 「²」 that `int()` refuses; ids and years typed
    into URLs and forms go through here so that odd input is a 404 or a message, never a 500.
    """
    text = str(text or "").strip()
    return int(text) if text.isascii() and text.isdecimal() else None
