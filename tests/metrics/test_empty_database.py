"""A database with nothing imported answers every report query with zeros and nulls, never an error."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

from sla_review.metrics.report import build_report, make_period
from sla_review.store.db import connect
from tests.conftest import ROOT


def test_empty_database_reports_zeros(tmp_path):
    con = connect(tmp_path / "empty.duckdb")
    report = build_report(con, make_period(con, dt.date(2026, 4, 1), dt.date(2026, 7, 1)), [50])
    assert [s["count"] for s in report["funnel_cohort"]] == [0] * 6
    assert report["mql_count"] == 0 and report["mql_monthly"] == [] and report["rejections"] == []
    assert report["mql_to_sql"] == {"cohort": 0, "converted": 0, "rate": None, "ci95": None}  # no data: no interval
    assert report["response"]["attainment"] is None and report["response"]["median_business_hours"] is None
    assert report["response"]["attainment_ci95"] is None and report["follow_up"]["rate_ci95"] is None
    assert report["response"]["median_business_hours_ci95"] is None
    assert report["what_if"] == [{"threshold": 50, "volume": 0, "reached_sql": 0, "sql_rate": None,
                                  "sql_rate_ci95": None}]


def test_report_on_missing_database_says_how_to_make_one(tmp_path):
    run = subprocess.run([sys.executable, "-m", "sla_review", "report", "--db", str(tmp_path / "none.duckdb"),
                          "--from", "2026-04-01", "--to", "2026-05-01"], cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 2
    assert "No database at" in run.stderr and "sla_review demo" in run.stderr
    assert not (tmp_path / "none.duckdb").exists()


def test_database_in_use_gets_a_plain_message(worked_db):
    """While another process holds the file (as the dashboard does), the CLI says so instead of a traceback."""
    holder = subprocess.Popen([sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); "
                               "print('locked', flush=True); time.sleep(60)", str(worked_db)],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        run = subprocess.run([sys.executable, "-m", "sla_review", "report", "--db", str(worked_db), "--from",
                              "2026-04-01", "--to", "2026-07-01"], cwd=ROOT, capture_output=True, text=True)
    finally:
        holder.kill()
        holder.wait()
    assert run.returncode == 2
    assert "is in use by another program" in run.stderr and "Traceback" not in run.stderr
