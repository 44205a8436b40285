"""Issue 10: an import without an sla.toml into a database without an SLA waits until the user confirms (or edits)
the template's terms and calendar on the Data page, and what they chose is what the database stores. Before the
import button the page says what the files can answer and which terms will judge them.

AppTest cannot upload, so the batch is put into session state as an upload would (see test_data_page.py)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from sla_review.ingest import data_flow as flow
from sla_review.ingest.importer import import_dir
from sla_review.present.data_page_text import text
from sla_review.store.db import connect
from tests.conftest import WORKED

from .conftest import app, goto, no_exception

CSV = [WORKED / f"{t}.csv" for t in ("leads", "stage_events", "activities", "reps")]


def page(monkeypatch, db: Path, batch: flow.Batch, lang: str = "en"):
    at = goto(app(monkeypatch, db, lang=lang), "data")
    at.session_state["dp_sig"] = ()
    at.session_state["dp_batch"] = batch
    at.run()
    no_exception(at)
    return at


def stored(db: Path) -> tuple[tuple, list[tuple]]:
    """The calendar and versions the database holds (read-write: the app's cached connection holds the file)."""
    con = connect(db)
    try:
        cal = con.execute("SELECT timezone, workdays, day_start, day_end, holiday_country FROM calendar_settings"
                          ).fetchall()[0]
        versions = con.execute("SELECT name, effective_from, mql_threshold, response_target_hours FROM sla_versions"
                               ).fetchall()
        return cal, versions
    finally:
        con.close()


def coverage_lines(at) -> list[str]:
    """The statement's lines as read on screen: present.safe escapes Markdown (a backslash, a word joiner)."""
    return [m.value.replace("\\", "").replace("\u2060", "") for m in at.markdown
            if m.value.startswith((":green[", ":orange[", ":blue["))]


def test_the_import_waits_for_the_terms_and_the_edited_calendar_is_stored(monkeypatch, tmp_path):
    db = tmp_path / "terms.duckdb"
    at = page(monkeypatch, db, flow.receive_paths(CSV))  # the worked example's four files, no sla.toml
    assert at.selectbox(key="dp_sla").value == "template"
    # the effective date starts at the files' first date: L1 created 2026-04-06 (not the template's 2026-01-01)
    assert at.date_input(key="dp_sla_t_from").value == dt.date(2026, 4, 6)
    assert any(s.value == text("en", "clean") for s in at.success)  # the files are fine …
    assert at.button(key="dp_import").disabled  # … but the terms are not confirmed yet
    assert any(c.value == text("en", "tf_gate") for c in at.caption)

    at.selectbox(key="dp_sla_t_tz").set_value("America/Sao_Paulo")
    at.selectbox(key="dp_sla_t_country").set_value("BR")
    at.time_input(key="dp_sla_t_start").set_value(dt.time(8, 0))
    at.number_input(key="dp_sla_t_target").set_value(4.0)
    at.button(key="dp_sla_t_use").click().run()
    no_exception(at)
    assert any(s.value == text("en", "tf_confirmed") for s in at.success)
    judged = [x for x in coverage_lines(at) if "Judged by" in x]
    assert judged and "calendar America/Sao_Paulo, Mon–Fri 08:00–18:00, BR public holidays" in judged[0]
    button = at.button(key="dp_import")
    assert not button.disabled and button.label == "Import 6 leads"
    button.click().run()
    no_exception(at)
    assert any(s.value.startswith("Imported 6 leads") for s in at.success)
    cal, versions = stored(db)
    assert cal == ("America/Sao_Paulo", "Mon,Tue,Wed,Thu,Fri", "08:00", "18:00", "BR")
    # the first day follows the zone: L1's 2026-04-06 10:00 +09:00 is 01:00 UTC, 22:00 on the 5th in São Paulo
    assert versions == [("default", dt.date(2026, 4, 5), 60, 4)]


def test_a_date_the_user_sets_is_kept_when_the_zone_changes(monkeypatch, tmp_path):
    db = tmp_path / "date.duckdb"
    at = page(monkeypatch, db, flow.receive_paths(CSV))
    at.date_input(key="dp_sla_t_from").set_value(dt.date(2026, 1, 1))
    at.selectbox(key="dp_sla_t_tz").set_value("America/Sao_Paulo")
    at.button(key="dp_sla_t_use").click().run()
    no_exception(at)
    assert at.date_input(key="dp_sla_t_from").value == dt.date(2026, 1, 1)
    at.button(key="dp_import").click().run()
    no_exception(at)
    assert stored(db)[1] == [("default", dt.date(2026, 1, 1), 60, 2)]


def test_terms_that_cannot_be_used_are_refused_in_the_pages_language(monkeypatch, tmp_path):
    at = page(monkeypatch, tmp_path / "bad.duckdb", flow.receive_paths(CSV), lang="ja")
    at.time_input(key="dp_sla_t_end").set_value(dt.time(8, 0))  # ends before the 09:00 start
    at.button(key="dp_sla_t_use").click().run()
    no_exception(at)
    assert any(e.value == text("ja", "tf_refused") for e in at.error)
    assert any("day_end" in c.value and "09:00" in c.value and "より後" in c.value for c in at.code)
    assert at.button(key="dp_import").disabled


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_files_without_responses_are_told_before_the_import(monkeypatch, tmp_path, lang):
    """Leads and stage events only: responses none ("No response data" on the dashboard), one rejection."""
    at = page(monkeypatch, tmp_path / f"none_{lang}.duckdb", flow.receive_paths(CSV[:2]), lang)
    assert any(m.value == f"**{text(lang, 'cov_header')}**" for m in at.markdown)
    said = "\n".join(coverage_lines(at))
    if lang == "en":
        assert "**Responses:** none in these files" in said and "“No response data”" in said
        assert "**Rejections:** 1 rejection(s) (1 with a reason)." in said
    else:
        assert "**営業の対応**：これらのファイルにはありません" in said and "「対応データなし」" in said


def test_a_database_with_an_sla_keeps_it_and_says_so(monkeypatch, tmp_path):
    db = tmp_path / "kept.duckdb"
    con = connect(db)
    try:
        import_dir(con, WORKED)
    finally:
        con.close()
    at = page(monkeypatch, db, flow.receive_paths(CSV))
    assert at.selectbox(key="dp_sla").value == "keep"
    assert not [b for b in at.button if b.key == "dp_sla_t_use"], "no form: the database's terms are kept"
    judged = next(x for x in coverage_lines(at) if "Judged by" in x)
    assert "the database's current terms" in judged and "version “v1”" in judged
    assert not at.button(key="dp_import").disabled
