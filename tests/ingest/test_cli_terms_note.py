"""Issue 10: `python -m sla_review import FILES…` without --sla says which SLA terms and calendar judged the import:
the template's (every value named, and how to give one's own) when the database had none, the database's own
(named) when it had them. With --sla, or an sla.toml among the files, there is nothing to say."""

from __future__ import annotations

from sla_review.ingest.byod import SLA_TEMPLATE
from tests.conftest import WORKED
from tests.ingest.test_byod import cli

FILES = [str(WORKED / f"{t}.csv") for t in ("leads", "stage_events", "activities", "reps")]
# data/sla_template.toml, every value: v "default" from 2026-01-01, threshold 60, 2 h, 3 MQLs/month, 30%, Tokyo,
# Mon–Fri 09:00–18:00, Japan's holidays (the 2 h has a no-break space: a number stays on its unit's line)
TEMPLATE = ("version “default” from Jan 1, 2026: MQL at a score of 60 or more, first response within 2\u00a0h of "
            "business time, 3 MQLs a month, MQL→SQL target 30%; calendar Asia/Tokyo, Mon–Fri 09:00–18:00, "
            "JP public holidays")
# tests/fixtures/worked/sla.toml: v1 from 2026-01-01, threshold 60, 2 h, 3 MQLs a month, 30%, the same calendar
WORKED_TERMS = TEMPLATE.replace("“default”", "“v1”")


def test_without_sla_the_template_is_named_then_the_stored_terms_are_kept(tmp_path):
    db = str(tmp_path / "note.duckdb")
    first = cli("import", "--db", db, *FILES)
    assert first.returncode == 0, first.stderr
    assert (f"No --sla given and the database had no SLA: the template's terms and calendar were applied "
            f"({SLA_TEMPLATE}): {TEMPLATE}. To judge the data by your own terms, copy the template, edit it and "
            f"import again with --sla sla.toml.") in first.stdout.splitlines()

    given = cli("import", "--db", db, "--sla", str(WORKED / "sla.toml"), *FILES)
    assert given.returncode == 0, given.stderr
    assert "No --sla given" not in given.stdout

    again = cli("import", "--db", db, *FILES)
    assert again.returncode == 0, again.stderr
    assert (f"No --sla given: the database's SLA terms and calendar are kept: {WORKED_TERMS}. To change them, "
            f"import with --sla sla.toml (or edit them on the SLA terms page).") in again.stdout.splitlines()


def test_an_sla_toml_among_the_files_needs_no_note(tmp_path):
    run = cli("import", "--db", str(tmp_path / "files.duckdb"), *FILES, str(WORKED / "sla.toml"))
    assert run.returncode == 0, run.stderr
    assert "No --sla given" not in run.stdout
