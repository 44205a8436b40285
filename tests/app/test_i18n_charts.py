"""Both languages say everything; numbers and dates read naturally; charts never draw nothing or NaN."""

from __future__ import annotations

import datetime as dt

import plotly.graph_objects as go
import polars as pl

from metrics import charts, i18n
from metrics.whatif import ESTIMATE_METHOD


def test_catalogues_have_the_same_keys_and_placeholders():
    assert set(i18n.EN) == set(i18n.JA)
    for key, text in i18n.EN.items():
        assert text.strip() and i18n.JA[key].strip(), key
        assert i18n.placeholders(text) == i18n.placeholders(i18n.JA[key]), key


def test_the_estimate_method_is_the_models_own_sentence():
    """If metrics.whatif changes its method, the Japanese translation must be updated too."""
    assert i18n.EN["wi_method"] == ESTIMATE_METHOD


def test_formats():
    assert i18n.fmt_pct(0.4) == "40.0%" and i18n.fmt_pct(None) == i18n.DASH and i18n.fmt_pct(float("nan")) == "—"
    assert i18n.fmt_pp(0.032, "en") == "+3.2 pt" and i18n.fmt_pp(-0.01, "ja") == "-1.0 ポイント"
    assert i18n.fmt_hours(1.5, "ja") == "1.5 時間" and i18n.fmt_int(12345) == "12,345"
    assert i18n.fmt_date(dt.date(2026, 4, 1), "ja") == "2026年4月1日"
    assert i18n.fmt_date(dt.date(2026, 4, 1), "en") == "Apr 1, 2026"
    assert i18n.fmt_month("2026-04", "ja") == "2026年4月" and i18n.fmt_month("2026-04", "en") == "Apr 2026"
    assert i18n.fmt_period(dt.date(2026, 4, 1), dt.date(2026, 10, 1), "en") == "Apr – Sep 2026"
    assert i18n.fmt_period(dt.date(2025, 10, 1), dt.date(2026, 4, 1), "ja") == "2025年10月〜2026年3月"
    assert i18n.fmt_period(dt.date(2026, 1, 5), dt.date(2026, 3, 1), "en") == "Jan 5 – Feb 28, 2026"
    assert i18n.fmt_period(dt.date(2026, 1, 5), dt.date(2026, 3, 1), "ja") == "2026年1月5日〜2月28日"


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


def test_month_axis_labels_stay_short_and_unique():
    months = [f"{y}-{m:02d}" for y, m in [(2025, 11), (2025, 12), (2026, 1), (2026, 2)]]
    assert i18n.month_labels(months, "en") == ["Nov<br>2025", "Dec", "Jan<br>2026", "Feb"]
    assert i18n.month_labels(months, "ja") == ["11月<br>2025年", "12月", "1月<br>2026年", "2月"]
    long = [f"{2025 + (m - 1) // 12}-{(m - 1) % 12 + 1:02d}" for m in range(1, 15)]  # 14 months: names repeat
    labels = i18n.month_labels(long, "en")
    assert len(set(labels)) == 14 and all("<br>" in label for label in labels)
