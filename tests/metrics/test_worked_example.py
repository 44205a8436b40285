"""The worked example of DOMAIN.md gives exactly the JSON printed there (the contract, kept as a fixture:
tests/fixtures/worked/expected_report.json, held equal to DOMAIN.md by test_contract_sync.py)."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import duckdb
import pytest

from sla_review.metrics.report import build_report, make_period
from tests.conftest import EXPECTED_REPORT, ROOT, WORKED

ARGS = ["--from", "2026-04-01", "--to", "2026-07-01", "--as-of", "2026-06-30T10:00:00+09:00",
        "--thresholds", "50,65,70,80"]


def domain_json() -> dict:
    """The report object as DOMAIN.md prints it (its JSON block, byte for byte, in the fixture)."""
    return json.loads(EXPECTED_REPORT.read_text(encoding="utf-8"))


def assert_same(actual: object, expected: object, path: str = "$") -> None:
    """Equal key for key and in key order; numbers to 1e-9."""
    if isinstance(expected, dict):
        assert isinstance(actual, dict), path
        assert list(actual) == list(expected), f"{path}: keys {list(actual)} != {list(expected)}"
        for key in expected:
            assert_same(actual[key], expected[key], f"{path}.{key}")
    elif isinstance(expected, list):
        assert isinstance(actual, list) and len(actual) == len(expected), f"{path}: {actual} != {expected}"
        for i, (a, e) in enumerate(zip(actual, expected, strict=True)):
            assert_same(a, e, f"{path}[{i}]")
    elif isinstance(expected, bool) or expected is None or isinstance(expected, str):
        assert actual == expected, f"{path}: {actual!r} != {expected!r}"
    else:
        assert not isinstance(actual, bool) and isinstance(actual, int | float), f"{path}: {actual!r}"
        assert math.isclose(actual, expected, rel_tol=0, abs_tol=1e-9), f"{path}: {actual} != {expected}"


def test_report_function_matches_domain(worked_db):
    con = duckdb.connect(str(worked_db), read_only=True)
    period = make_period(con, __import__("datetime").date(2026, 4, 1), __import__("datetime").date(2026, 7, 1),
                         "2026-06-30T10:00:00+09:00")
    assert_same(build_report(con, period, [50, 65, 70, 80]), domain_json())


def test_cli_json_matches_domain(worked_db):
    out = subprocess.run([sys.executable, "-m", "sla_review", "report", "--db", str(worked_db), *ARGS, "--json"],
                         cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert_same(json.loads(out), domain_json())


def test_cli_import_then_report_on_fresh_db(tmp_path):
    """The documented path end to end: import the folder, then report, in separate processes."""
    db = tmp_path / "fresh.duckdb"
    imported = subprocess.run([sys.executable, "-m", "sla_review", "import", "--db", str(db),
                               str(WORKED)], cwd=ROOT, capture_output=True, text=True)
    assert imported.returncode == 0, imported.stderr
    assert "6 leads" in imported.stdout
    out = subprocess.run([sys.executable, "-m", "sla_review", "report", "--db", str(db), *ARGS, "--json"],
                         cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert_same(json.loads(out), domain_json())


def test_sla_db_environment_variable_names_the_database(worked_db):
    env = {**__import__("os").environ, "SLA_DB": str(worked_db)}
    out = subprocess.run([sys.executable, "-m", "sla_review", "report", *ARGS, "--json"], cwd=ROOT, env=env,
                         capture_output=True, text=True, check=True).stdout
    assert json.loads(out)["mql_count"] == 5


def test_summary_without_json_is_readable(worked_db):
    out = subprocess.run([sys.executable, "-m", "sla_review", "report", "--db", str(worked_db), *ARGS],
                         cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert "MQL→SQL: 2 of 5 = 40.0%" in out
    assert "attainment 50.0%, median 1.5 h, p90 2.3 h" in out
    assert "no budget" in out


def test_as_of_defaults_to_latest_timestamp(worked_db):
    """Without --as-of the data is judged at its newest instant: L5's mql at 06-29 17:30 JST."""
    out = subprocess.run([sys.executable, "-m", "sla_review", "report", "--db", str(worked_db), "--from",
                          "2026-04-01", "--to", "2026-07-01", "--json"], cwd=ROOT, capture_output=True,
                         text=True, check=True).stdout
    report = json.loads(out)
    assert report["period"]["as_of"] == "2026-06-29T17:30:00+09:00"
    # at that instant L5's handoff is 0 business hours old: still pending, as at 06-30 10:00
    assert report["response"]["pending"] == 1


