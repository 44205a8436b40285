"""Every validation error of the canonical import: a message naming file, row, column and value, and the
database file byte-for-byte as it was."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import pytest

from sla_review.ingest.importer import ImportFailed, import_dir
from sla_review.store.db import connect
from tests.conftest import ROOT, WORKED


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def loaded_db(tmp_path) -> Path:
    """A database holding the worked example, closed, so its bytes can be compared."""
    path = tmp_path / "db.duckdb"
    con = connect(path)
    import_dir(con, WORKED)
    con.close()
    return path


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def refused(db: Path, folder: Path, mode: str = "replace") -> str:
    """Import must fail, the file must be unchanged; returns the message."""
    before = sha(db)
    con = connect(db)
    try:
        with pytest.raises(ImportFailed) as err:
            import_dir(con, folder, mode=mode)
        assert con.execute("SELECT count(*) FROM leads").fetchall() == [(6,)]
    finally:
        con.close()
    assert sha(db) == before, "a refused import changed the database file"
    return str(err.value)


def test_missing_required_column(loaded_db, worked_dir):
    leads = worked_dir / "leads.csv"
    lines = [",".join(line.split(",")[:1] + line.split(",")[2:]) for line in leads.read_text().splitlines()]
    leads.write_text("\n".join(lines) + "\n")
    msg = refused(loaded_db, worked_dir)
    assert 'leads.csv, row 1, column "created_at": the required column "created_at" is missing' in msg


def test_unparseable_timestamp(loaded_db, worked_dir):
    edit(worked_dir / "stage_events.csv", "L1,sql,2026-04-10T15:00:00+09:00", "L1,sql,2026-04-31T15:00:00+09:00")
    msg = refused(loaded_db, worked_dir)
    # header is row 1; L1's sql event is the 4th data row -> row 5
    assert ('stage_events.csv, row 5, column "entered_at": "2026-04-31T15:00:00+09:00" is not a date (expected a date '
            'like 2026-04-06') in msg


def test_empty_required_timestamp(loaded_db, worked_dir):
    edit(worked_dir / "activities.csv", "L2,r2,2026-05-07T10:30:00+09:00", "L2,r2,")
    msg = refused(loaded_db, worked_dir)
    assert 'activities.csv, row 5, column "occurred_at": is empty' in msg


def test_duplicate_lead_id(loaded_db, worked_dir):
    edit(worked_dir / "leads.csv", "L3,", "L2,")
    msg = refused(loaded_db, worked_dir)
    assert 'leads.csv, row 3, column "lead_id": "L2" appears more than once' in msg
    assert 'leads.csv, row 4, column "lead_id": "L2" appears more than once' in msg


def test_duplicate_against_existing_rows_when_appending(loaded_db, tmp_path):
    folder = tmp_path / "more"
    folder.mkdir()
    (folder / "leads.csv").write_text("lead_id,created_at\nL7,2026-06-01\nL1,2026-06-02\n")
    msg = refused(loaded_db, folder, mode="append")
    assert 'leads.csv, row 3, column "lead_id": "L1" appears more than once' in msg
    assert "already in the database" in msg


def test_event_for_unknown_lead(loaded_db, worked_dir):
    edit(worked_dir / "stage_events.csv", "L3,inquiry", "L99,inquiry")
    msg = refused(loaded_db, worked_dir)
    assert 'stage_events.csv, row 11, column "lead_id": "L99" refers to a lead that is not in leads' in msg


def test_activity_for_unknown_lead(loaded_db, worked_dir):
    edit(worked_dir / "activities.csv", "L4,r1,2026-04-21", "L42,r1,2026-04-21")
    msg = refused(loaded_db, worked_dir)
    assert 'activities.csv, row 7, column "lead_id": "L42" refers to a lead that is not in leads' in msg


def test_unknown_stage_name(loaded_db, worked_dir):
    edit(worked_dir / "stage_events.csv", "L1,opportunity", "L1,negotiation")
    msg = refused(loaded_db, worked_dir)
    assert 'stage_events.csv, row 6, column "stage": "negotiation" is not a stage' in msg


def test_unknown_channel(loaded_db, worked_dir):
    edit(worked_dir / "activities.csv", "email,\nL1", "fax,\nL1")
    msg = refused(loaded_db, worked_dir)
    assert 'activities.csv, row 3, column "channel": "fax" is not a known channel' in msg


@pytest.mark.parametrize("value, message", [("120", "is outside the score range 0–100"),
                                            ("-5", "is outside the score range 0–100"),
                                            ("high", "is not a number")])
def test_score_out_of_range_or_not_a_number(loaded_db, worked_dir, value, message):
    edit(worked_dir / "leads.csv", "kanto,80,70", f"kanto,{value},70")
    msg = refused(loaded_db, worked_dir)
    assert f'leads.csv, row 2, column "fit_score": "{value}" {message}' in msg


@pytest.mark.parametrize("old, new, expected", [
    ('timezone = "Asia/Tokyo"', 'timezone = "Asia/Tokio"', 'timezone: "Asia/Tokio" is not a known time zone'),
    ("mql_threshold = 60", "mql_threshold = 160", "mql_threshold: 160 must be between 0 and 100"),
    ("[[versions]]", "[[versions]", "is not valid TOML"),
    ('day_end = "18:00"', 'day_end = "6pm"', 'day_end: "6pm" is not a time of day'),
])
def test_unreadable_sla_toml(loaded_db, worked_dir, old, new, expected):
    edit(worked_dir / "sla.toml", old, new)
    msg = refused(loaded_db, worked_dir)
    assert "sla.toml" in msg and expected in msg


def test_missing_file(loaded_db, worked_dir):
    (worked_dir / "activities.csv").unlink()
    msg = refused(loaded_db, worked_dir)
    assert "activities.csv: is missing" in msg


def test_first_twenty_problems_then_a_count(loaded_db, worked_dir):
    rows = "".join(f"L1,stage{i},2026-04-06T10:00:00+09:00,,\n" for i in range(30))
    with (worked_dir / "stage_events.csv").open("a") as f:
        f.write(rows)
    msg = refused(loaded_db, worked_dir)
    assert msg.count("is not a stage") == 20
    # 30 bad rows of one column: the group's heading counts 30, 20 are listed, 30 − 20 = 10 counted
    assert "(30 problems)" in msg and '"stage": 30 rows with problems' in msg
    assert "… and 10 more rows with the same problem." in msg


def test_cli_exit_code_2_and_message_on_stderr(loaded_db, worked_dir):
    edit(worked_dir / "leads.csv", "kanto,80,70", "kanto,800,70")
    before = sha(loaded_db)
    run = subprocess.run([sys.executable, "-m", "sla_review", "import", "--db", str(loaded_db), str(worked_dir)],
                         cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 2
    assert 'leads.csv, row 2, column "fit_score": "800" is outside the score range 0–100' in run.stderr
    assert "nothing was changed" in run.stderr
    assert sha(loaded_db) == before


def test_replace_import_swaps_the_data(loaded_db, tmp_path):
    """A good import replaces everything and records itself; the derived table follows."""
    folder = tmp_path / "small"
    folder.mkdir()
    (folder / "leads.csv").write_text("lead_id,created_at,fit_score,engagement_score\nX1,2026-04-07 10:00,90,90\n")
    (folder / "stage_events.csv").write_text("lead_id,stage,entered_at\nX1,mql,2026-04-07 10:00\n")
    (folder / "activities.csv").write_text("lead_id,rep_id,occurred_at,channel\nX1,r9,2026-04-07 11:00,phone\n")
    (folder / "sla.toml").write_text((WORKED / "sla.toml").read_text())
    con = connect(loaded_db)
    summary = import_dir(con, folder)
    assert summary.rows == {"leads": 1, "stage_events": 1, "activities": 1, "reps": 0}
    assert summary.import_id == 2
    row = con.execute("SELECT lead_id, response_business_hours, score FROM lead_facts").fetchall()
    # naive local times: 10:00 -> 11:00 JST on a Tuesday is one business hour
    assert row == [("X1", 1.0, 90.0)]
    con.close()


def test_only_canonical_table_and_column_names_reach_sql_text(tmp_path):
    """Names are the one thing formatted into the importer's SQL: anything outside SPECS is refused."""
    import polars as pl

    from sla_review.ingest.importer import _q, import_sources

    con = connect(tmp_path / "x.duckdb")
    frame = pl.DataFrame({"lead_id": ["L1"], "created_at": ["2026-04-06"]})
    with pytest.raises(ValueError, match="unknown tables"):
        import_sources(con, {"leads; DROP TABLE leads": frame}, None)
    with pytest.raises(ValueError, match="not a canonical column"):
        _q('lead_id" ; DROP TABLE leads; --')
    assert _q("fit_score") == '"fit_score"' and _q("raw_created_at") == '"raw_created_at"'
