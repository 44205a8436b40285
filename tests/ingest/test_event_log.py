"""Issue 10: an event log (one row per event) as the only file: leads from each id's first or last row, stage events
and sales responses from the event names, in the mapping format and from the Data page's editor.

The fixture tests/fixtures/event_log/helpdesk_log.csv (15 events, file rows 2–16):

    row  case  event            timestamp         agent  source    region
     2   C-1   Ticket created   2026-04-06 09:00         Web form  APAC
     3   C-1   Qualified        2026-04-06 09:30         Web form  APAC
     4   C-1   Call             2026-04-06 10:15  ana    Web form  APAC
     5   C-1   Email sent       2026-04-06 11:00  ana    Web form  EMEA
     6   C-2   Ticket created   2026-04-06 13:00         Chat      EMEA
     7   C-2   Email sent       2026-04-07 09:00  ben    Chat      EMEA
     8   C-2   Handed to sales  2026-04-07 10:00  ben    Chat      EMEA
     9   C-3   Meeting          2026-04-09 15:00  ana    Referral  AMER   <- C-3 is listed newest first
    10   C-3   Qualified        2026-04-08 14:00         Referral  AMER
    11   C-3   Ticket created   2026-04-08 10:00         Phone     AMER
    12   C-4   Ticket created   2026-04-10 08:00         Web form  APAC
    13   C-4   Page view        2026-04-10 08:05         Web form  APAC   <- neither a stage nor a response
    14   C-2   Deal won         2026-04-08 17:00  ben    Chat      EMEA   <- C-2's last event, after C-3 and C-4
    15   C-5   Ticket created   2026-04-10 09:00         Web form  (empty)
    16   C-5   Call             2026-04-10 09:00  ben    Web form  APAC   <- the same instant as row 15
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import polars as pl
import pytest

from sla_review.ingest import data_flow as flow
from sla_review.ingest.mapping import Mapping, MappingError, apply
from sla_review.ingest.readers import read_table
from sla_review.store.db import connect
from tests.conftest import FIXTURES

LOG_DIR = FIXTURES / "event_log"
LOG = LOG_DIR / "helpdesk_log.csv"
LOG_TOML = LOG_DIR / "helpdesk_log.toml"
LOG_JA = LOG_DIR / "event_log_ja.sjis.csv"


def frames() -> dict[str, pl.DataFrame]:
    return {LOG.name: read_table(LOG)}


def last_variant() -> Mapping:
    """The same mapping with per_lead = "last", created_at still the first event's timestamp."""
    text = LOG_TOML.read_text(encoding="utf-8").replace('per_lead = "first"', 'per_lead = "last"').replace(
        'created_at = "Timestamp"', 'created_at = { column = "Timestamp", per_lead = "first" }')
    return Mapping.from_toml(text)


def test_the_event_log_makes_one_lead_per_case_from_its_first_event():
    data = apply(Mapping.from_toml(LOG_TOML), frames())
    assert data.ok and not data.warnings, [str(p) for p in data.problems + data.warnings]
    # 5 cases. created_at = each case's earliest timestamp: C-3's is row 11 (04-08 10:00), though listed last;
    # C-5's rows 15 and 16 tie at 09:00, so the first is the earlier file row, 15 (region empty).
    assert data.leads.select("lead_id", "created_at", "source", "region", "__row").rows() == [
        ("C-1", "2026-04-06T09:00:00", "Web form", "APAC", 2),
        ("C-2", "2026-04-06T13:00:00", "Chat", "EMEA", 6),
        ("C-3", "2026-04-08T10:00:00", "Phone", "AMER", 11),
        ("C-4", "2026-04-10T08:00:00", "Web form", "APAC", 12),
        ("C-5", "2026-04-10T09:00:00", "Web form", None, 15),
    ]
    # stage events: 5 inquiries at created_at + Qualified (C-1, C-3) 2 mql + Handed to sales (C-2) 1 sal
    # + Deal won (C-2) 1 won = 9; "Ticket created" and "Page view" are neither
    events = data.stage_events.select("lead_id", "stage", "entered_at").rows()
    assert len(events) == 9
    assert sorted(e for e in events if e[1] != "inquiry") == [
        ("C-1", "mql", "2026-04-06T09:30:00"), ("C-2", "sal", "2026-04-07T10:00:00"),
        ("C-2", "won", "2026-04-08T17:00:00"), ("C-3", "mql", "2026-04-08T14:00:00")]
    # responses: Call + Email sent (C-1), Email sent (C-2), Meeting (C-3), Call (C-5) = 5, by their agent
    assert data.activities.select("lead_id", "rep_id", "occurred_at", "channel").rows() == [
        ("C-1", "ana", "2026-04-06T10:15:00", "phone"), ("C-1", "ana", "2026-04-06T11:00:00", "email"),
        ("C-2", "ben", "2026-04-07T09:00:00", "email"), ("C-3", "ana", "2026-04-09T15:00:00", "meeting"),
        ("C-5", "ben", "2026-04-10T09:00:00", "phone")]
    assert sorted(data.reps["rep_id"].to_list()) == ["ana", "ben"]


