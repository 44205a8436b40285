"""DOMAIN.md "Tiered targets and several calendars", worked by hand.

One SLA with a lunch break and a year-end closure on the Tokyo calendar, a New York calendar for the team
"SDR Americas", and two tiers ("Tier A demo" before "Tier A": a lead matching both takes the first). Every
expected figure below is counted by hand from the calendars, never read from the code.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

import polars as pl
import pytest

from sla_review.core.terms import DEFAULT_TIER, parse_sla, to_toml
from sla_review.ingest.importer import import_sources, stored_config
from sla_review.metrics.report import build_report, make_period
from sla_review.store.business_time import business_hours
from sla_review.store.db import connect

TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")
NEW_YORK = zoneinfo.ZoneInfo("America/New_York")

SLA = """
[calendar]
timezone = "Asia/Tokyo"
workdays = ["Mon", "Tue", "Wed", "Thu", "Fri"]
day_start = "09:00"
day_end = "18:00"
breaks = [["12:00", "13:00"]]
holiday_country = "JP"
extra_holidays = ["2026-12-29", "2026-12-30", "2026-12-31"]

[calendars.us]
timezone = "America/New_York"
day_start = "08:30"
day_end = "17:30"
holiday_country = "US"

[teams]
"SDR Americas" = "us"

[[versions]]
name = "v1"
effective_from = "2026-01-01"
mql_threshold = 50
response_target_hours = 2
min_attempts = 3
attempt_window_business_days = 5

[[versions.tiers]]
name = "Tier A demo"
match = { icp_tier = ["A"], source = ["demo request"] }
response_target_hours = 1
min_attempts = 4
attempt_window_business_days = 3

[[versions.tiers]]
name = "Tier A"
match = { icp_tier = ["A"] }
response_target_hours = 4

[[versions]]
name = "v2"
effective_from = "2027-03-01"
mql_threshold = 50

[[versions.tiers]]
name = "Enterprise"
match = { region = ["EMEA"] }
response_target_hours = 8

