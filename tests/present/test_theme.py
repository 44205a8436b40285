"""One theme, two variants: a slide figure is the screen figure laid out for a slide (same traces, other
layout), and labels with figures read as the tiles write them (present.formats)."""

from __future__ import annotations

import datetime as dt

import polars as pl

from sla_review.core.periods import Period, running_month
from sla_review.present import charts, formats, theme

HIST = pl.DataFrame({"bin": [1, 2, 3, 17], "handoffs": [3, 2, 2, 1], "within_target": [3, 1, 0, 0],
                     "lower": [0.0, 0.5, 1.0, 8.0], "upper": [0.5, 1.0, 1.5, 8.5],
                     "overflow": [False, False, False, True], "ecdf": [0.375, 0.625, 0.875, 1.0]})
TWO_VERSIONS = [("v1", 2.0), ("v2", 4.0)]


def _data(fig) -> list[dict]:
    return [trace.to_plotly_json() for trace in fig.data]


def test_screen_and_slide_differ_only_in_layout() -> None:
    screen = charts.response_hist(HIST, "ja", TWO_VERSIONS, 0.5, 8.0)
    slide = charts.response_hist(HIST, "ja", TWO_VERSIONS, 0.5, 8.0, variant=theme.SLIDE)
    assert _data(screen) == _data(slide)
    assert screen.layout.template.layout.font.size == 13 and slide.layout.template.layout.font.size == 20
    assert "Noto Sans CJK JP" in slide.layout.template.layout.font.family
    assert screen.layout.title.text and not slide.layout.title.text  # the slide's headline is the slide title
    assert (slide.layout.width, slide.layout.height) == (1280, 525) and slide.layout.hovermode is False
    labels = {a.text: a.font.size for a in slide.layout.annotations}
    assert labels == {a.text: round(a.font.size * 1.55) for a in screen.layout.annotations}


def test_histogram_colours_each_handoff_by_its_own_versions_target() -> None:
    """within_target comes per bin from the query (each handoff against its own version): 3+1+0+0 = 4 of 8
    handoffs within, whatever the last version's target says; one labelled line per distinct target."""
    fig = charts.response_hist(HIST, "en", TWO_VERSIONS, 0.5, 8.0, variant=theme.SLIDE)
    within, over = fig.data
    assert list(within.y) == [3, 1, 0, 0] and list(over.y) == [0, 1, 2, 1]
    assert within.name == "Within its own target"
    lines = sorted(a.text for a in fig.layout.annotations if "Target" in a.text)
    assert lines == ["v1: Target 2.0\u00a0h", "v2: Target 4.0\u00a0h"]


def test_target_label_reads_like_the_tiles() -> None:
    fig = charts.response_hist(HIST, "ja", [("v2", 2.0)], 0.5, 8.0)
    texts = [formats.plain(a.text) for a in fig.layout.annotations]
    assert texts == ["目標 2.0時間", "8時間以上"]  # 「2.0時間」 as the tiles write it (glued: never 時/間)
    assert all("\u2060" in a.text for a in fig.layout.annotations)


def test_response_bins_put_every_target_inside_the_axis() -> None:
    assert charts.response_bins([("v1", 2.0), ("v2", 4.0)]) == (0.5, 8.0)
    assert charts.response_bins([("v1", 24.0)]) == (3.0, 48.0)
    assert charts.response_bins([]) == (0.5, 8.0)


def test_running_month_is_the_month_of_as_of_inside_the_period() -> None:
    tz = dt.timezone(dt.timedelta(hours=9))
    utc = dt.datetime(2026, 8, 31, 15, 30, tzinfo=dt.UTC)  # 00:30 on Sep 1 in Tokyo
    running = Period(dt.date(2026, 4, 1), dt.date(2026, 10, 1), utc, "Asia/Tokyo")
    over = Period(dt.date(2026, 4, 1), dt.date(2026, 10, 1), dt.datetime(2026, 10, 1, 0, 0, tzinfo=tz),
                  "Asia/Tokyo")
    assert running_month(running) == "2026-09"  # the calendar's month, not UTC's August
    assert running_month(over) is None


def test_comparison_overlay_adds_traces_and_keeps_the_periods_own() -> None:
    cur = [{"month": "2026-04", "count": 5, "commitment": 4, "met": True},
           {"month": "2026-05", "count": 2, "commitment": 4, "met": False}]
    prev = [{"month": "2026-02", "count": 3, "commitment": 4, "met": False},
            {"month": "2026-03", "count": 6, "commitment": 4, "met": True}]
    alone = charts.monthly_mqls(cur, "en")
    both = charts.monthly_mqls(cur, "en", previous=prev, previous_label="Feb – Mar 2026")
    assert both.data[0].name == "Feb – Mar 2026" and list(both.data[0].y) == [3, 6]
    assert list(both.data[1].y) == list(alone.data[0].y) == [5, 2]
    assert list(both.data[-1].y) == [4, 4, 4, 4]  # the commitment runs across both periods
