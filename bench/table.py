"""The table benchmarks print: one row per figure, with its target, whether it is met, and its ratio to
its reference where it has one. bench/load.py prints its rows this way; `--json` gives them to another
script (one JSON object a line) so `make bench` can print every benchmark in one table.
"""

import json
from dataclasses import asdict, dataclass

COLUMNS = ("benchmark", "figure", "target", "", "reference")


@dataclass(frozen=True)
class Row:
    benchmark: str
    figure: str
    target: str = ""
    met: bool | None = None  # None: no target
    reference: str = ""

    @property
    def verdict(self) -> str:
        return "" if self.met is None else "met" if self.met else "MISSED"


def table_text(rows: list[Row]) -> str:
    """Aligned columns, the header first."""
    cells = [COLUMNS, *((r.benchmark, r.figure, r.target, r.verdict, r.reference) for r in rows)]
    widths = [max(len(line[n]) for line in cells) for n in range(len(COLUMNS))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
        for line in cells
    )


def rows_json(rows: list[Row]) -> str:
    return "\n".join(json.dumps(asdict(row), ensure_ascii=False) for row in rows)


def rows_from_json(text: str) -> list[Row]:
    return [Row(**json.loads(line)) for line in text.splitlines() if line.strip()]