[[versions.tiers]]
name = "Tier A demo"
match = { icp_tier = ["A"], source = ["demo request"] }
response_target_hours = 1
"""


def jst(*args: int) -> str:
    return dt.datetime(*args, tzinfo=TOKYO).isoformat()


# lead, source, icp_tier, owner, handoff (the MQL entry), first response (None: unanswered)
LEADS = [
    # matches both tiers -> "Tier A demo" (1 h). Mon 11:30 -> 13:30 across lunch: 0.5 + 0.5 = exactly 1.0 h
    ("A1", "demo request", "A", "R1", jst(2026, 4, 6, 11, 30), jst(2026, 4, 6, 13, 30)),
    # the same, one microsecond later: 1 h + 1 us, breached
    ("A2", "demo request", "A", "R1", jst(2026, 4, 6, 11, 30), jst(2026, 4, 6, 13, 30, 0, 1)),
    # "Tier A" (4 h): Mon 16:00 -> Tue 10:30 = 2 + 1.5 = 3.5 h, within (the default 2 h would breach it)
    ("B1", "webinar", "A", "R1", jst(2026, 4, 6, 16), jst(2026, 4, 7, 10, 30)),
    # default tier, owner in "SDR Americas": counted on New York's calendar across its DST start (Sun Mar 8):
    # Fri 17:00 EST (22:00Z) -> Mon 09:30 EDT (13:30Z) = 0.5 + 1.0 = 1.5 h, within. On Tokyo's calendar it
    # would be Sat 07:00 -> Mon 22:30 JST = 8 h (a full day net of lunch), breached.
    ("C1", "webinar", "B", "R2", "2026-03-06T22:00:00Z", "2026-03-09T13:30:00Z"),
    # default tier, Tokyo, across the year-end closure: Mon Dec 28 17:00 -> Mon Jan 4 09:30; Dec 29-31 closed,
    # Jan 1 a public holiday, Jan 2-3 a weekend: 1.0 + 0.5 = 1.5 h, within
    ("D1", "webinar", "B", "R1", jst(2026, 12, 28, 17), jst(2027, 1, 4, 9, 30)),
    # default tier, unanswered: Fri Jan 29 17:00, as_of Sun Jan 31 10:00 -> 1 h elapsed of 2: pending
    ("E1", "webinar", "B", "R1", jst(2027, 1, 29, 17), None),
]
AS_OF = jst(2027, 1, 31, 10)


def frames() -> dict[str, pl.DataFrame]:
    leads = pl.DataFrame([(i, h, s, t, "80", "80", o) for i, s, t, o, h, _ in LEADS], orient="row",
                         schema=["lead_id", "created_at", "source", "icp_tier", "fit_score", "engagement_score",
                                 "owner_id"])
    events = pl.DataFrame([(i, "mql", h) for i, _, _, _, h, _ in LEADS], orient="row",
                          schema=["lead_id", "stage", "entered_at"])
    acts = [(i, o, r, "phone") for i, _, _, o, _, r in LEADS if r]
    # A1's follow-up: 3 attempts in its 3-day window, the 4th exactly at the window's end (Thu Apr 9 11:30)
    acts += [("A1", "R1", jst(2026, 4, 7, 10), "email"), ("A1", "R1", jst(2026, 4, 8, 10), "email"),
             ("A1", "R1", jst(2026, 4, 9, 11, 30), "phone")]
    # B1's second and third attempts inside its 5-day window (the version's: the tier does not set one)
    acts += [("B1", "R1", jst(2026, 4, 8, 10), "email"), ("B1", "R1", jst(2026, 4, 9, 10), "email")]
    activities = pl.DataFrame(acts, orient="row", schema=["lead_id", "rep_id", "occurred_at", "channel"])
    reps = pl.DataFrame([("R1", "Aoki", "SDR Japan"), ("R2", "Baker", "SDR Americas")], orient="row",
                        schema=["rep_id", "name", "team"])
    return {"leads": leads, "stage_events": events, "activities": activities, "reps": reps}


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    con = connect(tmp_path_factory.mktemp("tiers") / "tiers.duckdb")
    import_sources(con, frames(), SLA)
    return con


def fact(con, lead: str, column: str):
    return con.execute(f"SELECT {column} FROM lead_facts WHERE lead_id = $id", {"id": lead}).fetchall()[0][0]


@pytest.mark.parametrize("t1, t2, calendar, hours", [
    (jst(2026, 4, 6, 11, 30), jst(2026, 4, 6, 13, 30), "", 1.0),           # across lunch
    (jst(2026, 4, 6, 12, 15), jst(2026, 4, 6, 13, 45), "", 0.75),          # starting inside lunch
    (jst(2026, 4, 6, 9), jst(2026, 4, 7, 9), "", 8.0),                     # a whole day, net of lunch
    (jst(2026, 12, 28, 17), jst(2027, 1, 5, 10), "", 10.0),                # year end: 1 + Jan 4's 8 + 1
    ("2026-03-06T22:00:00Z", "2026-03-09T13:30:00Z", "us", 1.5),            # New York across DST start
    ("2026-03-06T22:00:00Z", "2026-03-09T13:30:00Z", "", 8.0),              # the same instants in Tokyo
    ("2026-11-02T13:30:00Z", "2026-11-02T14:30:00Z", "us", 1.0),            # Mon after DST ends: 08:30-09:30 EST
])
def test_business_hours_per_calendar(con, t1, t2, calendar, hours):
    assert business_hours(con, dt.datetime.fromisoformat(t1), dt.datetime.fromisoformat(t2), calendar) == hours


def test_each_handoff_has_its_calendar_and_tier(con):
    got = con.execute("SELECT lead_id, calendar, tier, response_target_hours, min_attempts, window_hours, "
                      "response_business_hours FROM lead_facts ORDER BY lead_id").fetchall()
    assert got == [
        ("A1", "", "Tier A demo", 1.0, 4, 24.0, 1.0),           # 3 days x 8 h (9 h less lunch)
        ("A2", "", "Tier A demo", 1.0, 4, 24.0, 1.0 + 1 / 3.6e9),
        ("B1", "", "Tier A", 4.0, 3, 40.0, 3.5),                # the version's 5 days x 8 h
        ("C1", "us", None, 2.0, 3, 45.0, 1.5),                  # 5 days x New York's 9 h
        ("D1", "", None, 2.0, 3, 40.0, 1.5),
        ("E1", "", None, 2.0, 3, 40.0, None),
    ]
    assert fact(con, "A2", "response_us") == 3_600_000_001


def test_attempt_windows_end_on_their_own_calendar(con):
    # A1: Mon 11:30 + 24 h: Mon 5.5 (11:30-12 and 13-18), Tue 8, Wed 8 = 21.5, Thu 09:00-11:30 the last 2.5
    assert fact(con, "A1", "window_end_at") == dt.datetime(2026, 4, 9, 11, 30, tzinfo=TOKYO)
    assert fact(con, "A1", "attempts_in_window") == 4  # the one exactly at the window's end counts
    # C1: Fri 17:00 EST + 45 h: Fri 0.5, Mon-Thu 36 (Mar 9-12) = 36.5, Fri Mar 13 08:30 + 8.5 h = 17:00 EDT
    assert fact(con, "C1", "window_end_at") == dt.datetime(2026, 3, 13, 17, 0, tzinfo=NEW_YORK)


def test_a_window_can_end_at_the_start_of_a_break(tmp_path):
    """Handoff Mon Apr 13 12:00 (lunch starts), 5 days x 8 h = 40 h: Mon 13-18 = 5, Tue-Fri 32 = 37, then Mon
    Apr 20 09:00-12:00 = 3: the window ends at 12:00, where the break starts, not at 13:00."""
    con = connect(tmp_path / "break.duckdb")
    data = frames()
    data["leads"] = data["leads"].filter(pl.col("lead_id") == "E1").with_columns(
        pl.lit(jst(2026, 4, 13, 12)).alias("created_at"))
    data["stage_events"] = pl.DataFrame([("E1", "mql", jst(2026, 4, 13, 12))], orient="row",
                                        schema=["lead_id", "stage", "entered_at"])
    data["activities"] = data["activities"].filter(pl.col("lead_id") == "E1")
    import_sources(con, data, SLA)
    assert fact(con, "E1", "window_end_at") == dt.datetime(2026, 4, 20, 12, 0, tzinfo=TOKYO)


def test_report_judges_each_handoff_by_its_tier_and_calendar(con):
    report = build_report(con, make_period(con, dt.date(2026, 1, 1), dt.date(2027, 2, 1), AS_OF))
    r = report["response"]
    # A1 within, A2 breached, B1 within, C1 within, D1 within, E1 pending
    assert (r["handoffs"], r["within_target"], r["breached"], r["pending"]) == (6, 4, 1, 1)
    assert r["attainment"] == 0.8
    tiers = [{k: row[k] for k in ("tier", "handoffs", "within_target", "breached", "pending", "attainment")}
             for row in report["response_by_tier"]]
    assert tiers == [
        {"tier": "Tier A demo", "handoffs": 2, "within_target": 1, "breached": 1, "pending": 0, "attainment": 0.5},
        {"tier": "Tier A", "handoffs": 1, "within_target": 1, "breached": 0, "pending": 0, "attainment": 1.0},
        # v2's new tier, no handoffs yet: zero counts and a null attainment
        {"tier": "Enterprise", "handoffs": 0, "within_target": 0, "breached": 0, "pending": 0, "attainment": None},
        {"tier": DEFAULT_TIER, "handoffs": 3, "within_target": 2, "breached": 0, "pending": 1, "attainment": 1.0},
    ]
    assert [row["target_hours"] for row in report["response_by_tier"]] == [[1], [4], [8], [2]]
    # follow-up: due when the window closed by as_of: all but E1 (its 40 h run into February). A1 4 attempts of
    # 4 and B1 3 of 3 are compliant; A2 1 of 4, C1 1 of 3, D1 1 of 3 are not
    f = report["follow_up"]
    assert (f["due"], f["compliant"]) == (5, 2)


def test_a_filter_on_team_keeps_the_team_calendar(con):
    from sla_review.core.vocabulary import Filters

    period = make_period(con, dt.date(2026, 1, 1), dt.date(2027, 2, 1), AS_OF)
    r = build_report(con, period, filters=Filters(team=("SDR Americas",)), sections=("response",))["response"]
    assert (r["handoffs"], r["within_target"], r["breached"]) == (1, 1, 0)


def test_pending_elapsed_is_counted_on_the_handoffs_calendar(tmp_path):
    """An unanswered New York handoff Mon Mar 9 09:00 EDT (13:00Z), as_of 11:00 EDT: 2 h elapsed of the 2 h
    target = pending; one second later breached. On Tokyo's calendar that moment is 00:00 JST, no time at all."""
    con = connect(tmp_path / "elapsed.duckdb")
    data = frames()
    data["leads"] = data["leads"].filter(pl.col("lead_id") == "C1")
    data["stage_events"] = pl.DataFrame([("C1", "mql", "2026-03-09T13:00:00Z")], orient="row",
                                        schema=["lead_id", "stage", "entered_at"])
    data["activities"] = data["activities"].filter(pl.col("lead_id") == "nobody")
    import_sources(con, data, SLA)
    period = dict(from_day=dt.date(2026, 3, 1), to_day=dt.date(2026, 4, 1))
    at = build_report(con, make_period(con, as_of="2026-03-09T15:00:00Z", **period), sections=("response",))
    assert (at["response"]["pending"], at["response"]["breached"]) == (1, 0)
    past = build_report(con, make_period(con, as_of="2026-03-09T15:00:01Z", **period), sections=("response",))
    assert (past["response"]["pending"], past["response"]["breached"]) == (0, 1)


