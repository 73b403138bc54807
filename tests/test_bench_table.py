"""The table `make bench` prints (bench/table.py): aligned columns, each target's verdict, and rows that
cross from bench/load.py to bench/run.py as JSON unchanged."""

from bench.table import Row, all_met, rows_from_json, rows_json, table_text

ROWS = [
    Row("dashboard overview", " 95.3 ms  21 KB", "≤ 150 ms, < 200 KB", True, queries=12),
    Row("rollup FY2024 from scratch", "454.0 ms", "≤ 3× its SQL run raw", False, "7.1× its SQL run raw", 16),
    Row(
        "load (a) 50 staff: all pages", "1200 requests  p95 310 ms  0 errors", "p95 ≤ 500 ms, 0 errors", True
    ),
    Row("open data progress.csv", "  8.1 ms  17 KB", queries=2),
]


def test_the_table_aligns_every_column_and_says_which_target_is_missed():
    assert table_text(ROWS).splitlines() == [
        "benchmark                     queries  figure                               "
        "target                          reference",
        "dashboard overview                 12   95.3 ms  21 KB                      "
        "≤ 150 ms, < 200 KB      met",
        "rollup FY2024 from scratch         16  454.0 ms                             "
        "≤ 3× its SQL run raw    MISSED  7.1× its SQL run raw",
        "load (a) 50 staff: all pages           1200 requests  p95 310 ms  0 errors  "
        "p95 ≤ 500 ms, 0 errors  met",
        "open data progress.csv              2    8.1 ms  17 KB",
    ]


def test_one_missed_target_fails_the_run_and_rows_without_a_target_never_do():
    assert not all_met(ROWS)
    assert all_met([row for row in ROWS if row.met is not False])


def test_rows_cross_between_scripts_as_json_unchanged():
    assert rows_from_json(rows_json(ROWS)) == ROWS
