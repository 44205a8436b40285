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