def test_per_lead_last_takes_the_attributes_from_the_last_event():
    data = apply(last_variant(), frames())
    assert data.ok, [str(p) for p in data.problems]
    by_id = {r["lead_id"]: r for r in data.leads.iter_rows(named=True)}
    # last by timestamp: C-1 row 5 (EMEA), C-2 row 14, C-3 row 9 (04-09 15:00: Referral, listed first), C-4 row
    # 13, C-5 the later of the tied rows, 16 (APAC). created_at stays the first event's (per_lead = "first").
    assert {k: (r["__row"], r["source"], r["region"], r["created_at"]) for k, r in by_id.items()} == {
        "C-1": (5, "Web form", "EMEA", "2026-04-06T09:00:00"),
        "C-2": (14, "Chat", "EMEA", "2026-04-06T13:00:00"),
        "C-3": (9, "Referral", "AMER", "2026-04-08T10:00:00"),
        "C-4": (13, "Web form", "APAC", "2026-04-10T08:00:00"),
        "C-5": (16, "Web form", "APAC", "2026-04-10T09:00:00"),
    }
    assert (data.stage_events.height, data.activities.height) == (9, 5)  # events do not depend on per_lead
    assert Mapping.from_toml(last_variant().to_toml()) == last_variant()


def test_offsets_order_events_as_instants():
    """10:00+09:00 is 01:00 UTC, before 09:00+00:00: the first event of X is the one listed second."""
    frame = pl.DataFrame({"id": ["X", "X"], "ev": ["b", "a"],
                          "at": ["2026-04-06T09:00:00+00:00", "2026-04-06T10:00:00+09:00"]})
    mapping = Mapping.from_toml('name = "x"\n[leads]\nlead_id = "id"\ncreated_at = "at"\ncampaign = "ev"\n'
                                'per_lead = "first"\norder_by = "at"\n')
    assert apply(mapping, {"x.csv": frame}).leads.select("campaign", "created_at").rows() == [
        ("a", "2026-04-06T10:00:00+09:00")]


def test_without_per_lead_the_import_still_refuses_several_rows_per_lead():
    text = LOG_TOML.read_text(encoding="utf-8").replace('per_lead = "first"\norder_by = "Timestamp"\n', "")
    result = flow.preview(frames(), Mapping.from_toml(text), sla=flow.template_text())
    assert not result.ok
    # 15 rows, 5 ids: every one of the 15 rows shares its id with another
    assert result.counts["leads"] == 15
    assert {p.value for p in result.problems if "more than once" in p.message or "duplicate" in p.message.lower()} \
        == {"C-1", "C-2", "C-3", "C-4", "C-5"}


@pytest.mark.parametrize(("change", "en", "ja"), [
    (('per_lead = "first"', 'per_lead = "earliest"'),
     'per_lead = "earliest" is not one of first, last', 'per_lead = "earliest" は first, last のどれでもありません'),
    (('order_by = "Timestamp"\n', ""), "per_lead needs order_by", "order_by"),
    (('[[stage_events]]\n', '[[stage_events]]\nper_lead = "first"\n'), "per_lead and order_by belong in [leads]",
     "per_lead と order_by は [leads] に書きます"),
    (('region = "Region"', 'region = { column = "Region", per_lead = "newest" }'),
     'per_lead = "newest" is not one of first, last', "newest"),
])
def test_a_bad_per_lead_is_refused_with_a_message(change, en, ja):
    text = LOG_TOML.read_text(encoding="utf-8").replace(*change)
    with pytest.raises(MappingError) as err:
        Mapping.from_toml(text)
    assert en in str(err.value) and ja in err.value.text("ja")


def test_a_missing_order_by_column_blocks_the_import():
    text = LOG_TOML.read_text(encoding="utf-8").replace('order_by = "Timestamp"', 'order_by = "When"')
    data = apply(Mapping.from_toml(text), frames())
    assert [p.column for p in data.problems] == ["When"]