@pytest.mark.parametrize("as_of, pending, breached", [
    # L5 handed off Mon 06-29 17:30: 0.5 h that day, then Tue from 09:00.
    ("2026-06-30T10:00:00+09:00", 1, 2),   # 1.5 business hours: not yet past the 2 h target
    ("2026-06-30T10:31:00+09:00", 0, 3),   # 2.02 business hours: breached
])
def test_pending_turns_breached_when_target_passes(worked_db, as_of, pending, breached):
    import datetime as dt

    con = duckdb.connect(str(worked_db), read_only=True)
    period = make_period(con, dt.date(2026, 4, 1), dt.date(2026, 7, 1), as_of)
    response = build_report(con, period)["response"]
    assert (response["pending"], response["breached"]) == (pending, breached)


def test_sections_run_only_what_is_asked_and_agree_with_the_whole(worked_db):
    import datetime as dt

    con = duckdb.connect(str(worked_db))
    period = make_period(con, dt.date(2026, 4, 1), dt.date(2026, 7, 1), "2026-06-30T10:00:00+09:00")
    whole = build_report(con, period, [50])
    part = build_report(con, period, [50], sections=("mql_count", "response", "rejections"))
    assert list(part) == ["period", "mql_count", "response", "rejections"]
    assert all(part[k] == whole[k] for k in part)


def test_interval_keys_of_the_worked_example_by_hand():
    """The fixture's interval keys, worked out on paper with Wilson's formula, z = 1.959964, z² = 3.841459:
    centre = (k + z²/2) / (n + z²), half = z / (n + z²) · √(k(n−k)/n + z²/4).

    MQL→SQL 2 of 5: n + z² = 8.841459; centre = 3.920729 / 8.841459 = 0.443449;
        half = 0.221679 · √(1.2 + 0.960365) = 0.221679 · 1.469818 = 0.325828  -> [0.117621, 0.769277]
    attainment 2 of 4 (2 within, 2 breached; the pending one is not judged): n + z² = 7.841459; centre = 0.5;
        half = 0.249951 · √(1 + 0.960365) = 0.249951 · 1.400130 = 0.349963  -> [0.150037, 0.849963]
    follow-up 1 of 4: centre = 2.920729 / 7.841459 = 0.372470;
        half = 0.249951 · √(0.75 + 0.960365) = 0.249951 · 1.307809 = 0.326888  -> [0.045583, 0.699358]
    what-if at 70, 1 of 3: n + z² = 6.841459; centre = 2.920729 / 6.841459 = 0.426915;
        half = 0.286485 · √(0.666667 + 0.960365) = 0.286485 · 1.275552 = 0.365426  -> [0.061489, 0.792341]
    what-if at 80: 0 MQLs -> null (no data is not an interval).
    Median and p90 of 3 responded handoffs: the widest order-statistic span [x(1), x(3)] holds the median with
        1 − 2·(1/2)³ = 0.75 < 0.95, and the p90 with 1 − 0.9³ − 0.1³ = 0.27: too few for a 95% interval -> null.
    Hand figures are rounded at the 6th decimal of each step, so they agree with the fixture to 2e-5."""
    report = domain_json()
    hand = {("mql_to_sql", "ci95"): [0.117621, 0.769277], ("response", "attainment_ci95"): [0.150037, 0.849963],
            ("follow_up", "rate_ci95"): [0.045583, 0.699358]}
    for (section, key), (low, high) in hand.items():
        got = report[section][key]
        assert math.isclose(got[0], low, abs_tol=2e-5) and math.isclose(got[1], high, abs_tol=2e-5), (key, got)
    wi = [row["sql_rate_ci95"] for row in report["what_if"]]
    assert wi[0] == wi[1] == report["mql_to_sql"]["ci95"]
    assert math.isclose(wi[2][0], 0.061489, abs_tol=2e-5) and math.isclose(wi[2][1], 0.792341, abs_tol=2e-5)
    assert wi[3] is None
    assert report["response"]["median_business_hours_ci95"] is None
    assert report["response"]["p90_business_hours_ci95"] is None
