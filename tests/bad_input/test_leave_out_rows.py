"""One round of fixes (issue 10): every problem of a file in one run, and an import "without these N rows" only when
asked by name.

tests/fixtures/bad/hubspot_missing_dates.csv is a HubSpot contacts export of 12 contacts (rows 2–13 as Excel shows
them, the header is row 1): rows 4, 7 and 11 (Record IDs 103, 106, 110) have no Create Date, and Record ID 102 is
on rows 3 and 9. Worked by hand:
- problems: 3 rows without a date + 2 rows sharing one id = 5 rows, in 2 groups (Create Date: 3, Record ID: 2);
- a duplicated id leaves out both of its rows (docs/definitions.md: the program cannot tell which one is the lead),
  so the import without them has 12 − 3 − 2 = 7 leads: 101, 104, 105, 107, 109, 111, 112;
- their stage events: each of the 7 has a "Became a Lead Date" (7 inquiry events) and 105 and 109 have a
  "Became a Marketing Qualified Lead Date" (2 mql events): 7 + 2 = 9.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from sla_review.cli import main
from sla_review.ingest import data_flow as flow
from sla_review.ingest.mapping import canonical_mapping
from sla_review.store.db import connect
from tests.conftest import FIXTURES, ROOT, WORKED

FILE = FIXTURES / "bad" / "hubspot_missing_dates.csv"
HUBSPOT = ROOT / "data" / "mappings" / "hubspot.toml"
NO_DATE = "is empty, but every row needs a date/time"
TWICE = "appears more than once"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["import", *argv])
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """A database holding the worked example (6 leads), so "nothing was changed" can be seen."""
    path = tmp_path / "app.duckdb"
    assert main(["import", "--db", str(path), str(WORKED)]) == 0
    return path


def left_out(db: Path) -> tuple[list[tuple], list[tuple]]:
    con = connect(db)
    try:
        imports = con.execute("SELECT leads, stage_events, left_out_rows FROM imports ORDER BY import_id").fetchall()
        rows = con.execute("SELECT file, row, column_name, value, kind FROM import_left_out ORDER BY file, row"
                           ).fetchall()
    finally:
        con.close()
    return imports, rows


@pytest.mark.parametrize("how", ["recognised", "mapping"])
def test_the_cli_lists_every_problem_in_one_run_and_changes_nothing(how: str, db: Path, capsys):
    before = sha256(db)
    argv = ["--db", str(db), *(["--mapping", str(HUBSPOT)] if how == "mapping" else []), str(FILE)]
    code, _, err = cli(capsys, *argv)
    assert code == 2 and "The import was refused (5 problems); nothing was changed." in err
    # grouped by the user's column headers, with counts, then each row as Excel numbers it
    assert 'hubspot_missing_dates.csv, column "Create Date": 3 rows with problems' in err
    assert 'hubspot_missing_dates.csv, column "Record ID": 2 rows with problems' in err
    for row in (4, 7, 11):
        assert f'- hubspot_missing_dates.csv, row {row}, column "Create Date": {NO_DATE}' in err
    for row in (3, 9):
        assert f'- hubspot_missing_dates.csv, row {row}, column "Record ID": "102" {TWICE}' in err
    assert sum(line.startswith("- ") for line in err.splitlines()) == 5
    assert "--leave-out-problem-rows" in err and "(5 rows)" in err  # the way on, named
    assert sha256(db) == before  # all-or-nothing by default


@pytest.mark.parametrize("how", ["recognised", "mapping"])
def test_leaving_the_rows_out_imports_seven_leads_and_records_the_five_rows(how: str, db: Path, capsys):
    argv = ["--db", str(db), "--leave-out-problem-rows", *(["--mapping", str(HUBSPOT)] if how == "mapping" else []),
            str(FILE)]
    code, out, _ = cli(capsys, *argv)
    assert code == 0
    assert "Imported 7 leads, 9 stage_events, 0 activities, 0 reps" in out
    assert "Left out 5 row(s) of the files, as asked by --leave-out-problem-rows (recorded with import #2):" in out
    assert '  - hubspot_missing_dates.csv, row 9, column "Record ID": "102" appears more than once' in out
    imports, rows = left_out(db)
    assert imports == [(6, 15, 0), (7, 9, 5)]  # the worked example (6 leads, 15 events, nothing left out), then 7
    assert rows == [("hubspot_missing_dates.csv", 3, "Record ID", "102", "import.duplicate_lead"),
                    ("hubspot_missing_dates.csv", 4, "Create Date", None, "import.empty_time"),
                    ("hubspot_missing_dates.csv", 7, "Create Date", None, "import.empty_time"),
                    ("hubspot_missing_dates.csv", 9, "Record ID", "102", "import.duplicate_lead"),
                    ("hubspot_missing_dates.csv", 11, "Create Date", None, "import.empty_time")]
    con = connect(db)
    try:
        ids = [r[0] for r in con.execute("SELECT lead_id FROM leads ORDER BY lead_id").fetchall()]
    finally:
        con.close()
    assert ids == ["101", "104", "105", "107", "109", "111", "112"]


def test_the_page_leaves_out_the_same_rows_as_the_cli(db: Path):
    batch = flow.receive_paths([FILE])
    con = connect(db)
    try:
        refused = flow.preview(batch.frames, batch.detected, sla=None, con=con)
        assert not refused.ok and refused.leavable == 5 and refused.problem_count == 5
        assert not refused.left_out.height  # nothing left out unless asked
        result = flow.preview(batch.frames, batch.detected, sla=None, con=con, leave_out=True)
        assert result.ok and result.counts["leads"] == 7 and result.counts["stage_events"] == 9
        assert result.left_out_rows == 5 and result.asked == 5
        assert result.left_out["row"].to_list() == [3, 4, 7, 9, 11]
        assert result.left_out["reason_ja"][1] == "空欄です。すべての行に日付または日時が必要です。"
        summary = flow.run_import(con, result, None, source="page")
        assert summary.left_out_rows == 5
        assert flow.loaded_summary(con).latest["left_out_rows"] == 5
    finally:
        con.close()


def test_a_problem_about_the_whole_file_cannot_be_left_out(db: Path, tmp_path: Path, capsys):
    # the same file without its "Create Date" column: the mapping cannot read any date, no row to leave out
    text = FILE.read_text(encoding="utf-8").replace("Create Date", "Created On")
    broken = tmp_path / FILE.name
    broken.write_text(text, encoding="utf-8")
    before = sha256(db)
    code, _, err = cli(capsys, "--db", str(db), "--mapping", str(HUBSPOT), "--leave-out-problem-rows", str(broken))
    assert code == 2 and '"Create Date"' in err and "--leave-out-problem-rows" not in err
    assert sha256(db) == before


def test_the_events_and_activities_of_a_left_out_lead_go_with_it(db: Path, tmp_path: Path, capsys):
    """The worked example with lead L3's row renamed L2 (leads.csv row 4): L2 is on rows 3 and 4 and L3's inquiry
    (stage_events.csv row 11) has no lead. Left out: leads rows 3, 4 and stage_events row 11 (the 3 problem rows),
    then what belonged to L2 in the other files: stage_events rows 8, 9, 10 and activities row 5 (4 rows), 7 in
    all. Left: 6 − 2 = 4 leads (L1, L4, L5, L6), 15 − 1 − 3 = 11 stage events, 6 − 1 = 5 activities."""
    folder = tmp_path / "files"
    shutil.copytree(WORKED, folder)
    (folder / "expected_report.json").unlink()
    leads = folder / "leads.csv"
    leads.write_text(leads.read_text(encoding="utf-8").replace("L3,2026-04-13", "L2,2026-04-13"), encoding="utf-8")
    before = sha256(db)
    code, _, err = cli(capsys, "--db", str(db), str(folder))
    assert code == 2 and "(3 problems)" in err and "(3 rows)" in err and sha256(db) == before
    code, out, _ = cli(capsys, "--db", str(db), "--leave-out-problem-rows", str(folder))
    assert code == 0 and "Imported 4 leads, 11 stage_events, 5 activities, 2 reps" in out
    _, rows = left_out(db)
    assert [(f, r, k) for f, r, _, _, k in rows] == [
        ("activities.csv", 5, "import.left_out_with_lead"),
        ("leads.csv", 3, "import.duplicate_lead"), ("leads.csv", 4, "import.duplicate_lead"),
        ("stage_events.csv", 8, "import.left_out_with_lead"), ("stage_events.csv", 9, "import.left_out_with_lead"),
        ("stage_events.csv", 10, "import.left_out_with_lead"), ("stage_events.csv", 11, "import.unknown_lead")]
    # the page's logic on the same files leaves out the same 7 rows
    batch = flow.receive_paths(sorted(folder.iterdir()))
    result = flow.preview(batch.frames, batch.detected or canonical_mapping(), sla=batch.sla_texts["sla.toml"],
                          leave_out=True)
    assert result.ok and result.left_out_rows == 7 and result.counts["leads"] == 4


def test_a_clean_file_with_the_flag_leaves_nothing_out(db: Path, capsys):
    code, out, _ = cli(capsys, "--db", str(db), "--leave-out-problem-rows", str(WORKED))
    assert code == 0 and "Left out" not in out
    imports, rows = left_out(db)
    assert imports[-1] == (6, 15, 0) and rows == []
