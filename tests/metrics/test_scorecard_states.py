"""Honest scorecard states: no data is not zero, a handful of cases is no verdict, a segment has no commitment,
an immature cohort is still maturing, and a change against an empty comparison is no change.

Hand-made report objects (the shape of sla_review.metrics.report.build_report) keep each rule's arithmetic visible; the
last tests import the worked example without its activities / rejections and read the real report."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

from sla_review.core.periods import Period
from sla_review.core.vocabulary import Filters
from sla_review.ingest.importer import import_dir
from sla_review.metrics import scorecard as sc
from sla_review.metrics.report import build_report, make_period
from sla_review.store.db import connect

PERIOD = Period(dt.date(2026, 4, 1), dt.date(2026, 7, 1), dt.datetime(2026, 7, 1, tzinfo=dt.UTC), "UTC")
TERMS = {"mql_to_sql_target": 0.3, "response_target_hours": 4, "min_attempts": 3}


def _data(mqls: int = 300, converted: int = 100, within: int = 90, breached: int = 10, due: int = 100,
          compliant: int = 95, rejected: int = 30, young: int = 0, no_data: bool = False,
          has_rejections: bool = True, has_activity: bool = True) -> sc.ScorecardData:
    response = {"handoffs": within + breached, "responded": within, "within_target": within,
                "breached": breached, "pending": 0, "attainment": within / (within + breached) if within + breached
                else None, "median_business_hours": 1.0, "p90_business_hours": 3.0}
    follow = {"due": due, "compliant": compliant, "rate": compliant / due if due else None}
    if no_data:
        response |= {"attainment": None, "median_business_hours": None, "p90_business_hours": None,
                     "no_data": True}
        follow |= {"rate": None, "no_data": True}
    report = {"mql_count": mqls, "mql_monthly": [{"month": m, "count": mqls // 3, "commitment": 100,
                                                  "met": mqls // 3 >= 100} for m in ("2026-04", "2026-05", "2026-06")],
              "mql_to_sql": {"cohort": mqls, "converted": converted, "rate": converted / mqls if mqls else None},
              "response": response, "follow_up": follow, "rejections": []}
    return sc.ScorecardData(PERIOD, report, rejected, young, 90, has_rejections, has_activity)


def _tiles(data: sc.ScorecardData, cmp: sc.ScorecardData | None = None, segmented: bool = False) -> dict:
    return {t.key: t for t in sc.tiles(data, cmp, TERMS, sc.Guides(), segmented)}


def test_enough_cases_get_a_verdict():
    t = _tiles(_data())
    # 300 MQLs in 3 months = 100/month vs 100: green; 100/300 = 33.3% vs 30%: green; 90/100 = 90% vs 90%: green;
    # 95/100 follow-up: green; 30 of 300 MQLs rejected = 10% <= 20%: green
    assert {k: v.status for k, v in t.items()} == dict.fromkeys(t, "green")
    assert t["rejection"].actual == 0.1 and t["mql_volume"].actual == 100


def test_rejection_rate_is_a_cohort_rate_of_leads():
    """30 rejected leads of 300 MQLs is 10%, whatever the number of rejection events (which can exceed MQLs)."""
    t = _tiles(_data(mqls=30, converted=10, rejected=30))
    assert t["rejection"].actual == 1.0 and t["rejection"].status == "red"  # never above 100%
    assert sc.tile_text(t["rejection"], "en").detail == "30 of 30 MQLs rejected by sales"


def test_no_activities_is_no_response_data_not_zero():
    t = _tiles(_data(no_data=True))
    for key in ("response", "follow_up"):
        assert t[key].status == "no_data" and t[key].actual is None
        text = sc.tile_text(t[key], "en")
        assert text.value == "—" and text.status_label == "No response data"  # no figure; the badge says why
        assert "holds no activities" in text.reason
    assert sc.tile_text(t["response"], "ja").status_label == "対応データなし"


def test_no_rejections_in_the_data_is_no_closed_loop_data():
    t = _tiles(_data(rejected=0, has_rejections=False))
    text = sc.tile_text(t["rejection"], "en")
    assert t["rejection"].status == "no_data" and text.value == "—" and text.status_label == "No closed-loop data"
    assert "no rejections" in text.reason
    # with rejections elsewhere in the data, a period without any is a real 0%
    assert _tiles(_data(rejected=0))["rejection"].status == "green"


def test_a_handful_of_cases_is_too_few_to_judge():
    t = _tiles(_data(within=2, breached=0, due=19, compliant=19))
    assert t["response"].actual == 1.0 and t["response"].status == "too_few" and t["response"].cases == 2
    text = sc.tile_text(t["response"], "en")
    assert text.value == "100.0%" and text.status_label == "Too few to judge (2)"
    assert text.reason == "Only 2 judged handoffs: a verdict needs at least 20."
    assert t["follow_up"].status == "too_few"  # 19 < 20
    assert _tiles(_data(within=20, breached=0))["response"].status == "green"  # exactly the minimum: judged


def test_a_segment_has_no_commitment_so_no_verdict():
    t = _tiles(_data(mqls=60, converted=20, rejected=6), segmented=True)["mql_volume"]
    text = sc.tile_text(t, "en")
    assert t.status == "unjudged" and t.target is None and text.value == "20.0"  # 60 MQLs / 3 months
    assert text.target == "No segment commitment" and "company-wide" in text.reason


def test_an_immature_cohort_is_still_maturing():
    t = _tiles(_data(young=12))["mql_to_sql"]
    text = sc.tile_text(t, "en")
    assert t.status == "maturing" and text.value == "33.3%" and text.status_label == "Still maturing"
    assert text.reason.startswith("12 of 300 MQLs are younger than 90 days")
    assert sc.cohort_is_mature(0) and not sc.cohort_is_mature(1)


def test_no_change_against_an_empty_or_thin_comparison():
    empty = _data(mqls=0, converted=0, within=0, breached=0, due=0, compliant=0, rejected=0, has_activity=False)
    assert all(t.delta is None for t in _tiles(_data(), empty).values())  # no "+100" against nothing
    thin = _data(within=3, breached=1)
    deltas = {k: t.delta for k, t in _tiles(_data(), thin).items()}
    assert deltas["response"] is None  # 4 judged handoffs are no baseline
    assert deltas["mql_volume"] == 0 and abs(deltas["follow_up"]) < 1e-12  # the same figures: a change of 0
    older = replace(_data(), rejected_leads=60)
    assert _tiles(_data(), older)["rejection"].delta == -0.1  # 10% now vs 20% before


def _worked_without(worked_dir: Path, tmp_path: Path, activities: bool, rejections: bool):
    if not activities:
        path = worked_dir / "activities.csv"
        path.write_text(path.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    if not rejections:
        path = worked_dir / "stage_events.csv"
        lines = path.read_text(encoding="utf-8").splitlines()
        path.write_text("\n".join(x for x in lines if ",rejected," not in x) + "\n", encoding="utf-8")
    con = connect(tmp_path / "x.duckdb")
    import_dir(con, worked_dir)
    return con, make_period(con, dt.date(2026, 4, 1), dt.date(2026, 7, 1), "2026-06-30T10:00:00+09:00")


def test_report_says_no_data_without_activities(worked_dir: Path, tmp_path: Path):
    """DOMAIN.md "No data is not zero": response and follow_up carry no_data and null rates and quantiles."""
    con, period = _worked_without(worked_dir, tmp_path, activities=False, rejections=False)
    try:
        rep = build_report(con, period)
        data = sc.scorecard_data(con, period, Filters())
    finally:
        con.close()
    assert rep["response"]["no_data"] is True and rep["follow_up"]["no_data"] is True
    assert rep["response"]["attainment"] is None and rep["response"]["median_business_hours"] is None
    assert rep["response"]["p90_business_hours"] is None and rep["follow_up"]["rate"] is None
    assert rep["rejections"] == []
    tiles = {t.key: t for t in sc.tiles(data, None, TERMS, sc.Guides())}
    assert tiles["response"].reason == "why_no_activities" and tiles["rejection"].reason == "why_no_rejections"


def test_report_has_no_no_data_key_when_activities_exist(worked_db: Path):
    con = connect(worked_db, read_only=True)
    try:
        rep = build_report(con, make_period(con, dt.date(2026, 4, 1), dt.date(2026, 7, 1),
                                            "2026-06-30T10:00:00+09:00"))
    finally:
        con.close()
    assert "no_data" not in rep["response"] and rep["response"]["attainment"] == 0.5


def test_terminal_summary_says_no_response_data_instead_of_breaches(worked_dir: Path, tmp_path: Path):
    """Without any activity the CLI's summary must not read "4 breached": it says there is no response data."""
    from sla_review.metrics.report import format_summary

    con, period = _worked_without(worked_dir, tmp_path, activities=False, rejections=True)
    try:
        text = format_summary(build_report(con, period))
    finally:
        con.close()
    assert "no response data" in text and "breached" not in text and "compliant" not in text
    assert "Response: 5 handoffs;" in text  # the worked example's 5 handoffs are still counted


