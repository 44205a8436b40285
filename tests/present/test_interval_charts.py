"""Breakdown charts draw each bar's 95% interval as a whisker, its interval text in the hover, and grey a bar with
too few cases behind it, labelled "too few to judge" (issue 12)."""

from __future__ import annotations

import polars as pl

from sla_review.metrics import intervals
from sla_review.present import charts, formats, i18n


def _frame() -> pl.DataFrame:
    """5 of 10 (too few: MIN_CASES is 20) and 60 of 200."""
    frame = pl.DataFrame({"segment": ["small", "large"], "mqls": [10, 200], "converted": [5, 60]})
    frame = frame.with_columns((pl.col("converted") / pl.col("mqls")).alias("rate"))
    return intervals.with_wilson(frame, "converted", "mqls", "rate")


def test_conversion_bars_carry_whiskers_and_mark_too_few():
    fig = charts.conversion_by(_frame(), "en", "t", "rate")
    bar, labels = fig.data[0], fig.data[1]
    order = list(bar.y)  # sorted by rate: small (50%) above large (30%) or the other way round
    small, large = order.index("small"), order.index("large")
    assert bar.marker.color[small] == charts.MUTED and bar.marker.color[large] == charts.PRIMARY
    assert "too few to judge" in labels.text[small] and "too few" not in labels.text[large]
    low, high = intervals.wilson(5, 10)  # by hand in tests/metrics/test_intervals.py: [0.2366, 0.7634]
    assert abs(bar.error_x.array[small] - (high - 0.5)) < 1e-12
    assert abs(bar.error_x.arrayminus[small] - (0.5 - low)) < 1e-12
    assert bar.customdata[small] == formats.interval(0.5, low, high, "en")
    assert labels.x[small] == high  # the label starts where the whisker ends


def test_japanese_marks_too_few_in_japanese():
    fig = charts.conversion_by(_frame(), "ja", "t", "rate")
    assert any(i18n.t("ja", "too_few_to_judge") in t for t in fig.data[1].text)
