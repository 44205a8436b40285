"""One future-dated activity (a meeting scheduled for 2030) must not move "data as of": the default as_of is
the newest timestamp not after the import moment, and the row is reported at import (count and examples)."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

from sla_review.ingest.importer import default_as_of, import_dir
from sla_review.metrics.report import build_report, make_period
from sla_review.store.db import connect

JST = dt.timezone(dt.timedelta(hours=9))
MOMENT = dt.datetime(2026, 7, 1, 9, 0, tzinfo=JST)  # the import's moment, fixed so the test needs no clock


def test_a_meeting_in_2030_is_reported_and_never_moves_as_of(worked_dir, tmp_path):
    with (worked_dir / "activities.csv").open("a") as f:
        f.write("L6,r1,2030-01-15T10:00:00+09:00,meeting,\n")
    con = connect(tmp_path / "future.duckdb")
    summary = import_dir(con, worked_dir, imported_at=MOMENT)
    assert summary.future_rows == 1
    (example,) = summary.future_examples
    # the 8th line of activities.csv (header = row 1), its column and value as imported
    assert (example.file, example.row, example.column) == ("activities.csv", 8, "occurred_at")
    assert example.value.startswith("2030-01-15T01:00:00")  # 10:00 JST as an instant (UTC)
    # the newest timestamp not after the import: L5's MQL at 06-29 17:30 JST, as without the meeting
    assert default_as_of(con) == dt.datetime(2026, 6, 29, 17, 30, tzinfo=JST)
    period = make_period(con, dt.date(2026, 4, 1), dt.date(2026, 7, 1))
    assert period.as_of == dt.datetime(2026, 6, 29, 17, 30, tzinfo=JST)
    # L6's handoff (06-10) stays unanswered at that as_of: still breached, the 2030 meeting does not count
    assert build_report(con, period)["response"]["breached"] == 2
    con.close()


def test_cli_import_prints_the_future_rows(worked_dir, tmp_path):
    # two years ahead of the real clock (the CLI imports "now"): future, yet inside the plausible span
    year = dt.date.today().year + 2
    with (worked_dir / "activities.csv").open("a") as f:
        f.write(f"L6,r1,{year}-01-15T10:00:00+09:00,meeting,\n")
    db = tmp_path / "cli.duckdb"
    out = subprocess.run([sys.executable, "-m", "sla_review", "import", "--db", str(db), str(worked_dir)],
                         capture_output=True, text=True, check=True).stdout
    assert "1 row(s) are dated after the import" in out
    assert 'activities.csv, row 8, column "occurred_at"' in out
