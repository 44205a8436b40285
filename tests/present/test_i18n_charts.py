"""Charts never draw nothing or NaN, and speak the page's language (catalogue parity and formats: tests/unit/
test_locale.py and test_formats.py)."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from sla_review.metrics.whatif import ESTIMATE_METHOD
from sla_review.present import charts, i18n


def test_the_estimate_method_is_the_models_own_sentence():
    """If sla_review.metrics.whatif changes its method, the Japanese translation must be updated too."""
    assert i18n.EN["wi_method"] == ESTIMATE_METHOD


def test_builders_return_none_when_there_is_nothing_to_draw():
    empty_funnel = pl.DataFrame({"step": [1], "stage": ["inquiry"], "count": [0], "pct_prev": [None],
                                 "pct_first": [None]}, schema_overrides={"pct_prev": pl.Float64,
                                                                          "pct_first": pl.Float64})
    assert charts.funnel(empty_funnel, None, "en", "a", None, "t") is None
    assert charts.monthly_mqls([], "en") is None
    assert charts.closed_loop_bars(pl.DataFrame({"stage": [], "key": [], "count": [], "label": []}), "en", "t") is None
    cohorts = pl.DataFrame({"month": ["2026-04"], "mqls": [0], "rate_within": [None], "mature": [False],
                            "target": [0.3]}, schema_overrides={"rate_within": pl.Float64})
    assert charts.cohorts(cohorts, "en", 90) is None


def test_theme_uses_a_japanese_capable_font():
    fig = charts.monthly_mqls([{"month": "2026-04", "count": 2, "commitment": 3, "met": False}], "ja")
    assert isinstance(fig, go.Figure)
    assert "Noto Sans CJK JP" in fig.layout.template.layout.font.family
    assert fig.layout.title.text == i18n.t("ja", "sc_monthly_title")


def test_score_region_is_the_part_of_the_square_above_the_threshold():
    region = charts._score_region(0.5, 0.5, 60)
    assert region[0] == region[-1]
    assert all(0.5 * y + 0.5 * x >= 60 - 1e-9 for x, y in region)
    assert charts._score_region(0.5, 0.5, 101) == []
