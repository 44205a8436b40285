"""The deck's other slides carry their rates' 95% intervals and their changes' verdicts (issue 12): a change
between two periods with cases on both sides is beyond noise, within noise or "too few to judge"; against an
empty period there is no verdict. The funnel's step conversions carry their intervals in the cohort view only."""

from __future__ import annotations

import polars as pl
import pytest

from sla_review.export import deck
from sla_review.metrics import breakdowns as bd
from sla_review.metrics import intervals
from sla_review.present import charts


def test_verdict_three_ways_and_none():
    # 240 of 1,000 vs 180 of 1,000: Newcombe [0.024, 0.096] leaves out 0 (tests/export/test_headline_noise.py)
    assert deck._verdict(240, 1000, 180, 1000) == intervals.BEYOND
    assert deck._verdict(24, 100, 18, 100) == intervals.WITHIN
    assert deck._verdict(5, 19, 180, 1000) == deck.TOO_FEW  # 19 cases: MIN_CASES is 20
    assert deck._verdict(240, 1000, 2, 10) == deck.TOO_FEW
    assert deck._verdict(240, 1000, 0, 0) is None  # no comparison: no verdict, not "too few"
    assert deck._verdict(0, 0, 180, 1000) is None  # no data now


@pytest.mark.parametrize(("lang", "before", "after", "expected"), [
    ("en", 0.18, 0.24, "rose from 18% to 24%, too few to judge"),
    ("en", 0.24, 0.18, "fell from 24% to 18%, too few to judge"),
    ("ja", 0.18, 0.24, "18%から24%に上昇（件数不足で判定不可）"),
])
def test_move_words_too_few(lang, before, after, expected):
    assert deck._move(lang, before, after, deck.TOO_FEW) == expected


def _steps(view: str) -> pl.DataFrame:
    """100 leads, 10 of them MQL, 5 of those SAL."""
    frame = pl.DataFrame({"step": [1, 2, 3], "stage": ["inquiry", "mql", "sal"], "count": [100, 10, 5]})
    return bd.with_step_shares(frame, nested=view == "cohort")


def test_funnel_hover_gives_the_cohort_step_interval_and_marks_too_few():
    # Wilson by hand, z = 1.96: 10 of 100 -> centre 11.92/103.84 = 0.1148, half 0.01888 * sqrt(9 + 0.9604) = 0.0596
    # -> [5.5%, 17.4%]; 5 of 10 -> [23.7%, 76.3%] (tests/present/test_interval_charts.py), 10 leads: too few
    assert charts.step_share_texts(_steps("cohort"), "en") == [
        "—", "10.0% (95%: 5.5\u2060–\u206017.4%)", "50.0% (95%: 23.7\u2060–\u206076.3%) · too few to judge"]
    fig = charts.funnel(_steps("cohort"), None, "en", "now", None, "t")
    assert [row[0] for row in fig.data[0].customdata][1] == "10.0% (95%: 5.5\u2060–\u206017.4%)"


def test_funnel_flow_view_has_no_interval():
    """The flow view counts different leads at each step (docs/definitions.md): the bare share, no interval."""
    assert charts.step_share_texts(_steps("flow"), "en") == ["—", "10.0%", "50.0%"]
    fig = charts.funnel(_steps("flow"), None, "en", "now", None, "t")
    assert not any("95%" in row[0] for row in fig.data[0].customdata)


def test_japanese_hover_marks_too_few_in_japanese():
    assert charts.step_share_texts(_steps("cohort"), "ja")[2].endswith("件数不足で判定不可")
