"""The Data page's editor with an event log (issue 10): the layout is recognised, each event name's meaning is a
table row, and the import has its sales responses. AppTest cannot edit a data editor's cells (the browser test
tests/e2e/test_data_upload.py does); here the guess and the widgets around it are checked, in both languages."""

from __future__ import annotations

import pytest

from sla_review.ingest import data_flow as flow
from sla_review.present.data_page_text import text
from sla_review.store.db import connect
from tests.conftest import FIXTURES

from .conftest import metric, no_exception
from .test_data_page import data_page

LOG = FIXTURES / "event_log" / "helpdesk_log.csv"


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_an_event_log_is_mapped_in_the_editor_and_imported_with_its_responses(monkeypatch, tmp_path, lang):
    """The guess for helpdesk_log.csv (tests/ingest/test_event_log.py): 5 leads; stage events 5 inquiries + Qualified
    (guessed SQL) ×2 + Handed to sales + Deal won = 9; responses 2 calls + 2 emails + 1 meeting = 5; reps ana, ben."""
    db = tmp_path / "log.duckdb"
    at = data_page(monkeypatch, db, flow.receive_paths([LOG]), lang=lang)
    assert at.selectbox(key="dp_mapping").value == "editor"
    assert at.radio(key="dp_ed_0_layout").value == "event_log"
    assert at.selectbox(key="dp_ed_0_log_event").value == "Event"
    assert at.selectbox(key="dp_ed_0_log_time").value == "Timestamp"
    assert at.selectbox(key="dp_ed_0_log_actor").value == "Agent"
    assert at.selectbox(key="dp_ed_0_log_created").value == flow.FIRST_EVENT
    leads, events, activities = (text(lang, f"m_{t}") for t in ("leads", "stage_events", "activities"))
    assert metric(at, leads).value == "5"
    assert metric(at, events).value == "9"
    assert metric(at, activities).value == "5"
    assert at.button(key="dp_import").disabled  # a fresh database: the template's terms wait to be confirmed
    at.button(key="dp_sla_t_use").click().run()
    at.button(key="dp_import").click().run()
    no_exception(at)
    con = connect(db)
    assert con.cursor().execute("SELECT count(*) FROM activities").fetchall() == [(5,)]
    assert con.cursor().execute("SELECT count(*) FROM reps").fetchall() == [(2,)]


def test_switching_the_layout_back_to_one_row_per_lead_refuses_the_repeated_ids(monkeypatch, tmp_path):
    """As one row per lead the 15 rows are 15 leads with 5 ids: the import's duplicate check blocks it."""
    at = data_page(monkeypatch, tmp_path / "x.duckdb", flow.receive_paths([LOG]))
    at.radio(key="dp_ed_0_layout").set_value("per_lead").run()
    assert at.code[0].value.startswith("choose the column with the date each lead was created")  # none guessed
    at.selectbox(key="dp_ed_0_f_created_at").set_value("Timestamp").run()
    no_exception(at)
    at.button(key="dp_sla_t_use").click().run()  # the template's terms confirmed: only the problems can block now
    assert metric(at, "Leads").value == "15"
    assert at.button(key="dp_import").disabled
    # the preview's problems, as the sentences under the table: each of the 5 ids, on its repeated rows
    sentences = [line for x in at.text for line in x.value.splitlines() if line.strip()]
    assert sentences and all("appears more than once" in line for line in sentences), sentences
    at.radio(key="dp_ed_0_layout").set_value("event_log").run()
    assert metric(at, "Leads").value == "5" and not at.button(key="dp_import").disabled


def test_a_second_file_is_joined_as_the_event_log(monkeypatch, tmp_path):
    """Cases + their log (tests/ingest/test_event_log.py): 5 leads, 9 stage events, 5 responses; with the second
    file set to none the responses go (0) and the log is reported as not used."""
    batch = flow.receive_paths([LOG, FIXTURES / "event_log" / "helpdesk_cases.csv"])
    at = data_page(monkeypatch, tmp_path / "j.duckdb", batch)
    assert at.selectbox(key="dp_ed_file").value == "helpdesk_cases.csv"
    assert at.radio(key="dp_ed_1_layout").value == "per_lead"
    assert at.selectbox(key="dp_ed_1_joined").value == "helpdesk_log.csv"
    assert at.selectbox(key="dp_ed_1_j0_log_lead").value == "Case ID"
    assert [metric(at, x).value for x in ("Leads", "Stage events", "Activities")] == ["5", "9", "5"]
    at.selectbox(key="dp_ed_1_joined").set_value("\x00none").run()
    no_exception(at)
    assert [metric(at, x).value for x in ("Leads", "Stage events", "Activities")] == ["5", "5", "0"]
