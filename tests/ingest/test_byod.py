"""Real CRM exports through mapping + import, end to end, from the command line."""

from __future__ import annotations

import csv
import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from sla_review.ingest.byod import import_mapped
from sla_review.ingest.importer import ImportFailed
from sla_review.store.db import connect
from tests.conftest import FIXTURES, ROOT, WORKED
from tests.conftest import OLIST_DIR as OLIST
from tests.conftest import XED_DIR as XED
from tests.ingest.test_mapping import JAPANESE_PRESET

PRESETS = ROOT / "data" / "mappings"
BAD = FIXTURES / "bad"


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sla_review", *args], cwd=ROOT, capture_output=True, text=True)


def funnel(db: Path, start: str, end: str) -> dict[str, int]:
    run = cli("report", "--db", str(db), "--from", start, "--to", end, "--json")
    assert run.returncode == 0, run.stderr
    return {s["stage"]: s["count"] for s in json.loads(run.stdout)["funnel_cohort"]}


@pytest.mark.datasets
@pytest.mark.parametrize("mql_file", ["olist_marketing_qualified_leads_dataset.csv",
                                      "olist_marketing_qualified_leads_dataset.raw_ddmmyyyy.csv"])
def test_olist_both_date_formats_give_8000_mqls_and_842_won(tmp_path, mql_file):
    db = tmp_path / "olist.duckdb"
    run = cli("import", "--db", str(db), "--mapping", str(PRESETS / "olist_marketing_funnel.toml"),
              str(OLIST / mql_file), str(OLIST / "olist_closed_deals_dataset.csv"))
    assert run.returncode == 0, run.stderr
    counts = funnel(db, "2017-01-01", "2019-01-01")
    assert counts["mql"] == 8000 and counts["won"] == 842     # PROVENANCE.md: 8,000 MQLs, 842 deals
    con = connect(db, read_only=True)
    sdr = {r["sdr_id"] for r in csv.DictReader((OLIST / "olist_closed_deals_dataset.csv").open())}
    sr = {r["sr_id"] for r in csv.DictReader((OLIST / "olist_closed_deals_dataset.csv").open())}
    assert con.execute("SELECT count(*) FROM reps").fetchall()[0][0] == len(sdr | sr)
    assert con.execute("SELECT count(DISTINCT owner_id) FROM leads").fetchall()[0][0] == len(sdr)


@pytest.mark.datasets
@pytest.mark.parametrize("leads_file", ["Leads.csv", "Leads.raw_trailing_comma.csv"])
def test_x_education_both_files(tmp_path, leads_file):
    rows = list(csv.DictReader((XED / "Leads.csv").open(encoding="utf-8")))
    converted = sum(r["Converted"] == "1" for r in rows)
    db = tmp_path / "xed.duckdb"
    run = cli("import", "--db", str(db), "--mapping", str(PRESETS / "x_education_leads.toml"), str(XED / leads_file))
    assert run.returncode == 0, run.stderr
    counts = funnel(db, "2018-01-01", "2020-01-01")
    assert counts["inquiry"] == len(rows) == 9240
    assert counts["won"] == converted
    con = connect(db, read_only=True)
    scored = con.execute("SELECT count(*) FROM lead_facts WHERE score IS NOT NULL").fetchall()[0][0]
    both = sum(bool(r["Asymmetrique Activity Score"]) and bool(r["Asymmetrique Profile Score"]) for r in rows)
    assert scored == both


def test_shift_jis_japanese_file_imports_once_mapped(tmp_path):
    preset = tmp_path / "ja.toml"
    preset.write_text(JAPANESE_PRESET, encoding="utf-8")
    con = connect(tmp_path / "ja.duckdb")
    summary = import_mapped(con, preset, [BAD / "shift_jis_japanese.csv"])
    assert summary.rows["leads"] == 4
    rows = con.execute("SELECT lead_id, source, company, sql_at IS NOT NULL FROM lead_facts "
                       "ORDER BY lead_id").fetchall()
    assert rows == [("J001", "展示会", "株式会社サンプル", False), ("J002", "ウェビナー", "合同会社テスト", True),
                    ("J003", "資料請求", None, False), ("J004", "展示会", "株式会社ＡＢＣ", False)]


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("preset, files, expected", [
    ("hubspot", ["empty.csv"], "empty.csv"),
    ("hubspot", ["binary_renamed.csv"], "binary_renamed.csv"),
    ("hubspot", ["unparseable_dates.csv"], 'unparseable_dates.csv, row 3, column "Became a Lead Date": "31/02/2023"'),
    ("hubspot", ["mixed_date_formats.csv"], 'mixed_date_formats.csv, row 5, column "Create Date": "13/04/2023"'),
    ("canonical", ["duplicate_ids.csv"], 'column "lead_id": "L1" appears more than once'),
    ("salesforce", ["unknown_status.csv"], '"Pending Review" is not a value the mapping knows'),
    ("x_education_leads", ["score_out_of_scale.csv"], '"25" is outside the scale 7–18'),
])
def test_bad_files_are_refused_and_change_nothing(tmp_path, preset, files, expected):
    db = tmp_path / "db.duckdb"
    con = connect(db)
    from sla_review.ingest.importer import import_dir

    import_dir(con, WORKED)
    con.close()
    before = sha(db)
    mapping = tmp_path / f"{preset}.toml"
    if preset == "canonical":
        from sla_review.ingest.mapping import canonical_mapping

        mapping.write_text(canonical_mapping().to_toml(), encoding="utf-8")
    else:
        mapping.write_text((PRESETS / f"{preset}.toml").read_text(encoding="utf-8"), encoding="utf-8")
    con = connect(db)
    with pytest.raises(ImportFailed) as err:
        import_mapped(con, mapping, [BAD / f for f in files])
    assert con.execute("SELECT count(*) FROM leads").fetchall() == [(6,)]
    con.close()
    assert expected in str(err.value)
    assert "nothing was changed" in str(err.value)
    assert sha(db) == before


def test_formula_values_are_stored_as_text_never_run(tmp_path):
    from sla_review.ingest.mapping import canonical_mapping

    mapping = tmp_path / "canonical.toml"
    mapping.write_text(canonical_mapping().to_toml(), encoding="utf-8")
    con = connect(tmp_path / "f.duckdb")
    import_mapped(con, mapping, [BAD / "formula_values.csv"])
    rows = dict(con.execute("SELECT lead_id, company FROM leads").fetchall())
    assert rows == {"L1": '=HYPERLINK("http://example.com","click")', "L2": "=1+1"}


def test_cli_mapped_import_failure_exit_code(tmp_path):
    run = cli("import", "--db", str(tmp_path / "x.duckdb"), "--mapping", str(PRESETS / "hubspot.toml"),
              str(BAD / "binary_renamed.csv"))
    assert run.returncode == 2
    assert "binary_renamed.csv" in run.stderr and "nothing was changed" in run.stderr
