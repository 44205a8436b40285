"""DOMAIN.md "Exactness and ambiguous input" and "Handoff across versions", worked by hand.

Business time is integer microseconds (a response exactly at its target is within it, whatever other leads
are in the table), scores are exact decimals, naive timestamps follow fold=0, and a lead's handoff is its
first entry into a stage at or past the handoff stage of the version in force at that entry.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

import polars as pl
import pyarrow as pa
import pytest

from sla_review.ingest.importer import import_sources
from sla_review.metrics.report import build_report, make_period, parse_instant
from sla_review.store.business_time import install_local_instant, local_instant
from sla_review.store.db import connect

AS_OF = "2026-06-30T10:00:00+09:00"
APRIL, JULY = dt.date(2026, 4, 1), dt.date(2026, 7, 1)


def version(name: str, effective_from: str, handoff: str = "mql", target: float = 4, fw: float = 0.7,
            ew: float = 0.3, threshold: float = 64) -> str:
    return f"""
[[versions]]
name = "{name}"
effective_from = "{effective_from}"
mql_threshold = {threshold}
fit_weight = {fw}
engagement_weight = {ew}
handoff_stage = "{handoff}"
response_target_hours = {target}
monthly_mql_commitment = 1
min_attempts = 1
attempt_window_business_days = 5
mql_to_sql_target = 0.3
"""


def sla(*versions: str, timezone: str = "Asia/Tokyo", country: str = "JP") -> str:
    return f'[calendar]\ntimezone = "{timezone}"\nholiday_country = "{country}"\n' + "".join(versions)


def tables(leads: list[tuple], events: list[tuple], activities: list[tuple]) -> dict[str, pl.DataFrame]:
    """Canonical frames from (id, created, fit, eng), (id, stage, at) and (id, at) tuples, as CSV text."""
    return {
        "leads": pl.DataFrame([(i, c, str(f), str(e)) for i, c, f, e in leads], orient="row",
                              schema=["lead_id", "created_at", "fit_score", "engagement_score"]),
        "stage_events": pl.DataFrame(events, schema=["lead_id", "stage", "entered_at"], orient="row"),
        "activities": pl.DataFrame([(i, "R1", at, "phone") for i, at in activities], orient="row",
                                   schema=["lead_id", "rep_id", "occurred_at", "channel"]),
    }


# April 2026 business days in Tokyo (Showa Day, Apr 29, is a holiday; weekends skipped)
APRIL_DAYS = [d for d in (dt.date(2026, 4, n) for n in range(1, 31)) if d.weekday() < 5 and d.day != 29]


def probe_tables(with_old_lead: bool) -> dict[str, pl.DataFrame]:
    """A handoff at 09:00, 09:05, ..., 09:55 on each April business day (21 days x 12), each answered exactly
    4 h later (13:00 ... 13:55, same day, no break): 4 business hours = 14,400,000,000 us, the target."""
    leads, events, acts = [], [], []
    for day in APRIL_DAYS:
        for minute in range(0, 60, 5):
            lid = f"P{day:%m%d}{minute:02d}"
            at = f"{day}T09:{minute:02d}:00+09:00"
            leads.append((lid, at, 80, 80))
            events.append((lid, "mql", at))
            acts.append((lid, f"{day}T13:{minute:02d}:00+09:00"))
    if with_old_lead:  # ten years older, nothing to do with April 2026: moves business_days' first day
        leads.append(("OLD", "2016-01-05T10:00:00+09:00", 10, 10))
        events.append(("OLD", "inquiry", "2016-01-05T10:00:00+09:00"))
    return tables(leads, events, acts)


@pytest.mark.parametrize("with_old_lead", [False, True])
def test_response_exactly_at_target_is_within_target(tmp_path, with_old_lead):
    con = connect(tmp_path / "probe.duckdb")
    import_sources(con, probe_tables(with_old_lead), sla(version("v1", "2026-01-01")))
    report = build_report(con, make_period(con, APRIL, JULY, AS_OF))
    r = report["response"]
    assert len(APRIL_DAYS) == 21
    assert (r["handoffs"], r["responded"], r["within_target"], r["breached"], r["pending"]) == (252, 252, 252, 0, 0)
    assert r["attainment"] == 1.0 and r["median_business_hours"] == 4.0 and r["p90_business_hours"] == 4.0
    facts = con.execute("SELECT DISTINCT response_us, response_business_hours, response_target_us "
                        "FROM lead_facts WHERE lead_id LIKE 'P%'").fetchall()
    assert facts == [(14_400_000_000, 4.0, 14_400_000_000)]
    judged = con.execute("SELECT DISTINCT status FROM handoffs_judged($f, $t, $a, NULL, NULL, NULL, NULL, NULL, "
                         "NULL, NULL)", {"f": dt.datetime(2026, 3, 31, 15, tzinfo=dt.UTC),
                                         "t": dt.datetime(2026, 6, 30, 15, tzinfo=dt.UTC),
                                         "a": parse_instant(AS_OF, "Asia/Tokyo")}).fetchall()
    assert judged == [("within_target",)]


def test_unanswered_exactly_at_target_is_pending(tmp_path):
    """No response, as_of exactly 4 business hours after the handoff: elapsed = target, not past it."""
    con = connect(tmp_path / "pending.duckdb")
    data = tables([("U", "2026-04-07T09:05:00+09:00", 80, 80), ("OLD", "2016-01-05T10:00:00+09:00", 1, 1)],
                  [("U", "mql", "2026-04-07T09:05:00+09:00")], [("OLD", "2016-01-05T11:00:00+09:00")])
    import_sources(con, data, sla(version("v1", "2026-01-01")))
    at_target = build_report(con, make_period(con, APRIL, JULY, "2026-04-07T13:05:00+09:00"))["response"]
    assert (at_target["pending"], at_target["breached"]) == (1, 0)
    past = build_report(con, make_period(con, APRIL, JULY, "2026-04-07T13:05:00.000001+09:00"))["response"]
    assert (past["pending"], past["breached"]) == (0, 1)  # one microsecond past the target


def test_window_end_is_exact(tmp_path):
    """Handoff Tue 2026-04-07 09:05; 5 business days x 9 h = 45 h: Apr 7 has 8 h 55 min left, Apr 8, 9, 10,
    13 are 36 h (44 h 55 min), so the window ends 5 minutes into Tue Apr 14: 09:05 local."""
    con = connect(tmp_path / "window.duckdb")
    data = tables([("W", "2026-04-07T09:05:00+09:00", 80, 80), ("OLD", "2016-01-05T10:00:00+09:00", 1, 1)],
                  [("W", "mql", "2026-04-07T09:05:00+09:00")], [("W", "2026-04-14T09:05:00+09:00")])
    import_sources(con, data, sla(version("v1", "2026-01-01")))
    end, attempts, window_us = con.execute("SELECT window_end_at, attempts_in_window, window_us FROM lead_facts "
                                           "WHERE lead_id = 'W'").fetchall()[0]
    assert end == dt.datetime(2026, 4, 14, 9, 5, tzinfo=zoneinfo.ZoneInfo("Asia/Tokyo"))
    assert window_us == 45 * 3_600_000_000 and attempts == 1  # the activity at the end counts ([handoff, end])


def test_score_is_exact_decimal(tmp_path):
    """0.7*73 + 0.3*43 = 51.1 + 12.9 = 64 (63.99999999999999 in doubles): meets a threshold of 64."""
    con = connect(tmp_path / "score.duckdb")
    data = tables([("S", "2026-04-07T10:00:00+09:00", 73, 43)], [("S", "mql", "2026-04-07T10:00:00+09:00")], [])
    import_sources(con, data, sla(version("v1", "2026-01-01")))
    assert con.execute("SELECT score = 64 FROM lead_facts").fetchall() == [(True,)]
    what_if = build_report(con, make_period(con, APRIL, JULY, AS_OF), [64, 64.000001])["what_if"]
    assert [(w["threshold"], w["volume"]) for w in what_if] == [(64, 1), (64.000001, 0)]


# ---------------------------------------------------------------- handoff across versions

def test_handoff_follows_the_version_at_each_stage_entry(tmp_path):
    """v1 (from 2026-01-01): handoff at sal, target 2 h; v2 (from 2026-05-01 JST): handoff at mql, target 4 h.
    X: mql Apr 20 (v1: mql is before sal, not a handoff), sal Mon May 11 10:00 (v2: sal is past mql) ->
       handed off May 11 10:00 under v2; answered 13:00 = 3 h <= 4 h: within target (v1's 2 h would breach).
    Y: skips to sal Tue May 12 10:00 (v2) -> handoff there; answered 11:30 = 1.5 h: within target.
    Z: mql Tue Apr 21 10:00, skips sal, sql Wed Apr 22 10:00 (v1: sql is past sal) -> handoff Apr 22 10:00
       under v1; answered 13:00 = 3 h > 2 h: breached.
    V: mql Tue Apr 28, sal Thu Apr 30 10:00 (v1) -> handoff Apr 30 under v1 (a later v2 changes nothing);
       answered 11:00 = 1 h: within target.
    N: mql Apr 14 only, under v1: never handed off."""
    leads = [(i, "2026-04-01T10:00:00+09:00", 80, 80) for i in "XYZVN"]
    events = [("X", "mql", "2026-04-20T10:00:00+09:00"), ("X", "sal", "2026-05-11T10:00:00+09:00"),
              ("Y", "sal", "2026-05-12T10:00:00+09:00"),
              ("Z", "mql", "2026-04-21T10:00:00+09:00"), ("Z", "sql", "2026-04-22T10:00:00+09:00"),
              ("V", "mql", "2026-04-28T10:00:00+09:00"), ("V", "sal", "2026-04-30T10:00:00+09:00"),
              ("N", "mql", "2026-04-14T10:00:00+09:00")]
    acts = [("X", "2026-05-11T13:00:00+09:00"), ("Y", "2026-05-12T11:30:00+09:00"),
            ("Z", "2026-04-22T13:00:00+09:00"), ("V", "2026-04-30T11:00:00+09:00")]
    con = connect(tmp_path / "handoff.duckdb")
    import_sources(con, tables(leads, events, acts),
                   sla(version("v1", "2026-01-01", "sal", 2), version("v2", "2026-05-01", "mql", 4)))
    got = {r[0]: r[1:] for r in con.execute(
        "SELECT lead_id, strftime(timezone('Asia/Tokyo', handoff_at), '%m-%d %H:%M'), handoff_version, "
        "response_business_hours FROM lead_facts").fetchall()}
    assert got == {"X": ("05-11 10:00", "v2", 3.0), "Y": ("05-12 10:00", "v2", 1.5),
                   "Z": ("04-22 10:00", "v1", 3.0), "V": ("04-30 10:00", "v1", 1.0), "N": (None, None, None)}
    r = build_report(con, make_period(con, APRIL, JULY, AS_OF))["response"]
    assert (r["handoffs"], r["within_target"], r["breached"], r["pending"]) == (4, 3, 1, 0)


# ---------------------------------------------------------------- naive timestamps and DST

NY = "America/New_York"
# 2026 in New York: DST starts Sun Mar 8 at 02:00 EST (07:00 UTC) -> 03:00 EDT; it ends Sun Nov 1 at
# 02:00 EDT (06:00 UTC) -> 01:00 EST.
DST_CASES = [
    ("2026-11-01T01:30:00", dt.datetime(2026, 11, 1, 5, 30, tzinfo=dt.UTC)),  # repeated: first = 01:30 EDT (-4)
    ("2026-03-08T02:30:00", dt.datetime(2026, 3, 8, 7, 30, tzinfo=dt.UTC)),   # skipped: 02:30 EST = 03:30 EDT
    ("2026-11-01T00:59:00", dt.datetime(2026, 11, 1, 4, 59, tzinfo=dt.UTC)),  # before: EDT
    ("2026-11-01T02:00:00", dt.datetime(2026, 11, 1, 7, 0, tzinfo=dt.UTC)),   # after: EST (-5)
    ("2026-03-08T03:00:00", dt.datetime(2026, 3, 8, 7, 0, tzinfo=dt.UTC)),    # after: EDT
    ("2026-03-08", dt.datetime(2026, 3, 8, 5, 0, tzinfo=dt.UTC)),             # a bare date: local midnight EST
]


@pytest.mark.parametrize(("text", "instant"), DST_CASES)
def test_as_of_reads_naive_times_by_fold_0(text, instant):
    assert parse_instant(text, NY) == instant


def test_import_reads_naive_times_by_fold_0(tmp_path):
    """The same instants through the importer (CSV text without an offset is local time in the calendar)."""
    leads = [(f"T{i}", text, 50, 50) for i, (text, _) in enumerate(DST_CASES)]
    con = connect(tmp_path / "dst.duckdb")
    import_sources(con, tables(leads, [("T0", "inquiry", DST_CASES[0][0])], []), sla(version("v1", "2026-01-01"),
                                                                                     timezone=NY, country="US"))
    got = dict(con.execute("SELECT lead_id, created_at FROM leads").fetchall())
    assert {k: v.astimezone(dt.UTC) for k, v in got.items()} == {f"T{i}": at for i, (_, at) in enumerate(DST_CASES)}
    entered = con.execute("SELECT entered_at FROM stage_events").fetchall()[0][0]
    assert entered.astimezone(dt.UTC) == DST_CASES[0][1]


@pytest.mark.parametrize("zone", ["America/New_York", "Europe/Berlin", "Australia/Lord_Howe", "America/Santiago",
                                  "Europe/Dublin"])
def test_sql_rule_equals_zoneinfo_fold_0(zone):
    """Every quarter hour of 2026 (35,040 local times, both transitions, half-hour DST in Lord Howe, midnight
    transitions in Santiago, negative DST in Dublin): the importer's SQL gives zoneinfo's fold=0 instant."""
    start = dt.datetime(2026, 1, 1)
    naive = [start + dt.timedelta(minutes=15 * i) for i in range(4 * 24 * 365)]
    con = connect(":memory:")
    install_local_instant(con)
    con.register("t", pa.table({"l": pa.array(naive, pa.timestamp("us"))}))
    got = [r[0] for r in con.execute("SELECT local_instant(l, $tz) FROM t ORDER BY l", {"tz": zone}).fetchall()]
    assert got == [local_instant(n, zone) for n in naive]
