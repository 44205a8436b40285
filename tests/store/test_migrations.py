"""Schema migrations: empty -> latest in order; applied files are append-only."""

from __future__ import annotations

import shutil

import duckdb
import pytest

from sla_review.store.db import MigrationError, migrate, migration_files
from tests.conftest import ROOT


@pytest.fixture
def schema_dir(tmp_path):
    folder = tmp_path / "schema"
    shutil.copytree(ROOT / "sql" / "schema", folder)
    return folder


def test_empty_to_latest_records_every_file(schema_dir):
    con = duckdb.connect()
    applied = migrate(con, schema_dir)
    names = [p.name for p in migration_files(schema_dir)]
    assert applied == names and names[0] == "001_core.sql"
    recorded = [r[0] for r in con.execute("SELECT version FROM schema_migrations ORDER BY version").fetchall()]
    assert recorded == names
    tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    assert {"leads", "stage_events", "activities", "reps", "sla_versions", "business_spans", "imports"} <= tables


def test_second_run_applies_nothing(schema_dir):
    con = duckdb.connect()
    migrate(con, schema_dir)
    assert migrate(con, schema_dir) == []


def test_new_file_is_applied_after_the_others(schema_dir):
    con = duckdb.connect()
    migrate(con, schema_dir)
    (schema_dir / "999_extra.sql").write_text("CREATE TABLE extra (x INTEGER);")
    assert migrate(con, schema_dir) == ["999_extra.sql"]
    assert con.execute("SELECT count(*) FROM extra").fetchall() == [(0,)]


def test_changed_applied_file_is_refused(schema_dir):
    con = duckdb.connect()
    migrate(con, schema_dir)
    first = schema_dir / "001_core.sql"
    first.write_text(first.read_text() + "\n-- edited later\n")
    with pytest.raises(MigrationError, match="001_core.sql was changed"):
        migrate(con, schema_dir)


def test_missing_applied_file_is_refused(schema_dir):
    con = duckdb.connect()
    migrate(con, schema_dir)
    (schema_dir / "001_core.sql").unlink()
    with pytest.raises(MigrationError, match="missing"):
        migrate(con, schema_dir)


def test_failed_migration_leaves_nothing_half_applied(schema_dir):
    con = duckdb.connect()
    migrate(con, schema_dir)
    (schema_dir / "002_broken.sql").write_text("CREATE TABLE half (x INTEGER); SELECT * FROM no_such_table;")
    with pytest.raises(duckdb.Error):
        migrate(con, schema_dir)
    assert con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'half'").fetchall() == [(0,)]
    assert con.execute("SELECT count(*) FROM schema_migrations WHERE version = '002_broken.sql'").fetchall() == [(0,)]


def test_upgrade_rebuilds_derived_tables_of_an_old_database(worked_db):
    """A database built by an older sql/derived/ (a table missing, another checksum) is rebuilt on the
    next read-write open, without a re-import, and gives the same numbers."""
    from sla_review.store.db import connect, derived_checksum

    con = connect(worked_db)
    before = con.execute("SELECT lead_id, score, response_business_hours FROM lead_facts ORDER BY 1").fetchall()
    con.execute("DROP TABLE segment_values")
    con.execute("UPDATE derived_state SET checksum = 'built-by-an-older-version'")
    con.close()
    con = connect(worked_db)
    assert con.execute("SELECT checksum FROM derived_state").fetchall() == [(derived_checksum(),)]
    assert con.execute("SELECT count(*) FROM segment_values").fetchall()[0][0] > 0
    assert con.execute("SELECT lead_id, score, response_business_hours FROM lead_facts ORDER BY 1").fetchall() == before


def test_a_database_from_before_tiers_upgrades_to_the_same_numbers(tmp_path):
    """Migration 004 turns the one-row-per-day business_days table of a database built before tiers and
    calendars into the default calendar's business_spans. An old database holding the worked example (its
    business days written as the old code wrote them: 09:00-18:00 Tokyo on JP workdays) opens with today's code,
    without a re-import, and reports DOMAIN.md's response figures: 5 handoffs, 2 within, 2 breached, 1 pending,
    median 1.5 h, p90 2.3 h; follow-up 1 compliant of 4 due."""
    import datetime as dt
    import zoneinfo

    import holidays

    from sla_review.metrics.report import build_report, make_period
    from sla_review.store.db import connect
    from tests.conftest import WORKED

    old = tmp_path / "old_schema"
    old.mkdir()
    for path in migration_files(ROOT / "sql" / "schema"):
        if path.name < "004":
            shutil.copy(path, old / path.name)
    db = tmp_path / "old.duckdb"
    con = duckdb.connect(str(db))
    migrate(con, old)
    for table in ("leads", "stage_events", "activities", "reps"):
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM read_csv($p, header = true, all_varchar = true)",
                    {"p": str(WORKED / f"{table}.csv")})
    con.execute("INSERT INTO calendar_settings VALUES ('Asia/Tokyo', 'Mon,Tue,Wed,Thu,Fri', '09:00', '18:00', 9, "
                "'JP', '2026-12-29')")
    tokyo = zoneinfo.ZoneInfo("Asia/Tokyo")
    con.execute("INSERT INTO sla_versions VALUES ('v1', DATE '2026-01-01', $ts, 60, 0.5, 0.5, 'mql', 2, 3, 3, 5, "
                "0.3)", {"ts": dt.datetime(2026, 1, 1, tzinfo=tokyo)})
    off = holidays.country_holidays("JP", years=[2026])
    cum, day = 0, dt.date(2026, 3, 1)
    while day <= dt.date(2026, 12, 31):  # the old writer: one row per local day
        business = day.weekday() < 5 and day not in off and day != dt.date(2026, 12, 29)
        opens = dt.datetime.combine(day, dt.time(9), tzinfo=tokyo)
        closes = dt.datetime.combine(day, dt.time(18), tzinfo=tokyo) if business else opens
        micros = int((closes - opens).total_seconds()) * 1_000_000
        con.execute("INSERT INTO business_days VALUES ($d, $m, $o, $c, $u, $cum, $b, NULL)",
                    {"d": day, "m": dt.datetime.combine(day, dt.time(0), tzinfo=tokyo), "o": opens, "c": closes,
                     "u": micros, "cum": cum, "b": business})
        cum += micros
        day += dt.timedelta(days=1)
    con.execute("INSERT INTO imports (imported_at, source, mode, is_demo, leads, stage_events, activities, reps) "
                "VALUES (now(), 'old', 'replace', false, 6, 0, 0, 2)")
    con.close()

    con = connect(db)  # applies 004 and rebuilds the derived tables
    assert con.execute("SELECT count(*) FROM business_spans WHERE span_us = 0").fetchall()[0][0] == 1
    report = build_report(con, make_period(con, dt.date(2026, 4, 1), dt.date(2026, 7, 1), "2026-06-30T10:00:00+09:00"))
    r, f = report["response"], report["follow_up"]
    assert (r["handoffs"], r["within_target"], r["breached"], r["pending"]) == (5, 2, 2, 1)
    assert (r["median_business_hours"], r["p90_business_hours"]) == (1.5, 2.3)
    assert (f["due"], f["compliant"]) == (4, 1)