def test_terms_round_trip_through_the_database_and_toml(con):
    config = parse_sla(SLA)
    assert stored_config(con) == config
    assert parse_sla(to_toml(config)) == config
    assert config.calendar.day_hours == 8.0 and dict(config.calendars)["us"].day_hours == 9.0
    assert dict(config.calendars)["us"].holiday_country == "US" and dict(config.calendars)["us"].breaks == ()


def test_without_tiers_response_by_tier_is_the_default_only(tmp_path):
    from tests.conftest import WORKED

    con = connect(tmp_path / "worked.duckdb")
    files = {t: WORKED / f"{t}.csv" for t in ("leads", "stage_events", "activities", "reps")}
    import_sources(con, files, (WORKED / "sla.toml").read_text(encoding="utf-8"))
    report = build_report(con, make_period(con, dt.date(2026, 4, 1), dt.date(2026, 7, 1),
                                           "2026-06-30T10:00:00+09:00"))
    # DOMAIN.md's worked example: 5 handoffs, 2 within, 2 breached, 1 pending, attainment 0.5
    row = report["response_by_tier"]
    assert [(x["tier"], x["handoffs"], x["within_target"], x["breached"], x["pending"], x["attainment"])
            for x in row] == [(DEFAULT_TIER, 5, 2, 2, 1, 0.5)]


