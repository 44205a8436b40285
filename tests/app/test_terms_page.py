"""The SLA terms page through AppTest: the terms shown in plain words (en, ja), the Japanese one-click defaults,
saving only after the change list is confirmed, and the validator's refusal in Japanese. Figures are the
hand-worked ones of tests/metrics/test_tiers_and_calendars.py's fixture."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from sla_review.ingest.importer import import_sources, stored_config
from sla_review.store.db import connect
from tests.metrics.test_tiers_and_calendars import SLA, frames

from .conftest import app, goto, no_exception

# Tokyo, no break, no extra closures: the lunch break and the year end are both on offer
PLAIN = """
[calendar]
timezone = "Asia/Tokyo"
holiday_country = "JP"

[[versions]]
name = "v1"
effective_from = "2026-01-01"
mql_threshold = 50
response_target_hours = 2
"""


def build(path: Path, sla: str) -> Path:
    con = connect(path)
    try:
        import_sources(con, frames(), sla)
    finally:
        con.close()
    return path


@pytest.fixture(scope="module")
def tiered_db(tmp_path_factory) -> Path:
    return build(tmp_path_factory.mktemp("terms-view") / "tiers.duckdb", SLA)


@pytest.fixture
def plain_db(tmp_path) -> Path:
    return build(tmp_path / "plain.duckdb", PLAIN)


def page(monkeypatch, db: Path, lang: str = "en"):
    at = goto(app(monkeypatch, db, lang=lang), "terms")
    no_exception(at)
    return at


def plain(text: str) -> str:
    """A cell as the user reads it: present.safe.markdown's escapes taken out again."""
    return re.sub(r"\\(.)", r"\1", str(text)).replace("\u2060", "")


def tables_shown(at) -> list[dict[str, list[str]]]:
    """The st.table elements (the terms in force) as {heading: cells}, unescaped."""
    return [{plain(c): [plain(x) for x in t.value[c]] for c in t.value.columns} for t in at.table]


def button(at, label: str):
    found = [b for b in at.button if b.label == label]
    assert found, f"no button {label!r} in {[b.label for b in at.button]}"
    return found[0]


def fact(db: Path, lead: str, column: str):
    con = connect(db)  # the app's cached connection in this process holds the file read-write
    try:
        return con.execute(f"SELECT {column} FROM lead_facts WHERE lead_id = $id", {"id": lead}).fetchall()[0][0]
    finally:
        con.close()


def test_the_terms_are_shown_in_plain_words(monkeypatch, tiered_db):
    at = page(monkeypatch, tiered_db)
    calendars, teams, tiers = tables_shown(at)[:3]
    # one column per calendar, one row per setting
    assert list(calendars) == ["Setting", "Default calendar", "us"]
    settings = {s: (a, b) for s, a, b in zip(*calendars.values(), strict=True)}
    assert settings["Time zone"] == ("Asia/Tokyo", "America/New_York")
    assert settings["Breaks"] == ("12:00–13:00", "none")
    assert settings["Business day (net of breaks)"] == ("8\xa0h", "9\xa0h")
    assert settings["Extra closures"][0].startswith("3 days: Dec 29, 2026")
    assert settings["Used by"] == ("every team not mapped below", "SDR Americas")
    assert list(zip(teams["Team"], teams["Calendar"], strict=True)) == [("SDR Americas", "us"),
                                                                         ("SDR Japan", "Default calendar")]
    assert list(tiers["Tier"]) == ["Tier A demo", "Tier A", "Default terms", "Enterprise", "Tier A demo",
                                   "Default terms"]
    assert list(tiers["Response target"])[:3] == ["1\xa0h", "4\xa0h", "2\xa0h"]
    assert [b.label for b in at.get("download_button")][:1] == ["Download sla.toml"]