def test_the_import_judges_the_first_responses(tmp_path: Path):
    """Through the import and lead_facts with the template SLA (Tokyo, Mon–Fri 09:00–18:00, handoff at MQL or later):
    C-1 handed off at MQL 04-06 (Mon) 09:30, first response the call at 10:15: 0.75 business hours.
    C-2 handed off at SAL 04-07 10:00; its only response (09:00) came before: no response.
    C-3 handed off at MQL 04-08 (Wed) 14:00, the meeting 04-09 15:00: 14→18 (4 h) + 09→15 (6 h) = 10 hours."""
    result = flow.preview(frames(), Mapping.from_toml(LOG_TOML), sla=flow.template_text())
    assert result.ok, [str(p) for p in result.problems]
    con = connect(tmp_path / "log.duckdb")
    summary = flow.run_import(con, result, flow.template_text(), source="event log")
    assert (summary.rows["leads"], summary.rows["stage_events"], summary.rows["activities"]) == (5, 9, 5)
    rows = con.execute("SELECT lead_id, first_response_channel, first_response_rep, response_business_hours "
                       "FROM lead_facts WHERE handoff_at IS NOT NULL ORDER BY lead_id").fetchall()
    assert rows == [("C-1", "phone", "ana", 0.75), ("C-2", None, None, None), ("C-3", "meeting", "ana", 10.0)]


def helpdesk_spec() -> flow.EditorSpec:
    """The editor's choices a user makes for the log: the guess, with Qualified → MQL (the guess says SQL)."""
    spec = flow.guess_editor(frames())
    return dataclasses.replace(spec, event_map=dict(spec.event_map, Qualified="mql"))


def test_the_editor_guesses_the_event_log_layout():
    spec = flow.guess_editor(frames())
    assert (spec.layout, spec.event_column, spec.time_column, spec.actor_column) == (
        "event_log", "Event", "Timestamp", "Agent")
    assert spec.fields["lead_id"].value == "Case ID" and spec.fields["created_at"].value == flow.FIRST_EVENT
    assert spec.event_map == {"Ticket created": "", "Call": "phone", "Email sent": "email", "Qualified": "sql",
                              "Deal won": "won", "Handed to sales": "sal", "Meeting": "meeting", "Page view": ""}


@pytest.mark.parametrize("per_lead", ["first", "last"])
def test_the_editor_builds_the_same_tables_as_the_toml(per_lead):
    spec = dataclasses.replace(helpdesk_spec(), per_lead=per_lead)
    raw = flow.editor_dict(spec, frames())
    mapping = Mapping.from_dict(raw)
    assert Mapping.from_toml(mapping.to_toml()) == mapping
    ours = apply(mapping, frames())
    theirs = apply(Mapping.from_toml(LOG_TOML) if per_lead == "first" else last_variant(), frames())
    assert ours.ok and theirs.ok
    for table in ("leads", "stage_events", "activities"):
        assert getattr(ours, table).sort("__row", "lead_id").equals(getattr(theirs, table).sort("__row", "lead_id")), \
            table


def test_the_editor_needs_the_event_and_time_columns():
    with pytest.raises(MappingError, match="event's name"):
        flow.editor_mapping(dataclasses.replace(helpdesk_spec(), event_column=None), frames())
    with pytest.raises(MappingError, match="date and time") as err:
        flow.editor_mapping(dataclasses.replace(helpdesk_spec(), time_column=None), frames())
    assert "日時" in err.value.text("ja")


def test_a_japanese_shift_jis_event_log_is_recognised_by_the_editor():
    """event_log_ja.sjis.csv (Shift_JIS, CRLF): リードID / イベント / 日時 / 担当者 / 流入元, 9 events of 3 leads.
    J-1: 問い合わせ 09:00, MQL化 10:00, 電話 11:30 (佐藤), 商談 04-08 (佐藤); J-2: 問い合わせ,
    資料ダウンロード (neither), メール送信 (鈴木); J-3: 問い合わせ, 受注 (鈴木)."""
    batch = flow.receive_paths([LOG_JA])
    spec = flow.guess_editor(batch.frames)
    assert (spec.layout, spec.fields["lead_id"].value, spec.event_column, spec.time_column, spec.actor_column) == (
        "event_log", "リードID", "イベント", "日時", "担当者")
    assert spec.fields["owner_id"].kind == "none"  # 担当者 is the actor of each event, not a lead attribute
    assert spec.event_map == {"問い合わせ": "inquiry", "MQL化": "mql", "メール送信": "email", "受注": "won",
                              "商談": "meeting", "資料ダウンロード": "", "電話": "phone"}
    result = flow.preview(batch.frames, flow.editor_mapping(spec, batch.frames), sla=flow.template_text())
    assert result.ok, [str(p) for p in result.problems]
    # 3 leads; stage events: 3 inquiries (問い合わせ at each first event is the created-at inquiry itself, one
    # event) + J-1 mql + J-3 won = 5; responses: 電話, 商談 (J-1), メール送信 (J-2) = 3; reps 佐藤, 鈴木
    assert result.counts == {"leads": 3, "stage_events": 5, "activities": 3, "reps": 2}
    assert result.tables["leads"].select("lead_id", "created_at", "source").rows() == [
        ("J-1", "2026-04-06T09:00:00", "展示会"), ("J-2", "2026-04-07T09:00:00", "ウェブ"),
        ("J-3", "2026-04-08T10:00:00", "紹介")]


