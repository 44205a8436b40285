"""The audit trail (issue 15): every import, terms change and adoption leaves one import_audit row — who, through
which door, which files (size and SHA-256, checked here against hashlib on the file's own bytes) and how many notes
were accepted — written with the import itself; a refused import leaves none."""

from __future__ import annotations

import dataclasses
import datetime as dt
import getpass
import hashlib
import json
import shutil
from pathlib import Path

import pytest

from sla_review.cli import main as cli
from sla_review.ingest import audit, data_flow, drafts, terms_flow
from sla_review.ingest.importer import ImportFailed, stored_config
from sla_review.ingest.mapping import canonical_mapping
from sla_review.store.db import connect
from tests.conftest import WORKED


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def rows(con) -> list[tuple]:
    return con.execute("SELECT import_id, author, via, files, warnings FROM import_audit ORDER BY import_id").fetchall()


def test_a_data_page_import_records_who_and_which_files(tmp_path: Path) -> None:
    con = connect(tmp_path / "a.duckdb")
    paths = sorted(WORKED.glob("*.csv")) + [WORKED / "sla.toml"]
    batch = data_flow.receive_paths(paths)
    result = data_flow.preview(batch.frames, canonical_mapping(), sla=batch.sla_texts["sla.toml"], con=con)
    assert result.ok, result.problems
    summary = data_flow.run_import(con, result, batch.sla_texts["sla.toml"], source="test",
                                   record=audit.Record("data_page", "bob@example.com", batch.digests()))
    [(import_id, author, via, files, warnings)] = rows(con)
    assert (import_id, author, via, warnings) == (summary.import_id, "bob@example.com", "data_page",
                                                  len(result.warnings))
    # the five files of the worked example, each with its size and the SHA-256 of its bytes
    assert json.loads(files) == [{"name": p.name, "bytes": p.stat().st_size, "sha256": sha(p)} for p in paths]
    con.close()


def test_a_refused_import_records_nothing(tmp_path: Path, worked_dir: Path) -> None:
    con = connect(tmp_path / "a.duckdb")
    (worked_dir / "leads.csv").write_text("lead_id,created_at\nL1,not a date\n", encoding="utf-8")
    batch = data_flow.receive_paths(sorted(worked_dir.iterdir()))
    result = data_flow.preview(batch.frames, canonical_mapping(), sla=batch.sla_texts["sla.toml"], con=con)
    with pytest.raises(ImportFailed):
        data_flow.run_import(con, result, batch.sla_texts["sla.toml"], source="test",
                             record=audit.Record("data_page", "bob@example.com", batch.digests()))
    assert rows(con) == []
    assert con.execute("SELECT count(*) FROM imports").fetchall()[0][0] == 0
    con.close()


def test_terms_change_and_adoption_record_their_author(worked_con) -> None:
    stored = stored_config(worked_con)
    calendar = dataclasses.replace(stored.calendar, holiday_country="US")
    terms_flow.put_in_force(worked_con, dataclasses.replace(stored, calendar=calendar), author="carol@example.com")
    newest = max(stored.versions, key=lambda v: v.effective_from)
    drafts.save_draft(worked_con, "faster", dataclasses.replace(newest, response_target_hours=2.0))
    drafts.adopt(worked_con, "faster", dt.date(2027, 4, 1), version_name="v9", author="dan@example.com")
    trail = audit.history(worked_con)
    assert trail.select("mode", "author", "via").rows() == [
        ("terms", "dan@example.com", "adoption"),
        ("terms", "carol@example.com", "terms_page"),
        ("replace", None, None),  # the fixture's own import went through import_dir, which records no trail
    ]


def test_the_command_line_records_the_os_user_and_every_file(tmp_path: Path) -> None:
    folder = tmp_path / "files"
    shutil.copytree(WORKED, folder)
    db = tmp_path / "c.duckdb"
    assert cli(["import", "--db", str(db), str(folder)]) == 0
    con = connect(db)
    [(_, author, via, files, warnings)] = rows(con)
    expected = [{"name": p.name, "bytes": p.stat().st_size, "sha256": sha(p)} for p in sorted(folder.iterdir())]
    assert (author, via, warnings) == (getpass.getuser(), "command_line", 0)
    assert json.loads(files) == expected
    assert len(expected) == 6  # leads, stage events, activities, reps, sla.toml, expected_report.json
    assert audit.latest_data_import(con)["via"] == "command_line"
    con.close()


def test_latest_data_import_skips_terms_changes(worked_con) -> None:
    before = audit.latest_data_import(worked_con)
    terms_flow.put_in_force(worked_con, dataclasses.replace(
        stored_config(worked_con), calendar=dataclasses.replace(stored_config(worked_con).calendar,
                                                               holiday_country="US")))
    after = audit.latest_data_import(worked_con)
    assert before is not None and after is not None
    assert after["import_id"] == before["import_id"]  # the terms change moved no data


def test_a_record_must_say_its_door() -> None:
    with pytest.raises(ValueError, match="via must be one of"):
        audit.Record("backdoor")
