"""The figures the pages used to compute inline, now in metrics/: worked by hand on tiny frames."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import polars as pl
import pytest

from sla_review.core.periods import Period, running_month
from sla_review.metrics import breakdowns as bd
from sla_review.metrics import whatif


def test_closed_loop_summary_by_hand():
    acc = pl.DataFrame({"mqls": [10, 30], "accepted": [4, 8]})  # 12 / 40 = 30%
    acc_cmp = pl.DataFrame({"mqls": [20], "accepted": [5]})  # 25%
    reasons = pl.DataFrame({"stage": ["rejected", "rejected", "recycled"], "count": [3, 2, 4]})
    reasons_cmp = pl.DataFrame({"stage": ["rejected"], "count": [7]})
    out = bd.closed_loop_summary(acc, acc_cmp, reasons, reasons_cmp, mqls=40)
    assert out["acceptance"] == pytest.approx(0.30) and out["d_acceptance"] == pytest.approx(0.05)
    assert out["counts"] == {"rejected": 5, "recycled": 4} and out["deltas"] == {"rejected": -2, "recycled": 4}
    assert out["per_mql"] == {"rejected": pytest.approx(0.125), "recycled": pytest.approx(0.1)}
    alone = bd.closed_loop_summary(acc, None, reasons, None, mqls=0)
    assert alone["d_acceptance"] is None and alone["deltas"] == {"rejected": None, "recycled": None}
    assert alone["per_mql"] == {"rejected": None, "recycled": None}
    empty_cmp = bd.closed_loop_summary(acc, pl.DataFrame({"mqls": [0], "accepted": [0]}), reasons, None, 40)
    assert empty_cmp["d_acceptance"] is None  # no MQLs before: no change, not "+30 pp"


def _curve(rows: list[tuple]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=["threshold", "mqls_per_month", "sql_rate", "estimated_sql_rate", "is_estimate"],
                        orient="row")


def test_whatif_proposal_by_hand():
    now = _curve([(60, 100.0, 0.2, 0.25, False), (50, 150.0, 0.1, 0.16, True)])
    today = _curve([(60, 100.0, 0.2, 0.25, False)])
    observed = whatif.proposal(now, today, 60, 60)
    assert (observed["per_month"], observed["rate"], observed["sqls"]) == (100.0, 0.2, pytest.approx(20.0))
    assert observed["d_volume"] == 0.0 and observed["d_rate"] == 0.0 and observed["d_sqls"] == pytest.approx(0.0)
    lower = whatif.proposal(now, today, 50, 60)  # never-worked leads in the set: the estimate, not 10%
    assert lower["rate"] == 0.16 and lower["sqls"] == pytest.approx(24.0)
    assert lower["d_volume"] == 50.0 and lower["d_rate"] == pytest.approx(-0.04)
    assert lower["d_sqls"] == pytest.approx(4.0)
    assert whatif.per_rep(120.0, 40) == 3.0 and whatif.per_rep(120.0, 0) is None and whatif.per_rep(None, 4) is None


def test_small_page_rules():
    tz = "Asia/Tokyo"
    at = dt.datetime(2026, 5, 10, 12, tzinfo=zoneinfo.ZoneInfo(tz))
    assert running_month(Period(dt.date(2026, 4, 1), dt.date(2026, 7, 1), at, tz)) == "2026-05"
    assert running_month(Period(dt.date(2026, 1, 1), dt.date(2026, 4, 1), at, tz)) is None
    assert bd.conversion_measure(pl.DataFrame({"mature": [0, 1]})) == "rate_within"
    assert bd.conversion_measure(pl.DataFrame({"mature": [0, 0]})) == "rate"
    cur = pl.DataFrame({"count": [10, 5], "pct_first": [1.0, 0.5]})
    both = bd.with_comparison(cur, pl.DataFrame({"count": [8, 2], "pct_first": [1.0, 0.25]}))
    assert both["cmp_count"].to_list() == [8, 2] and both["cmp_first"].to_list() == [1.0, 0.25]
    assert bd.with_comparison(cur, None).columns == ["count", "pct_first"]