def test_a_one_row_per_lead_file_maps_response_dates_and_ignored_columns():
    """Wide responses: "Last call" → phone and "Last email" → email, by the owner. A: both (2), B: the call (1)."""
    frame = pl.DataFrame({"ID": ["A", "B"], "Created": ["2026-04-06 09:00", "2026-04-06 10:00"],
                          "Owner": ["ana", "ben"], "Last call": ["2026-04-06 11:00", "2026-04-07 09:00"],
                          "Last email": ["2026-04-06 12:00", None], "Became a Subscriber Date": ["2026-04-01", None]})
    frames_ = {"x.csv": frame}
    spec = flow.guess_editor(frames_)
    assert spec.layout == "per_lead"
    spec = dataclasses.replace(spec, response_columns={"Last call": "phone", "Last email": "email"})
    unanswered = apply(flow.editor_mapping(spec, frames_), frames_)
    assert [w.column for w in unanswered.warnings] == ["Became a Subscriber Date"]
    spec = dataclasses.replace(spec, ignored_columns=("Became a Subscriber Date",))
    mapping = flow.editor_mapping(spec, frames_)
    assert Mapping.from_toml(mapping.to_toml()) == mapping
    data = apply(mapping, frames_)
    assert data.ok and not data.warnings, [str(p) for p in data.warnings]
    assert sorted(data.activities.select("lead_id", "rep_id", "channel", "occurred_at").rows()) == [
        ("A", "ana", "email", "2026-04-06T12:00:00"), ("A", "ana", "phone", "2026-04-06T11:00:00"),
        ("B", "ben", "phone", "2026-04-07T09:00:00")]
    no_owner = dataclasses.replace(spec, fields=dict(spec.fields, owner_id=flow.FieldChoice()))
    assert set(apply(flow.editor_mapping(no_owner, frames_), frames_).activities["rep_id"]) == {flow.NO_REP}


def test_a_leads_file_and_its_event_log_are_joined_by_the_lead_id():
    """helpdesk_cases.csv (one row per case: Case ID, Created, Owner, Company) with helpdesk_log.csv: the editor
    takes the cases as the leads and the log as their events, joined by "Case ID". Leads 5 with the cases' own
    created dates; stage events 5 inquiries at those dates + the log's guessed stages (Qualified ×2 → SQL,
    Handed to sales → SAL, Deal won → won) = 9; responses the log's 5; reps: agents ana, ben = owners ana, ben."""
    cases = LOG_DIR / "helpdesk_cases.csv"
    batch = flow.receive_paths([LOG, cases])  # the log first: the editor still picks the cases as the leads
    assert flow.lead_file(batch.frames) == cases.name
    spec = flow.guess_editor(batch.frames, cases.name)
    assert (spec.layout, spec.log_file, spec.log_lead_column, spec.event_column, spec.time_column) == (
        "per_lead", LOG.name, "Case ID", "Event", "Timestamp")
    mapping = flow.editor_mapping(spec, batch.frames)
    assert Mapping.from_toml(mapping.to_toml()) == mapping
    result = flow.preview(batch.frames, mapping, sla=flow.template_text())
    assert result.ok and not result.warnings, [str(p) for p in result.problems + result.warnings]
    assert result.counts == {"leads": 5, "stage_events": 9, "activities": 5, "reps": 2}
    assert result.tables["leads"].select("lead_id", "created_at", "owner_id").row(0) == (
        "C-1", "2026-04-06T08:55:00", "ana")
    assert sorted(result.tables["stage_events"].filter(pl.col("stage") != "inquiry")["stage"].to_list()) == [
        "sal", "sql", "sql", "won"]
    without = flow.guess_log_file(spec, batch.frames, None)
    assert apply(flow.editor_mapping(without, batch.frames), batch.frames).activities.height == 0
    with pytest.raises(MappingError, match="lead's id, to join"):
        flow.editor_mapping(dataclasses.replace(spec, log_lead_column=None), batch.frames)
