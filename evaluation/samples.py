"""How demo data marks itself as sample data, and how the figures built from it say so.

The demo writes these notes into every project's summary and every indicator's source; pages and
the roll-up JSON read the same notes back, so a figure computed from demo rows is marked 「サンプル」
wherever it is shown and real data never is.
"""

SAMPLE_NOTE = "【デモ用サンプル】市の実際の事業・数値ではありません。"
SAMPLE_SOURCE = "デモ用サンプル値（市の実績ではありません）"
SAMPLE_LABEL = "サンプル"


def is_sample_project(project) -> bool:
    """Whether the project was created by the demo (its summary opens with the sample note)."""
    return project.summary.startswith(SAMPLE_NOTE)


def is_sample_indicator(indicator) -> bool:
    """Whether the indicator's figures are demo values (its source is the sample source)."""
    return indicator.source.startswith(SAMPLE_SOURCE)
