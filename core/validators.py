"""Validators shared by every app: fiscal years inside a plan, text free of PDF artefacts."""

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
