"""Issue 10: `python -m sla_review import FILE…` without --mapping recognises the layout as the Data page does, says
which preset it used (or why none fits, exit code 2), and a canonical folder still imports as before."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from sla_review.ingest import data_flow as flow
from sla_review.ingest.mapping import PRESETS_DIR
from sla_review.store.db import connect
from tests.conftest import FIXTURES, WORKED
from tests.ingest.test_byod import cli, funnel
from tests.ingest.test_mapping import salesforce_frame

JA = FIXTURES / "ja"


def lead_count(db: Path) -> int:
    con = connect(db, read_only=True)
    try:
        return con.execute("SELECT count(*) FROM leads").fetchall()[0][0]
    finally:
        con.close()


@pytest.mark.parametrize(("name", "preset", "counts"), [
    # hand-worked from the fixture rows (tests/ingest/test_japanese_exports.py): a lead "reaches" a stage when it
    # entered it or a later one (DOMAIN.md), so 101's SQL date also makes it reach sal; 103 is a subscriber only.
    ("hubspot_contacts_ja.csv", "hubspot_ja",
     {"inquiry": 4, "mql": 2, "sal": 1, "sql": 1, "opportunity": 1, "won": 1}),
    # every lead is an inquiry at its 作成日; only 00Q0002 is converted (sql, so also mql and sal)
    ("salesforce_leads_ja.sjis.csv", "salesforce_ja",
     {"inquiry": 4, "mql": 1, "sal": 1, "sql": 1, "opportunity": 0, "won": 0}),
])
def test_japanese_exports_import_without_a_mapping(tmp_path: Path, name: str, preset: str, counts: dict) -> None:
    db = tmp_path / "x.duckdb"
    run = cli("import", "--db", str(db), str(JA / name))
    assert run.returncode == 0, run.stderr
    first = run.stdout.splitlines()[0]
    assert first.startswith(f"Recognised {name} as ") and first.endswith(f"({PRESETS_DIR / preset}.toml).")
    assert "have no date for when that happened" in run.stdout  # the preview's notes are printed too
    assert funnel(db, "2024-04-01", "2024-07-01") == counts


def test_the_cli_picks_what_the_data_page_picks(tmp_path: Path) -> None:
    """An English Salesforce report: the same preset as receive_paths + detect (the Data page's call)."""
    path = tmp_path / "leads report.csv"
    salesforce_frame().write_csv(path)
    page = flow.receive_paths([path]).detected
    assert page is not None and page.name == "Salesforce lead report"
    run = cli("import", "--db", str(tmp_path / "x.duckdb"), str(path))
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith(f"Recognised leads report.csv as {page.name} ({PRESETS_DIR / 'salesforce.toml'}).")
    assert lead_count(tmp_path / "x.duckdb") == 3


def test_no_layout_fits_names_the_files_and_headers_and_changes_nothing(tmp_path: Path) -> None:
    db = tmp_path / "x.duckdb"
    run = cli("import", "--db", str(db), str(FIXTURES / "bad" / "shift_jis_japanese.csv"))
    assert run.returncode == 2
    assert ("No known layout fits these files: shift_jis_japanese.csv (リードID, 作成日, 流入元, ステータス, "
            "ステータス変更日, 担当者, 会社名).") in run.stderr
    assert "HubSpot コンタクトエクスポート（日本語）" in run.stderr and "--mapping FILE" in run.stderr
    assert lead_count(db) == 0


def test_canonical_files_given_one_by_one_and_as_a_folder(tmp_path: Path) -> None:
    files = [WORKED / f"{t}.csv" for t in ("leads", "stage_events", "activities", "reps")]
    one = tmp_path / "one.duckdb"
    run = cli("import", "--db", str(one), *map(str, files), str(WORKED / "sla.toml"))
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("Recognised leads.csv, stage_events.csv, activities.csv, reps.csv as Canonical "
                                 "format.")
    folder = tmp_path / "worked"
    shutil.copytree(WORKED, folder)
    two = tmp_path / "two.duckdb"
    run = cli("import", "--db", str(two), str(folder))
    assert run.returncode == 0, run.stderr
    assert "Recognised" not in run.stdout  # a folder is the canonical import, as before
    # DOMAIN.md's worked example: 6 inquiries, 5 MQLs, 2 sal (its report's funnel_cohort)
    cohort = funnel(one, "2026-04-01", "2026-07-01")
    assert (cohort["inquiry"], cohort["mql"], cohort["sal"]) == (6, 5, 2)
    assert cohort == funnel(two, "2026-04-01", "2026-07-01")
    assert lead_count(one) == lead_count(two) == 6


def test_a_folder_among_files_is_refused(tmp_path: Path) -> None:
    run = cli("import", "--db", str(tmp_path / "x.duckdb"), str(WORKED), str(JA / "hubspot_contacts_ja.csv"))
    assert run.returncode == 2 and "Give one folder" in run.stderr


def test_unreadable_file_is_refused_naming_it(tmp_path: Path) -> None:
    run = cli("import", "--db", str(tmp_path / "x.duckdb"), str(FIXTURES / "bad" / "binary_renamed.csv"))
    assert run.returncode == 2
    assert "binary_renamed.csv" in run.stderr and "nothing was changed" in run.stderr
