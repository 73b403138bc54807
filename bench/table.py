"""The one table `make bench` prints: a row per figure, with the queries it took, its target, whether it
is met, and its ratio to its reference where it has one. bench/run.py makes its rows and reads
bench/load.py's, which `--json` prints one JSON object a line.
"""

import json
from dataclasses import asdict, dataclass

COLUMNS = ("benchmark", "queries", "figure", "target", "", "reference")


@dataclass(frozen=True)
class Row:
    benchmark: str
    figure: str
    target: str = ""
    met: bool | None = None  # None: no target
    reference: str = ""
    queries: int | None = None  # None: not counted (the load run's requests go through gunicorn)

    @property
    def verdict(self) -> str:
        return "" if self.met is None else "met" if self.met else "MISSED"

    def cells(self) -> tuple[str, ...]:
        """The row's text in COLUMNS order."""
        queries = "" if self.queries is None else str(self.queries)
        return (self.benchmark, queries, self.figure, self.target, self.verdict, self.reference)


def table_text(rows: list[Row]) -> str:
    """Aligned columns, the header first; the query counts right-aligned."""
    cells = [COLUMNS, *(row.cells() for row in rows)]
    widths = [max(len(line[n]) for line in cells) for n in range(len(COLUMNS))]
    return "\n".join(
        "  ".join(
            cell.rjust(width) if n == 1 else cell.ljust(width)
            for n, (cell, width) in enumerate(zip(line, widths, strict=True))
        ).rstrip()
        for line in cells
    )


def all_met(rows: list[Row]) -> bool:
    """Whether no row misses its target (rows without one never do)."""
    return all(row.met is not False for row in rows)


def rows_json(rows: list[Row]) -> str:
    return "\n".join(json.dumps(asdict(row), ensure_ascii=False) for row in rows)


def rows_from_json(text: str) -> list[Row]:
    return [Row(**json.loads(line)) for line in text.splitlines() if line.strip()]
