"""The Data page never changes data silently (issue 16): a rejected sla.toml blocks the import instead of letting
it go on with the old SLA, and files without leads empty the database only after the named checkbox is ticked.

AppTest cannot upload, so the batch is put into session state as an upload would (see test_data_page.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from sla_review.ingest import data_flow as flow
from sla_review.ingest.importer import EMPTY_MESSAGE, import_dir
from sla_review.present.data_page_text import text
from sla_review.store.db import connect
from tests.conftest import WORKED

from .conftest import app, goto, no_exception

TABLES = ("leads", "stage_events", "activities", "reps")


def loaded_db(path: Path) -> Path:
    """A database holding the worked example (6 leads) with its SLA."""
    con = connect(path)
    try:
        import_dir(con, WORKED)
    finally:
        con.close()
    return path


def page(monkeypatch, db: Path, batch: flow.Batch, lang: str = "en"):
    at = goto(app(monkeypatch, db, lang=lang), "data")
    at.session_state["dp_sig"] = ()
    at.session_state["dp_batch"] = batch
    at.run()
    no_exception(at)
    return at


def leads_in(db: Path) -> int:
    con = connect(db)  # the app's cached connection in this process holds the file read-write
    try:
        return con.execute("SELECT count(*) FROM leads").fetchall()[0][0]
    finally:
        con.close()


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_a_rejected_sla_toml_blocks_the_import(monkeypatch, tmp_path, lang):
    db = loaded_db(tmp_path / "sla.duckdb")
    bad = (WORKED / "sla.toml").read_text(encoding="utf-8").replace('timezone = "Asia/Tokyo"',
                                                                     'timezone = "Mars/Olympus"')
    uploads = [(f"{t}.csv", (WORKED / f"{t}.csv").read_bytes()) for t in TABLES] + [("sla.toml", bad.encode())]
    at = page(monkeypatch, db, flow.receive(uploads), lang)
    assert at.error[0].value == text(lang, "unreadable", n=1)
    # never "could not be read" beside "ready to import": the preview lists the rejected file as a problem
    assert not any(s.value == text(lang, "clean") for s in at.success)
    assert any(e.value == text(lang, "problems", n="1") for e in at.error)
    problems = next(d.value for d in at.dataframe if "message" in d.value.columns)
    assert list(problems["file"]) == ["sla.toml"] and "Mars/Olympus" in problems.iloc[0]["message"]
    assert at.button(key="dp_import").disabled
    assert at.caption and any(c.value == text(lang, "import_blocked") for c in at.caption)


def test_files_without_leads_empty_the_database_only_when_asked_by_name(monkeypatch, tmp_path):
    db = loaded_db(tmp_path / "empty.duckdb")
    header_only = [(f"{t}.csv", (WORKED / f"{t}.csv").read_text(encoding="utf-8").splitlines()[0].encode() + b"\n")
                   for t in ("leads", "stage_events", "activities")]
    at = page(monkeypatch, db, flow.receive(header_only))
    problems = next(d.value for d in at.dataframe if "message" in d.value.columns)
    assert list(problems["message"]) == [EMPTY_MESSAGE]
    assert problems.iloc[0]["file"] == "leads.csv, stage_events.csv, activities.csv"
    assert at.button(key="dp_import").disabled
    box = at.checkbox(key="dp_replace_empty")
    assert box.label == "Replace everything with no leads" and not box.value
    assert leads_in(db) == 6, "nothing changed before the box is ticked"

    box.check().run()
    no_exception(at)
    button = at.button(key="dp_import")
    assert not button.disabled
    button.click().run()
    no_exception(at)
    assert leads_in(db) == 0, "emptied on purpose"
    assert any(s.value.startswith("Imported 0 leads") for s in at.success)
