"""The SLA terms page's logic (sla_review.ingest.terms_flow, sla_review.present.terms_text) and
importer.replace_terms: new terms judged over the stored data all-or-nothing. Expected figures are worked by hand
from the calendars (tests/metrics/test_tiers_and_calendars.py's fixture), never read from the code."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from sla_review.core.terms import Calendar, ConfigError, Tier, parse_sla
from sla_review.ingest import terms_flow as flow
from sla_review.ingest.importer import ImportFailed, default_as_of, import_sources, replace_terms, stored_config
from sla_review.metrics.report import build_report, make_period
from sla_review.present import terms_text as tt
from sla_review.store.db import connect, data_version
from tests.metrics.test_tiers_and_calendars import AS_OF, SLA, frames

# the fixture's Tokyo calendar and v1's own terms, without tiers, named calendars or teams
BASE = """
[calendar]
timezone = "Asia/Tokyo"
breaks = [["12:00", "13:00"]]
holiday_country = "JP"
extra_holidays = ["2026-12-29", "2026-12-30", "2026-12-31"]

[[versions]]
name = "v1"
effective_from = "2026-01-01"
mql_threshold = 50
response_target_hours = 2
"""


@pytest.fixture
def con(tmp_path):
    con = connect(tmp_path / "terms.duckdb")
    import_sources(con, frames(), BASE, imported_at=dt.datetime(2027, 1, 31, 1, tzinfo=dt.UTC))
    yield con
    con.close()


def status(con, lead: str) -> tuple:
    return con.execute("SELECT tier, response_target_hours, response_business_hours FROM lead_facts "
                       "WHERE lead_id = $id", {"id": lead}).fetchall()[0]


def response(con) -> tuple:
    r = build_report(con, make_period(con, dt.date(2026, 1, 1), dt.date(2027, 2, 1), AS_OF),
                     sections=("response",))["response"]
    return r["handoffs"], r["within_target"], r["breached"], r["pending"]


def test_adding_a_tier_rejudges_the_stored_handoffs(con):
    """B1 (webinar, ICP tier A): Mon Apr 6 16:00 -> Tue 10:30 JST = 2 h + 1.5 h = 3.5 business hours. On v1's own
    2 h it is breached; a tier "Tier A" (icp_tier A, 4 h) makes it within. A1 and A2 (demo request, tier A:
    1.0 h and 1 h + 1 us) are within 4 h as well; C1 (New York owner, no calendar of its own now: 8 h on Tokyo's)
    stays breached; D1 within, E1 pending."""
    assert status(con, "B1") == (None, 2.0, 3.5)
    # before: A1 1.0 within, A2 1.0000000003 within 2 h, B1 breached, C1 8 h breached, D1 1.5 within, E1 pending
    assert response(con) == (6, 3, 2, 1)
    before = stored_config(con)
    version_before = data_version(con)
    as_of_before = default_as_of(con)
    tier = Tier("Tier A", (("icp_tier", ("A",)),), response_target_hours=4)
    v1 = dataclasses.replace(before.versions[0], tiers=(tier,))
    summary = replace_terms(con, dataclasses.replace(before, versions=(v1,)))
    assert status(con, "B1") == ("Tier A", 4.0, 3.5)
    assert status(con, "A2")[:2] == ("Tier A", 4.0)
    assert response(con) == (6, 4, 1, 1)  # B1 moved from breached to within; nothing else changed
    assert stored_config(con).versions[0].tiers == (tier,)
    # recorded as a terms change: the cache key moves, no row moved, "data as of" stays capped by the real import
    assert data_version(con) == version_before + 1 == summary.import_id
    assert con.execute("SELECT mode, leads, activities FROM imports ORDER BY import_id DESC LIMIT 1").fetchall() == [
        ("terms", 6, 10)]
    assert default_as_of(con) == as_of_before
    assert summary.rows["leads"] == 6


def test_the_team_calendar_rejudges_the_new_york_handoff(con):
    """C1 (owner in "SDR Americas"): Fri Mar 6 17:00 EST -> Mon Mar 9 09:30 EDT. On Tokyo's calendar 8 h,
    breached; mapped to a New York calendar 08:30-17:30, 0.5 + 1.0 = 1.5 h, within."""
    config = parse_sla(SLA)  # the fixture's full SLA: us calendar, [teams], tiers
    us = dict(config.calendars)["us"]
    base = stored_config(con)
    replace_terms(con, dataclasses.replace(base, calendars=(("us", us),), teams=(("SDR Americas", "us"),)))
    assert con.execute("SELECT calendar, response_business_hours FROM lead_facts WHERE lead_id = 'C1'"
                       ).fetchall() == [("us", 1.5)]


def test_a_terms_change_that_fails_leaves_everything_as_it_was(con):
    before = stored_config(con)
    version_before = data_version(con)
    broken = dataclasses.replace(before, calendar=dataclasses.replace(before.calendar, timezone="Mars/Olympus"))
    with pytest.raises(Exception):  # noqa: B017 - whatever failed inside, the transaction rolled back
        replace_terms(con, broken)
    assert stored_config(con) == before
    assert data_version(con) == version_before
    assert status(con, "B1") == (None, 2.0, 3.5)


def test_put_in_force_refuses_with_the_validators_words_in_japanese(con):
    before = stored_config(con)
    bad = dataclasses.replace(before, calendar=dataclasses.replace(before.calendar, day_end=dt.time(8, 0)))
    with pytest.raises(ImportFailed) as err:
        flow.put_in_force(con, bad)
    text = err.value.problems[0].text("ja")
    assert "day_end" in text and "09:00" in text and "より後の時刻にしてください" in text
    assert stored_config(con) == before
    with pytest.raises(ConfigError):
        flow.checked(dataclasses.replace(before, versions=(dataclasses.replace(
            before.versions[0], tiers=(Tier("no match", ()),)),)))


def test_year_end_adds_the_closure_days_that_are_not_closed_already():
    """2025-26: Mon Dec 29, Tue 30, Wed 31, Thu Jan 1 (元日, a public holiday), Fri Jan 2, Sat Jan 3."""
    cal = Calendar()  # Tokyo, Mon-Fri, JP holidays
    plan = flow.year_end(cal, dt.date(2025, 12, 1), dt.date(2026, 1, 31))
    assert plan.years == (2025,)
    assert plan.added == (dt.date(2025, 12, 29), dt.date(2025, 12, 30), dt.date(2025, 12, 31), dt.date(2026, 1, 2))
    assert [d for d, _ in plan.holidays] == [dt.date(2026, 1, 1)]
    assert plan.not_workdays == (dt.date(2026, 1, 3),)
    again = flow.year_end(flow.with_year_end(cal, plan), dt.date(2025, 12, 1), dt.date(2026, 1, 31))
    assert again.added == () and len(again.already) == 4
    # a span from Jan 2, 2026 still touches that year end; one from Feb to Nov touches none
    assert flow.year_end(cal, dt.date(2026, 1, 2), dt.date(2026, 3, 1)).years == (2025,)
    assert flow.year_end(cal, dt.date(2026, 2, 1), dt.date(2026, 11, 30)).years == ()
    # 2024-25 and 2025-26: Dec 29, 2024 is a Sunday
    two = flow.year_end(cal, dt.date(2024, 12, 30), dt.date(2026, 1, 5))
    assert two.years == (2024, 2025) and dt.date(2024, 12, 29) in two.not_workdays
    text = tt.year_end_text(plan, "en")
    assert text.startswith("Adds 4 days: Dec 29, 2025; Dec 30, 2025; Dec 31, 2025; Jan 2, 2026.")
    assert "Already public holidays: Jan 1, 2026" in text and "Not workdays anyway: Jan 3, 2026." in text
    assert tt.year_end_text(plan, "ja").startswith("4 日を追加します：2025年12月29日")


def test_the_lunch_break_is_offered_on_tokyo_calendars_without_a_break():
    tokyo = Calendar()
    assert flow.lunch_offered(tokyo)
    assert flow.with_lunch(tokyo).day_hours == 8.0  # 09:00-18:00 less 12:00-13:00
    assert not flow.lunch_offered(flow.with_lunch(tokyo))
    assert not flow.lunch_offered(Calendar(timezone="America/New_York"))
    assert not flow.lunch_offered(Calendar(day_start=dt.time(13, 0)))


def test_terms_in_plain_words():
    config = parse_sla(SLA)
    assert tt.workdays_text((0, 1, 2, 3, 4), "en") == "Mon–Fri"
    assert tt.workdays_text((0, 2, 4), "en") == "Mon, Wed, Fri"
    assert tt.workdays_text((0, 1, 2, 3, 4), "ja") == "月–金"
    cals = tt.calendar_rows(config, "en")
    assert [r["Calendar"] for r in cals] == ["Default calendar", "us"]
    assert cals[0]["Breaks"] == "12:00–13:00" and cals[0]["Business day (net of breaks)"] == "8\xa0h"
    assert cals[1]["Business hours"] == "08:30–17:30" and cals[1]["Used by"] == "SDR Americas"
    assert cals[1]["Public holidays"] == "US public holidays"
    tiers = tt.tier_rows(config, "en")
    assert tiers[0]["Tier"] == "Tier A demo"
    assert tiers[0]["Applies to"] == "Source is “demo request” and ICP tier is “A”"  # in TIER_MATCH_KEYS order
    assert tiers[1]["Follow-up"] == "3 attempts within 5 business days (the version's)"
    assert tiers[2]["Tier"] == "Default terms" and tiers[2]["Response target"] == "2\xa0h"
    teams = tt.team_rows(config, ["SDR Americas", "SDR Japan"], "ja")
    assert [(r["チーム"], r["カレンダー"]) for r in teams] == [("SDR Americas", "us"),
                                                            ("SDR Japan", "既定のカレンダー")]
    # distinct tier names across v1 and v2: Tier A demo, Tier A, Enterprise
    assert tt.saved_sentence(config, "en") == ("Saved. Response attainment is now judged on 2 calendars and 3 tiers; "
                                               "every handoff was judged again.")
    assert "2 つのカレンダーと3 つのティア" in tt.saved_sentence(config, "ja")


def test_the_change_list_names_each_setting_before_and_after():
    before = parse_sla(BASE)
    tier = Tier("Tier A", (("icp_tier", ("A",)),), response_target_hours=4)
    after = dataclasses.replace(before, calendar=dataclasses.replace(before.calendar, breaks=()),
                                versions=(dataclasses.replace(before.versions[0], tiers=(tier,)),))
    rows = {(r["What"], r["Setting"]): (r["Before"], r["After"]) for r in tt.changes(before, after, "en")}
    assert rows[("Calendar “Default calendar”", "Breaks")] == ("12:00–13:00", "none")
    assert rows[("Calendar “Default calendar”", "Business day (net of breaks)")] == ("8\xa0h", "9\xa0h")
    assert rows[("v1 › tier “Tier A”", "Response target")] == ("—", "4\xa0h")
    assert rows[("v1 › tier “Tier A”", "Applies to")] == ("—", "ICP tier is “A”")
    assert tt.changes(before, before, "en") == []
