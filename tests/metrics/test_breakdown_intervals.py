"""Every breakdown row carries its rate's 95% interval and whether it rests on enough cases (issue 12): the worked
example's rows by hand, and every row equal to the scalar Wilson interval."""

from __future__ import annotations

import datetime as dt
import math

import duckdb

from sla_review.core.vocabulary import Filters
from sla_review.metrics import breakdowns as bd
from sla_review.metrics import intervals
from sla_review.metrics.report import make_period
from sla_review.metrics.scorecard import MIN_CASES


def _period(con):
    return make_period(con, dt.date(2026, 4, 1), dt.date(2026, 7, 1), "2026-06-30T10:00:00+09:00")


def test_worked_example_rows_by_hand(worked_db):
    """The worked cohort funnel 6 → 5 → 2 → 2 → 1 → 1: MQL of inquiry is 5 of 6. Wilson by hand, n + z² = 9.841459:
    centre = (5 + 1.920729) / 9.841459 = 0.703214, half = 1.959964 / 9.841459 · √(5·1/6 + 0.960365)
    = 0.199154 · 1.339539 = 0.266775 -> [0.4364, 0.9700]. Six leads is fewer than MIN_CASES: not judged."""
    con = duckdb.connect(str(worked_db), read_only=True)
    funnel = bd.funnel(con, _period(con), Filters())
    mql = funnel.row(1, named=True)
    assert (mql["count"], mql["pct_prev"]) == (5, 5 / 6)
    assert math.isclose(mql["pct_prev_low"], 0.4364, abs_tol=1e-4)
    assert math.isclose(mql["pct_prev_high"], 0.9700, abs_tol=1e-4)
    assert funnel["pct_prev_judged"].to_list() == [False] * 6  # 6 leads at most: too few to judge, every step
    assert funnel.row(0, named=True)["pct_prev_low"] is None  # the first step has no previous one
    flow = bd.funnel(con, _period(con), Filters(), view="flow")
    assert "pct_prev_low" not in flow.columns  # flow steps count different leads: a share is not k of n


def test_breakdown_columns_equal_the_scalar_interval(worked_db):
    con = duckdb.connect(str(worked_db), read_only=True)
    period = _period(con)
    frames = [(bd.conversion_by(con, period, Filters(), "source"), "converted", "mqls", "rate"),
              (bd.response_by(con, period, Filters(), "owner"), "within_target", "judged", "attainment"),
              (bd.response_by(con, period, Filters(), "owner"), "compliant", "due", "follow_up_rate"),
              (bd.acceptance(con, period, Filters()), "accepted", "mqls", "acceptance")]
    for frame, k, n, name in frames:
        assert frame.height > 0, name
        for row in frame.iter_rows(named=True):
            expected = intervals.wilson(row[k], row[n])
            got = None if row[f"{name}_low"] is None else (row[f"{name}_low"], row[f"{name}_high"])
            assert got == expected or (got and expected and all(math.isclose(a, b, abs_tol=1e-12)
                                                                for a, b in zip(got, expected, strict=True)))
            assert row[f"{name}_judged"] == ((row[n] or 0) >= MIN_CASES)