def test_the_terms_in_japanese(monkeypatch, tiered_db):
    at = page(monkeypatch, tiered_db, "ja")
    calendars, _, tiers = tables_shown(at)[:3]
    assert list(calendars) == ["項目", "既定のカレンダー", "us"]
    assert dict(zip(calendars["項目"], calendars["us"], strict=True))["営業日"] == "月–金"
    assert tiers["対象"][0] == "流入元が“demo request”、かつICP ティアが“A”"
    assert at.title[0].value == "SLA 条件"


def test_lunch_break_is_one_click_and_saved_only_after_confirming(monkeypatch, plain_db):
    # A1: Mon Apr 6 11:30 -> 13:30 JST: 2 business hours without a lunch break
    assert fact(plain_db, "A1", "response_business_hours") == 2.0
    at = page(monkeypatch, plain_db)
    assert not [b for b in at.button if b.label == "Save the terms"]  # nothing changed yet: nothing to save
    at = button(at, "Add the 12:00–13:00 lunch break").click().run()
    no_exception(at)
    changes = tables_shown(at)[-1]
    rows = {(a, b): (c, d) for a, b, c, d in zip(changes["What"], changes["Setting"], changes["Before"],
                                                  changes["After"], strict=True)}
    assert rows[("Calendar “Default calendar”", "Breaks")] == ("none", "12:00–13:00")
    assert rows[("Calendar “Default calendar”", "Business day (net of breaks)")] == ("9\xa0h", "8\xa0h")
    assert button(at, "Save the terms").disabled  # not before the change list is confirmed
    assert fact(plain_db, "A1", "response_business_hours") == 2.0
    at.checkbox[0].check().run()
    at = button(at, "Save the terms").click().run()
    no_exception(at)
    assert [s.value for s in at.success] == [
        "Saved\\. Response attainment is now judged on 1 calendar and no tiers \\(every handoff on its version\\'s "
        "own terms\\)\\; every handoff was judged again\\."]
    # across lunch now: 11:30-12:00 and 13:00-13:30 = 1.0 h
    assert fact(plain_db, "A1", "response_business_hours") == 1.0
    con = connect(plain_db)
    try:
        assert stored_config(con).calendar.breaks == ((dt.time(12), dt.time(13)),)
    finally:
        con.close()
    assert not [b for b in at.button if b.label == "Add the 12:00–13:00 lunch break"]  # it has a break now


def test_year_end_closure_is_one_click_and_says_which_days_it_adds(monkeypatch, plain_db):
    at = page(monkeypatch, plain_db)
    # 2026-27: Tue Dec 29 - Thu Dec 31 are workdays; Fri Jan 1 is New Year's Day; Jan 2-3 a weekend
    said = [c.value for c in at.caption if c.value.startswith("Adds")]
    assert said and said[0].startswith("Adds 3 days\\:\u2060 Dec 29\\, 2026\\; Dec 30\\, 2026\\; Dec 31\\, 2026\\.")
    assert "Jan 1\\, 2027" in said[0]
    at = button(at, "Add the year-end closure (Dec 29 – Jan 3)").click().run()
    no_exception(at)
    changes = tables_shown(at)[-1]
    closures = [a for s, a in zip(changes["Setting"], changes["After"], strict=True) if s == "Extra closures"]
    assert closures and closures[0].startswith("3 days: Dec 29, 2026")
    assert button(at, "Add the year-end closure (Dec 29 – Jan 3)").disabled  # nothing left to add


def test_a_refusal_is_said_in_japanese_and_nothing_can_be_saved(monkeypatch, plain_db):
    at = page(monkeypatch, plain_db, "ja")
    end = [t for t in at.time_input if t.label == "終業"][0]
    at = end.set_value(dt.time(8, 0)).run()
    no_exception(at)
    assert any("使えないため" in e.value for e in at.error)
    refusal = [c.value for c in at.code if "day_end" in c.value]
    assert refusal and "09:00" in refusal[0] and "より後の時刻にしてください" in refusal[0]
    assert not [b for b in at.button if b.label == "条件を保存"]


def test_nothing_imported_says_so(monkeypatch, empty_db):
    at = page(monkeypatch, empty_db)
    assert any("Nothing is imported yet" in i.value for i in at.info)