def test_the_templates_commented_examples_are_valid_sla_toml():
    """data/sla_template.toml shows the optional keys as comments; uncommented (Japan's calendar has no
    subdivisions, so that one line stays out) they parse into a lunch break, a team calendar and a tier."""
    from tests.conftest import ROOT

    lines = (ROOT / "data" / "sla_template.toml").read_text(encoding="utf-8").splitlines()
    uncommented = [line[2:] if line.startswith("# ") and ("=" in line or line.startswith("# [")) else line
                   for line in lines if "holiday_subdivision" not in line]
    config = parse_sla("\n".join(uncommented))
    assert config.calendar.day_hours == 8.0
    assert config.teams == (("SDR Americas", "us"),) and dict(config.calendars)["us"].timezone == "America/New_York"
    assert [t.name for t in config.versions[0].tiers] == ["Tier A demo requests"]


@pytest.mark.parametrize("lang, tiered, plain", [
    ("en", "had their tier's minimum attempts in the window (≥ 3 without a tier)", "had ≥ 3 attempts in the window"),
    ("ja", "ティアごとの最低回数以上対応（ティア外は 3 回以上）", "期間内に 3 回以上対応"),
])
def test_follow_up_tile_names_the_tiers_minimum(con, lang, tiered, plain):
    """"Tier A demo" asks 4 attempts: the follow-up tile must not say "≥ 3" of every handoff. The same tile of a
    version without tiers keeps the plain wording. Counts: 5 due, 2 compliant (see the report test above)."""
    from sla_review.core.terms import for_period, stored_versions
    from sla_review.core.vocabulary import Filters
    from sla_review.metrics import scorecard as sc

    period = make_period(con, dt.date(2026, 1, 1), dt.date(2027, 2, 1), AS_OF)
    data = sc.scorecard_data(con, period, Filters())
    shown = for_period(stored_versions(con), period).as_dict()
    for terms, words in ((shown, tiered), ({**shown, "tiers": []}, plain)):
        tile = next(t for t in sc.tiles(data, None, terms, sc.Guides()) if t.key == "follow_up")
        detail = sc.tile_text(tile, lang).detail
        assert words in detail and "2" in detail and "5" in detail, detail