def test_each_rate_tile_carries_its_wilson_interval_and_the_change_its_verdict():
    """MQL→SQL 240 of 1,000 now vs 180 of 1,000 before: Newcombe's interval for +6 pt is [+2.4, +9.6] pt
    (statsmodels agrees, tests/metrics/test_intervals.py), so beyond noise; follow-up 95 of 100 vs 93 of 100:
    within noise. Wilson for 240 of 1,000 by hand: n + z² = 1003.8415, centre = 241.9207 / 1003.8415 = 0.240995,
    half = 1.959964 / 1003.8415 · √(182.4 + 0.960365) = 0.001952 · 13.5411 = 0.026438 -> [0.2146, 0.2674]."""
    now, before = _data(mqls=1000, converted=240), _data(mqls=1000, converted=180, compliant=93)
    t = _tiles(now, before)
    low, high = t["mql_to_sql"].ci
    assert round(low, 4) == 0.2146 and round(high, 4) == 0.2674
    assert t["mql_to_sql"].noise == "beyond_noise" and t["follow_up"].noise == "within_noise"
    assert t["mql_volume"].ci is None and t["mql_volume"].noise is None  # a count per month is not a rate
    text = sc.tile_text(t["mql_to_sql"], "en")
    assert text.interval == "24.0% (95%: 21.5\u2060–\u206026.7%)" and text.noise == "beyond noise"
    assert sc.tile_text(t["mql_to_sql"], "ja").noise == "誤差を超える"
    assert sc.tile_text(t["follow_up"], "ja").noise == "誤差の範囲内"


def test_no_verdict_on_a_thin_comparison_and_no_interval_without_data():
    thin = _data(mqls=12, converted=4, within=9, breached=3, due=10, compliant=9, rejected=1)
    t = _tiles(_data(), thin)
    assert all(tile.noise is None for tile in t.values())  # fewer than MIN_CASES before: no change, no verdict
    t = _tiles(_data(no_data=True))
    assert t["response"].ci is None and t["follow_up"].ci is None
    assert sc.tile_text(t["response"], "en").interval is None
