"""The dashboard's own queries agree with the report (DOMAIN.md) wherever they count the same thing.

Why: the pages break the scorecard's numbers down (by rep, by month, by reason...). A breakdown whose parts do
not add up to the scorecard would start an argument in the review meeting instead of ending one.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from sla_review.core import periods
from sla_review.core.vocabulary import Filters
from sla_review.export import csv_export
from sla_review.metrics import breakdowns as bd
from sla_review.metrics import scorecard as sc
from sla_review.metrics.report import build_report, make_period
from sla_review.store.db import connect

from .conftest import DEMO_HALF


@pytest.fixture(scope="module")
def demo(demo_db):
    con = connect(demo_db)
    period = make_period(con, *DEMO_HALF)
    yield con, period
    con.close()


@pytest.mark.parametrize("filters", [Filters(), Filters(source=("webinar", "event")), Filters(team=("enterprise",))])
def test_breakdowns_add_up_to_the_report(demo, filters):
    con, period = demo
    rep = build_report(con, period, (), filters)
    r, f = rep["response"], rep["follow_up"]
    flow = bd.funnel(con, period, filters, view="flow")
    assert flow.filter(pl.col("stage") == "mql")["count"][0] == rep["mql_count"]
    cohort = bd.funnel(con, period, filters, view="cohort")
    assert cohort["count"].to_list() == [s["count"] for s in rep["funnel_cohort"]]
    by_segment = bd.funnel_by(con, period, filters, "source")
    assert by_segment["mql"].sum() == rep["funnel_cohort"][1]["count"]

    for dim in ("owner", "team", "channel", "weekday", "hour"):
        by = bd.response_by(con, period, filters, dim)
        assert by["handoffs"].sum() == r["handoffs"], dim
        assert (by["within_target"].sum(), by["breached"].sum(), by["pending"].sum()) == (
            r["within_target"], r["breached"], r["pending"]), dim
        assert (by["due"].sum(), by["compliant"].sum()) == (f["due"], f["compliant"]), dim
    hist = bd.response_hist(con, period, filters)
    assert hist["handoffs"].sum() == r["responded"]
    breaches = bd.breaches(con, period, filters, limit=10**9)
    assert breaches.height == r["breached"]
    attempts = bd.followup_attempts(con, period, filters)
    assert (attempts["handoffs"].sum(), attempts["compliant"].sum()) == (f["due"], f["compliant"])

    cohorts = bd.mql_cohorts(con, period, filters, days=90)
    assert cohorts["mqls"].sum() == rep["mql_count"]
    assert cohorts["converted"].sum() == rep["mql_to_sql"]["converted"]
    conv = bd.conversion_by(con, period, filters, "owner", days=90)
    assert conv["mqls"].sum() == rep["mql_to_sql"]["cohort"]
    assert conv["converted"].sum() == rep["mql_to_sql"]["converted"]

    reasons = bd.closed_loop_by(con, period, filters, "reason").filter(pl.col("stage") == "rejected")
    assert dict(zip(reasons["key"], reasons["count"], strict=True)) == {
        x["reason"]: x["count"] for x in rep["rejections"]}
    for dim in ("source", "campaign", "band", "month"):
        by = bd.closed_loop_by(con, period, filters, dim).filter(pl.col("stage") == "rejected")
        assert by["count"].sum() == sc.rejection_count(rep), dim
    acceptance = bd.acceptance(con, period, filters)
    assert acceptance["mqls"].sum() == rep["mql_count"]


def test_curve_is_censoring_aware(demo):
    """Day d only counts MQLs observed for d days; the day-N rate of mature cohorts matches the cohorts."""
    con, period = demo
    curve = bd.mql_curve(con, period, Filters(), max_days=200)
    assert curve["day"].to_list() == list(range(201))
    observed = curve["observed"].to_list()
    assert observed == sorted(observed, reverse=True)  # fewer leads are old enough as d grows
    assert curve["rate"].drop_nulls().is_between(0, 1).all()
    # a period that ended more than 200 days before as_of: everyone observed, the curve is the plain share
    old = make_period(con, dt.date(2025, 1, 1), dt.date(2025, 4, 1))
    old_curve = bd.mql_curve(con, old, Filters(), max_days=200)
    rep = build_report(con, old, ())
    assert old_curve["observed"][200] == rep["mql_count"]
    within = bd.mql_cohorts(con, old, Filters(), days=200)
    assert old_curve["converted"][200] == within["converted_within"].sum()


def test_mql_cohorts_flag_young_months(demo):
    con, period = demo
    cohorts = bd.mql_cohorts(con, period, Filters(), days=90)
    assert cohorts["month"].to_list() == ["2026-04", "2026-05", "2026-06", "2026-07", "2026-08", "2026-09"]
    # as_of is 2026-11-20: a cohort is judged only when its newest MQL is 90 days old
    assert cohorts["mature"].to_list() == [True, True, True, True, False, False]
    assert (cohorts["converted_within"] <= cohorts["converted"]).all()


def test_worked_example_breakdowns(worked_db):
    con = connect(worked_db)
    try:
        period = make_period(con, dt.date(2026, 4, 1), dt.date(2026, 7, 1), "2026-06-30T10:00:00+09:00")
        breaches = bd.breaches(con, period, Filters())
        assert sorted(breaches["lead_id"]) == ["L2", "L6"]  # L2 late (2.5 h), L6 never answered
        l2 = breaches.filter(pl.col("lead_id") == "L2").row(0, named=True)
        assert l2["business_hours"] == 2.5 and l2["responded"] and l2["handoff_local"] == "2026-05-01 17:00"
        flow = bd.funnel(con, period, Filters(), view="flow")
        assert flow["count"].to_list() == [6, 5, 2, 2, 1, 1]
        assert flow["pct_prev"][0] is None and flow["pct_first"][1] == pytest.approx(5 / 6)
        acc = bd.acceptance(con, period, Filters())
        assert acc["accepted"].sum() == 2 and acc["rejected"].sum() == 1  # L1 and L4 (skipped SAL)
        assert bd.reps_handling(con, period, Filters()) == 2
    finally:
        con.close()


@pytest.mark.parametrize(("preset", "today", "fy", "expected"), [
    ("last_half", dt.date(2026, 11, 20), 4, (dt.date(2026, 4, 1), dt.date(2026, 10, 1))),
    ("this_half", dt.date(2026, 11, 20), 4, (dt.date(2026, 10, 1), dt.date(2026, 11, 21))),
    ("last_quarter", dt.date(2026, 11, 20), 4, (dt.date(2026, 7, 1), dt.date(2026, 10, 1))),
    ("this_quarter", dt.date(2026, 11, 20), 4, (dt.date(2026, 10, 1), dt.date(2026, 11, 21))),
    ("last_6m", dt.date(2026, 11, 20), 4, (dt.date(2026, 5, 1), dt.date(2026, 11, 1))),
    ("last_12m", dt.date(2026, 11, 20), 4, (dt.date(2025, 11, 1), dt.date(2026, 11, 1))),
    ("last_half", dt.date(2026, 3, 31), 4, (dt.date(2025, 4, 1), dt.date(2025, 10, 1))),
    ("last_half", dt.date(2026, 11, 20), 1, (dt.date(2026, 1, 1), dt.date(2026, 7, 1))),
    ("last_quarter", dt.date(2026, 2, 10), 10, (dt.date(2025, 10, 1), dt.date(2026, 1, 1))),
])
def test_presets_follow_the_fiscal_year(preset, today, fy, expected):
    assert periods.preset_range(preset, today, fy)[:2] == expected


def test_comparison_periods():
    start, end = dt.date(2026, 4, 1), dt.date(2026, 10, 1)
    assert periods.comparison_range("previous", start, end, 6) == (dt.date(2025, 10, 1), dt.date(2026, 4, 1))
    assert periods.comparison_range("year", start, end, 6) == (dt.date(2025, 4, 1), dt.date(2025, 10, 1))
    assert periods.comparison_range("none", start, end, 6) is None
    months = (dt.date(2030, 1, 1), dt.date(2030, 4, 1))  # custom whole months: the previous whole months
    assert periods.comparison_range("previous", *months, None) == (dt.date(2029, 10, 1), dt.date(2030, 1, 1))
    custom = (dt.date(2026, 1, 5), dt.date(2026, 2, 5))
    assert periods.comparison_range("previous", *custom, None) == (dt.date(2025, 12, 5), dt.date(2026, 1, 5))
    as_of = dt.datetime(2026, 11, 20, 12, tzinfo=dt.UTC)
    assert periods.comparison_as_of(as_of, start, dt.date(2025, 10, 1)) == as_of - dt.timedelta(days=182)


def test_rag_and_tiles_follow_the_guidelines():
    assert sc.rag(0.95, 0.9, 0.1) == "green" and sc.rag(0.85, 0.9, 0.1) == "amber" and sc.rag(0.5, 0.9, 0.1) == "red"
    assert sc.rag(0.15, 0.2, 0.1, False) == "green" and sc.rag(0.21, 0.2, 0.1, False) == "amber"
    assert sc.rag(0.3, 0.2, 0.1, False) == "red" and sc.rag(None, 0.2, 0.1) == "no_data"


def test_csv_cells_that_look_like_formulas_are_escaped():
    frame = pl.DataFrame({"lead": ["=HYPERLINK(1)", "+1", "-2", "@SUM(A1)", "\tx", "ok", None],
                          "hours": [1.0, 2.0, -3.0, 4.0, 5.0, 6.0, 7.0]})
    text = csv_export.csv_bytes(frame).decode("utf-8-sig").splitlines()
    assert text[1:6] == ["'=HYPERLINK(1),1.0", "'+1,2.0", "'-2,-3.0", "'@SUM(A1),4.0", "'\tx,5.0"]
    assert text[6:] == ["ok,6.0", ",7.0"]  # numbers (even negative) stay numbers


def test_column_choices_are_a_fixed_list(demo):
    con, period = demo
    with pytest.raises(ValueError):
        bd.funnel_by(con, period, Filters(), "source; DROP TABLE leads")
    with pytest.raises(ValueError):
        bd.response_by(con, period, Filters(), "nope")


def test_breaches_csv_has_every_breach_with_translated_headers(worked_db):
    """The download holds all breaches (not the rows shown), built on a cursor of its own."""
    con = connect(worked_db)
    period = make_period(con, dt.date(2026, 4, 1), dt.date(2026, 7, 1), "2026-06-30T10:00:00+09:00")
    data = csv_export.breaches_csv(con, period, Filters(), {"lead_id": "リード", "channel": "チャネル"}, "(未対応)")
    lines = data.decode("utf-8-sig").splitlines()
    assert lines[0] == "リード,チャネル"
    assert sorted(lines[1:]) == ["L2,email", "L6,(未対応)"]  # L2 answered late by e-mail; L6 never answered
