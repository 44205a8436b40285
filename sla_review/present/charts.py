"""Plotly figure builders: one per chart, for the pages and the deck; every label from sla_review.present.i18n,
every figure in a label from sla_review.present.formats, every colour from sla_review.present.theme.

Why here and not in the pages: the same figure goes on screen and (through kaleido) onto a slide, so it must not
depend on streamlit. Every builder takes `variant` (theme.SCREEN or theme.SLIDE), which changes only the layout,
never the traces; what a slide adds (the comparison period's months or cohorts, the previous period's totals) is
a parameter of the same builder. Every builder returns None when there is nothing to draw, so a page shows a
sentence instead of an empty or NaN chart.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

import plotly.graph_objects as go
import polars as pl

from sla_review.present import formats, i18n, safe
from sla_review.present.theme import (
    ACCENT,
    AXIS,
    BAD,
    COMPARE,
    COMPARE_DARK,
    DIVERGING,
    ESTIMATE,
    FONT,
    GOOD,
    GRID,
    INK,
    MUTED,
    PRIMARY,
    PRIMARY_LIGHT,
    SCREEN,
    SEQUENTIAL,
    SLIDE,
    TONES,
    WARN,
    Variant,
    finish,
)

if TYPE_CHECKING:
    from sla_review.metrics.mix_rate import MixRate

__all__ = ["ACCENT", "BAD", "COMPARE", "COMPARE_DARK", "DIVERGING", "ESTIMATE", "FONT", "GRID", "INK", "MUTED",
           "PRIMARY", "PRIMARY_LIGHT", "SCREEN", "SEQUENTIAL", "SLIDE", "TONES", "WARN", "Variant"]


def _num(value: object) -> float | None:
    if value is None:
        return None
    value = float(value)
    return None if math.isnan(value) else value


def _label(value: str | None, lang: str) -> str:
    """A data value (segment value, reason, rep, team) as a figure label: shown literally, never as markup."""
    return safe.plotly(i18n.value_label(value, lang))


def _vline(fig: go.Figure, x: float, text: str, color: str = BAD, dash: str = "dash") -> None:
    fig.add_vline(x=x, line={"color": color, "dash": dash, "width": 1.5}, annotation_text=text,
                  annotation_position="top right", annotation_font={"color": color, "size": 12})


def _hline(fig: go.Figure, y: float, text: str, color: str = BAD, dash: str = "dash") -> None:
    fig.add_hline(y=y, line={"color": color, "dash": dash, "width": 1.5}, annotation_text=text,
                  annotation_position="top left", annotation_font={"color": color, "size": 12})


def nothing_to_draw(lang: str, *, variant: Variant = SCREEN) -> go.Figure:
    """The page's "nothing to draw" sentence as a figure, for media that need a picture (a slide)."""
    fig = go.Figure()
    fig.add_annotation(text=i18n.t(lang, "empty_chart"), x=0.5, y=0.5, xref="paper", yref="paper",
                       showarrow=False, font={"color": MUTED})
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return finish(fig, "", 400, variant)


# ---------------------------------------------------------------- scorecard


def monthly_mqls(monthly: list[dict], lang: str, partial_month: str | None = None, *,
                 previous: list[dict] | None = None, previous_label: str | None = None,
                 variant: Variant = SCREEN) -> go.Figure | None:
    """MQLs per calendar month against the commitment; met months dark, missed months red, a month still
    running grey and hatched; `previous` (the comparison period's months) before them in grey, for context."""
    if not monthly:
        return None
    before = previous or []
    labels = i18n.month_labels([m["month"] for m in before + monthly], lang)
    months = labels[len(before):]
    counts = [m["count"] for m in monthly]
    colors = [COMPARE if m["month"] == partial_month else PRIMARY if m["met"] else BAD for m in monthly]
    fig = go.Figure()
    if before:
        fig.add_bar(x=labels[:len(before)], y=[m["count"] for m in before], marker_color=COMPARE,
                    name=previous_label, text=[i18n.fmt_int(m["count"]) for m in before], textposition="outside",
                    textfont={"color": MUTED}, cliponaxis=False, constraintext="none",
                    hovertemplate="%{x}: %{y:,}<extra></extra>")
    fig.add_bar(x=months, y=counts, marker_color=colors, text=[i18n.fmt_int(c) for c in counts],
                marker_pattern_shape=["/" if m["month"] == partial_month else "" for m in monthly],
                textposition="outside", cliponaxis=False, showlegend=False, constraintext="none",
                hovertemplate="%{x}: %{y:,}<extra></extra>")
    for key, color in (("legend_met", PRIMARY), ("legend_missed", BAD)):
        fig.add_scatter(x=[None], y=[None], mode="markers", marker={"color": color, "symbol": "square", "size": 12},
                        name=i18n.t(lang, key))
    if partial_month is not None:
        fig.add_scatter(x=[None], y=[None], mode="markers", marker={"color": COMPARE, "symbol": "square",
                                                                    "size": 12}, name=i18n.t(lang, "legend_partial"))
    fig.add_scatter(x=labels, y=[m["commitment"] for m in before + monthly], mode="lines+markers",
                    line={"color": INK, "dash": "dash", "shape": "hvh"}, marker={"size": 6},
                    name=i18n.t(lang, "legend_commitment"))
    top = max([m["count"] for m in before + monthly] + [m["commitment"] or 0 for m in before + monthly] + [1])
    fig.update_yaxes(title_text=i18n.t(lang, "col_mqls"), range=[0, top * 1.18])
    fig.update_xaxes(tickangle=0, type="category", categoryorder="array", categoryarray=labels)
    fig.update_layout(barmode="overlay")
    return finish(fig, i18n.t(lang, "sc_monthly_title"), 400, variant)


# ---------------------------------------------------------------- funnel


def funnel(cur: pl.DataFrame, cmp: pl.DataFrame | None, lang: str, cur_label: str, cmp_label: str | None,
           title: str, *, variant: Variant = SCREEN) -> go.Figure | None:
    """The demand waterfall: one bar per ladder stage, the comparison period beside it in grey."""
    if cur.height == 0 or int(cur["count"].sum()) == 0:
        return None
    # the step conversion sits under the stage name (never on top of a neighbouring bar's count, at any width)
    stages = [i18n.t(lang, "fn_tick", stage=i18n.stage(s, lang), prev=i18n.fmt_pct(p, lang, 0)) if p is not None
              else i18n.stage(s, lang) for s, p in zip(cur["stage"], cur["pct_prev"], strict=True)]
    fig = go.Figure()
    if cmp is not None and cmp.height:
        fig.add_bar(x=stages, y=cmp["count"].to_list(), name=cmp_label, marker_color=COMPARE,
                    text=[i18n.fmt_int(c) for c in cmp["count"]], textposition="outside", cliponaxis=False,
                    textfont={"color": MUTED}, constraintext="none",
                    customdata=[[p, i18n.fmt_pct(f, lang)]
                                for p, f in zip(step_share_texts(cmp, lang), cmp["pct_first"], strict=True)],
                    hovertemplate="%{x}: %{y:,}<br>" + i18n.t(lang, "col_pct_prev") + " %{customdata[0]}<br>"
                                  + i18n.t(lang, "col_pct_first") + " %{customdata[1]}<extra></extra>")
    fig.add_bar(x=stages, y=cur["count"].to_list(), name=cur_label, marker_color=PRIMARY,
                text=[i18n.fmt_int(c) for c in cur["count"]],
                textposition="outside", cliponaxis=False, constraintext="none",
                customdata=[[p, i18n.fmt_pct(f, lang)]
                            for p, f in zip(step_share_texts(cur, lang), cur["pct_first"], strict=True)],
                hovertemplate="%{x}: %{y:,}<br>" + i18n.t(lang, "col_pct_prev") + " %{customdata[0]}<br>"
                              + i18n.t(lang, "col_pct_first") + " %{customdata[1]}<extra></extra>")
    top = max([*cur["count"].to_list(), *(cmp["count"].to_list() if cmp is not None and cmp.height else [])])
    fig.update_yaxes(title_text=i18n.t(lang, "axis_leads"), range=[0, top * 1.25])
    fig.update_layout(barmode="group", bargroupgap=0.05)
    return finish(fig, title, 440, variant)


def step_share_texts(frame: pl.DataFrame, lang: str) -> list[str]:
    """Each step's % of the previous step, for the funnel's hover and the deck's notes: in the cohort view (a
    step's leads are a subset of the step before: k of n) with its 95% interval, marked "too few to judge" under
    MIN_CASES leads; the flow view counts different leads per step and has no interval (docs/definitions.md)."""
    if "pct_prev_low" not in frame.columns:
        return [i18n.fmt_pct(p, lang) for p in frame["pct_prev"]]
    few = i18n.t(lang, "too_few_to_judge")
    shown = formats.interval_texts(frame["pct_prev"].to_list(), frame["pct_prev_low"].to_list(),
                                   frame["pct_prev_high"].to_list(), lang)
    return [t if ok or p is None else f"{t} · {few}"
            for t, p, ok in zip(shown, frame["pct_prev"], frame["pct_prev_judged"], strict=True)]


def funnel_by_segment(frame: pl.DataFrame, lang: str, segment_label: str, top: int = 12, *,
                      variant: Variant = SCREEN) -> go.Figure | None:
    """A heat table: rows = segment values (largest first), columns = stages, cell = share of the cohort."""
    frame = frame.filter(pl.col("leads") > 0)
    if frame.height == 0:
        return None
    frame = frame.sort("leads", descending=True).head(top)
    stages = ["mql", "sal", "sql", "opportunity", "won"]
    z = [[row[s] / row["leads"] for s in stages] for row in frame.iter_rows(named=True)]
    labels = [f"{_label(v, lang)} ({i18n.fmt_int(n)})" for v, n in zip(frame["segment"], frame["leads"], strict=True)]
    fig = go.Figure(go.Heatmap(
        z=z, x=[i18n.stage(s, lang) for s in stages], y=labels, colorscale=SEQUENTIAL, zmin=0,
        text=[[i18n.fmt_pct(v, lang) for v in row] for row in z], texttemplate="%{text}",
        textfont={"size": 12}, colorbar={"tickformat": ".0%", "thickness": 12},
        hovertemplate="%{y}<br>%{x}: %{text}<extra></extra>"))
    fig.update_yaxes(autorange="reversed", showgrid=False)
    fig.update_xaxes(showgrid=False, side="top", ticks="", tickangle=0)
    return finish(fig, i18n.t(lang, "fn_breakdown_title", segment=segment_label), 140 + 34 * frame.height, variant)


def stage_days(cur: pl.DataFrame, cmp: pl.DataFrame | None, lang: str, cur_label: str,
               cmp_label: str | None, *, variant: Variant = SCREEN) -> go.Figure | None:
    """Median and p90 days per ladder step, this period beside the comparison."""
    if cur.height == 0 or int(cur["leads"].sum()) == 0:
        return None
    steps = [f"{i18n.stage(a, lang)}→{i18n.stage(b, lang)}" for a, b in zip(cur["from_stage"], cur["to_stage"],
                                                                             strict=True)]
    fig = go.Figure()
    series = [(cur, cur_label, PRIMARY, PRIMARY_LIGHT)]
    if cmp is not None and cmp.height:
        series.append((cmp, cmp_label, COMPARE_DARK, COMPARE))
    for frame, label, dark, light in series:
        fig.add_bar(x=steps, y=[_num(v) for v in frame["median_days"]],
                    name=f"{label} · {i18n.t(lang, 'legend_median')}",
                    marker_color=dark, text=[i18n.fmt_num(v) for v in frame["median_days"]], textposition="outside",
                    cliponaxis=False, hovertemplate="%{x}: %{y:.1f}<extra></extra>")
        fig.add_bar(x=steps, y=[_num(v) for v in frame["p90_days"]], name=f"{label} · {i18n.t(lang, 'legend_p90')}",
                    marker_color=light, text=[i18n.fmt_num(v) for v in frame["p90_days"]], textposition="outside",
                    cliponaxis=False, hovertemplate="%{x}: %{y:.1f}<extra></extra>")
    fig.update_yaxes(title_text=i18n.t(lang, "axis_days"), rangemode="tozero")
    fig.update_layout(barmode="group")
    return finish(fig, i18n.t(lang, "fn_days_title"), 420, variant)


# ---------------------------------------------------------------- conversion


def cohorts(frame: pl.DataFrame, lang: str, days: int, *, previous: pl.DataFrame | None = None,
            previous_label: str | None = None, variant: Variant = SCREEN) -> go.Figure | None:
    """Monthly MQL cohorts' conversion within N days; young cohorts grey, hatched and outside the trend line;
    `previous` (the comparison period's cohorts) before them in grey, for context."""
    frame = frame.filter(pl.col("mqls") > 0)
    if frame.height == 0:
        return None
    before = previous.filter(pl.col("mqls") > 0) if previous is not None else frame.clear()
    labels = i18n.month_labels(before["month"].to_list() + frame["month"].to_list(), lang)
    months = labels[before.height:]
    mature = frame["mature"].to_list()
    rates = [_num(v) for v in frame["rate_within"]]
    fig = go.Figure()
    if before.height:
        ys = [_num(v) for v in before["rate_within"]]
        fig.add_bar(x=labels[:before.height], y=ys, name=previous_label, marker_color=COMPARE,
                    text=[i18n.fmt_pct(r, lang) for r in ys], textposition="outside", textfont={"color": MUTED},
                    cliponaxis=False, customdata=before["mqls"].to_list(),
                    hovertemplate="%{x}: %{y:.1%} (n=%{customdata:,})<extra></extra>")
    for flag, key, color in ((True, "legend_mature", PRIMARY), (False, "legend_immature", COMPARE)):
        xs = [m for m, f in zip(months, mature, strict=True) if f == flag]
        if not xs:
            continue
        ys = [r for r, f in zip(rates, mature, strict=True) if f == flag]
        shown = (formats.interval_texts(frame["rate_within"].to_list(), frame["rate_within_low"].to_list(),
                                        frame["rate_within_high"].to_list(), lang)
                 if "rate_within_low" in frame.columns else [i18n.fmt_pct(r, lang) for r in rates])
        hover = [[f"{h} (n={i18n.fmt_int(n)})"] for h, n, f in zip(shown, frame["mqls"], mature, strict=True)
                 if f == flag]  # the rate with its 95% interval
        fig.add_bar(x=xs, y=ys, name=i18n.t(lang, key, n=days), marker_color=color,
                    marker_pattern_shape="" if flag else "/", text=[i18n.fmt_pct(r, lang) for r in ys],
                    textposition="outside", cliponaxis=False, customdata=hover,
                    hovertemplate="%{x}: %{customdata[0]}<extra></extra>")
    points = [(i, r) for i, (r, f) in enumerate(zip(rates, mature, strict=True)) if f and r is not None]
    if len(points) >= 2:
        n = len(points)
        mx = sum(i for i, _ in points) / n
        my = sum(r for _, r in points) / n
        sxx = sum((i - mx) ** 2 for i, _ in points)
        slope = sum((i - mx) * (r - my) for i, r in points) / sxx if sxx else 0.0
        first, last = points[0][0], points[-1][0]
        fig.add_scatter(x=[months[first], months[last]], y=[my + slope * (first - mx), my + slope * (last - mx)],
                        mode="lines", line={"color": ACCENT, "width": 2}, name=i18n.t(lang, "legend_trend"))
    targets = [_num(v) for v in before["target"].to_list() + frame["target"].to_list()]
    if any(v is not None for v in targets):
        fig.add_scatter(x=labels, y=targets, mode="lines", line={"color": BAD, "dash": "dash", "shape": "hvh"},
                        name=i18n.t(lang, "legend_target"))
    shown = rates + [_num(v) for v in before["rate_within"]]
    top = max([r for r in shown if r is not None] + [v for v in targets if v is not None] + [0.05])
    fig.update_yaxes(tickformat=".0%", range=[0, top * 1.25], title_text=i18n.t(lang, "axis_conversion"))
    fig.update_xaxes(type="category", categoryorder="array", categoryarray=labels, tickangle=0)
    fig.update_layout(barmode="overlay")
    return finish(fig, i18n.t(lang, "cv_cohorts_title", n=days), 420, variant)


def conversion_curve(cur: pl.DataFrame, cmp: pl.DataFrame | None, lang: str, days: int, cur_label: str,
                     cmp_label: str | None, target: float | None, *, variant: Variant = SCREEN) -> go.Figure | None:
    """Cumulative share of MQLs reaching SQL by days since MQL, for both periods."""
    cur = cur.filter(pl.col("observed") > 0)
    if cur.height == 0:
        return None
    fig = go.Figure()
    if cmp is not None:
        cmp = cmp.filter(pl.col("observed") > 0)
        if cmp.height:
            fig.add_scatter(x=cmp["day"].to_list(), y=cmp["rate"].to_list(), mode="lines", name=cmp_label,
                            line={"color": COMPARE, "width": 2},
                            hovertemplate="%{x}: %{y:.1%}<extra></extra>")
    fig.add_scatter(x=cur["day"].to_list(), y=cur["rate"].to_list(), mode="lines", name=cur_label,
                    line={"color": PRIMARY, "width": 3}, hovertemplate="%{x}: %{y:.1%}<extra></extra>")
    _vline(fig, days, i18n.t(lang, "window_marker", n=days), color=MUTED, dash="dot")
    if target is not None:
        _hline(fig, target, i18n.t(lang, "legend_target") + " " + i18n.fmt_pct(target, lang, 0))
    fig.update_yaxes(tickformat=".0%", rangemode="tozero", title_text=i18n.t(lang, "axis_conversion"))
    fig.update_xaxes(title_text=i18n.t(lang, "axis_days_since_mql"), rangemode="tozero")
    return finish(fig, i18n.t(lang, "cv_curve_title"), 420, variant)


def conversion_by(frame: pl.DataFrame, lang: str, title: str, measure: str, top: int = 15, *,
                  variant: Variant = SCREEN) -> go.Figure | None:
    """Horizontal bars of the conversion rate per segment value, with the number of MQLs behind it."""
    base = "mature" if measure == "rate_within" else "mqls"
    frame = frame.filter(pl.col(base) > 0)
    if frame.height == 0:
        return None
    frame = frame.sort(base, descending=True).head(top).sort(measure, descending=False, nulls_last=False)
    labels = [_label(v, lang) for v in frame["segment"]]
    values = [_num(v) for v in frame[measure]]
    colors, texts, hover, error = _interval_bars(frame, measure, base, lang, [PRIMARY] * frame.height)
    fig = go.Figure(go.Bar(
        x=values, y=labels, orientation="h", marker_color=colors, text=None if error else texts, error_x=error,
        customdata=hover, textposition="outside", cliponaxis=False, showlegend=False,
        hovertemplate="%{y}: %{customdata}<extra></extra>"))
    _labels_after_whiskers(fig, values, labels, texts, error)
    top_value = max([v for v in values if v is not None] + [0.05])
    if error:  # room for the label after the whisker of the widest interval (the axis below ends at 1.35x)
        top_value = max(top_value, *(v + e for v, e in zip(values, error["array"], strict=True)
                                     if v is not None and e is not None)) * 1.25
    fig.update_xaxes(tickformat=".0%", range=[0, top_value * 1.35], title_text=i18n.t(lang, "axis_conversion"))
    fig.update_yaxes(showgrid=False, type="category")
    return finish(fig, title, 110 + 30 * frame.height, variant)


def _interval_bars(frame: pl.DataFrame, measure: str, base: str, lang: str,
                   colors: list[str]) -> tuple[list[str], list[str], list[str], dict | None]:
    """A breakdown's bars with their 95% intervals (the frame's <measure>_low/_high from
    sla_review.metrics.intervals): whiskers, the interval in the hover (formats.interval), and bars with fewer
    than MIN_CASES behind them (<measure>_judged false) grey and labelled "too few to judge", not coloured."""
    values = frame[measure].to_list()
    counts = [f"n={i18n.fmt_int(n)}" for n in frame[base]]
    if f"{measure}_low" not in frame.columns:
        return colors, [f"{i18n.fmt_pct(v, lang)}  ({n})" for v, n in zip(values, counts, strict=True)], \
            [i18n.fmt_pct(v, lang) for v in values], None
    low, high, judged = frame[f"{measure}_low"].to_list(), frame[f"{measure}_high"].to_list(), \
        frame[f"{measure}_judged"].to_list()
    few = i18n.t(lang, "too_few_to_judge")
    colors = [c if ok else MUTED for c, ok in zip(colors, judged, strict=True)]
    texts = [f"{i18n.fmt_pct(v, lang)}  ({n})" if ok else f"{i18n.fmt_pct(v, lang)}  ({n}, {few})"
             for v, n, ok in zip(values, counts, judged, strict=True)]
    hover = formats.interval_texts(values, low, high, lang)
    error = {"type": "data", "symmetric": False, "color": INK, "thickness": 1, "width": 3,
             "array": [None if v is None or h is None else h - v for v, h in zip(values, high, strict=True)],
             "arrayminus": [None if v is None or lo is None else v - lo for v, lo in zip(values, low, strict=True)]}
    return colors, texts, hover, error


def _labels_after_whiskers(fig: go.Figure, values: list, labels: list[str], texts: list[str],
                           error: dict | None) -> None:
    """The bars' labels as a text trace starting where each whisker ends (a bar's own outside text would sit
    under its whisker)."""
    if not error:
        return
    ends = [None if v is None else v + (e or 0) for v, e in zip(values, error["array"], strict=True)]
    fig.add_trace(go.Scatter(x=ends, y=labels, mode="text", text=[f" {t}" for t in texts],
                             textposition="middle right", hoverinfo="skip", showlegend=False, cliponaxis=False))


# ---------------------------------------------------------------- response


def target_lines(targets: Sequence[tuple[str, float]]) -> list[tuple[float, str | None]]:
    """One line per distinct target: [(value, None)] when every version asks the same, else each value with
    the names of the versions asking it, so a period spanning two versions shows both lines."""
    by_value: dict[float, list[str]] = {}
    for name, value in targets:
        by_value.setdefault(float(value), []).append(name)
    if len(by_value) <= 1:
        return [(value, None) for value in by_value]
    return [(value, ", ".join(names)) for value, names in by_value.items()]


def response_bins(targets: Sequence[tuple[str, float]]) -> tuple[float, float]:
    """(bin width, axis end) in business hours for the histogram and ECDF: 16 bins up to twice the largest
    target, at least 8 h (0.5-h bins for targets up to 4 h). One rule for the page and the slide."""
    top = max([2.0 * float(value) for _, value in targets] + [8.0])
    return top / 16, top


def tier_targets(rows: Sequence[dict], lang: str) -> list[tuple[str, float]]:
    """With tiers, the histogram's and ECDF's target lines: (tier as people read it, target hours) of each tier
    with handoffs in the view (rows of report.response_tiers); target_lines then draws each distinct target once,
    labelled with the tiers asking it, and response_bins sizes the axis by the largest. [] without tiers."""
    return [(i18n.tier_label(r["tier"], lang), float(h)) for r in rows if r["handoffs"] for h in r["target_hours"]]


def tier_minimums(versions: Sequence, lang: str) -> list[tuple[str, int]]:
    """With tiers, the follow-up chart's minimums: (tier as people read it, its minimum attempts, else its
    version's) for each tier of the versions applied, then the versions' own for the handoffs no tier matched;
    each pair once. [] without tiers (the chart then names the versions' minimums)."""
    from sla_review.core.terms import DEFAULT_TIER

    if not any(v.tiers for v in versions):
        return []
    pairs = [(i18n.tier_label(t.name, lang), int(t.min_attempts if t.min_attempts is not None else v.min_attempts))
             for v in versions for t in v.tiers]
    pairs += [(i18n.tier_label(DEFAULT_TIER, lang), int(v.min_attempts)) for v in versions]
    return list(dict.fromkeys(pairs))


LINE_NAME_MAX = 12
"""Characters of the names a target line's label may carry ("v1, v2"): longer (tier names), every line shows
its value only, as a label with a tier's name ran off the plot even at 1400 px; the page's and the slide's
"by tier" table beside the chart names each tier's target."""


def _target_vlines(fig: go.Figure, targets: Sequence[tuple[str, float]], lang: str, axis_max: float,
                   key: str = "target_line") -> None:
    """One labelled line per distinct target; a line past 40% of the axis has its label on its left, so the
    label stays inside the plot; labels of several lines sit on rows of their own, so they never overprint."""
    lines = target_lines(targets)
    named = all(names is None or len(names) <= LINE_NAME_MAX for _, names in lines)
    for i, (value, names) in enumerate(lines):
        label = i18n.t(lang, key, value=formats.hours(value, lang))
        _vline(fig, value, label if names is None or not named else f"{safe.plotly(names)}: {label}")
        if value >= axis_max * 0.4:
            fig.layout.annotations[-1].update(xanchor="right")
        if i:
            fig.layout.annotations[-1].update(yshift=-18 * i)


def response_hist(frame: pl.DataFrame, lang: str, targets: Sequence[tuple[str, float]], bin_hours: float,
                  max_hours: float, *, variant: Variant = SCREEN) -> go.Figure | None:
    """Histogram of business hours to first response: each handoff coloured by its own target (its tier's, else
    its version's; within dark, over grey, stacked), and one red line per distinct target (charts.tier_targets)."""
    if frame.height == 0:
        return None
    centers = [(lo + hi) / 2 if not o else max_hours + bin_hours / 2
               for lo, hi, o in zip(frame["lower"], frame["upper"], frame["overflow"], strict=True)]
    ranges = [[i18n.fmt_num(lo, lang, 1), i18n.fmt_num(hi, lang, 1)]
              for lo, hi in zip(frame["lower"], frame["upper"], strict=True)]
    within = frame["within_target"].to_list()
    over = [n - w for n, w in zip(frame["handoffs"], within, strict=True)]
    several = len(target_lines(targets)) > 1
    fig = go.Figure()
    hover = ("(%{customdata[0]}, %{customdata[1]}] " + i18n.t(lang, "unit_hours")
             + ": %{y:,}<extra>%{fullData.name}</extra>")
    fig.add_bar(x=centers, y=within, width=bin_hours * 0.92, marker_color=PRIMARY, customdata=ranges,
                name=i18n.t(lang, "legend_within_own" if several else "legend_within"), hovertemplate=hover)
    fig.add_bar(x=centers, y=over, width=bin_hours * 0.92, marker_color=COMPARE_DARK, customdata=ranges,
                name=i18n.t(lang, "legend_over_own" if several else "legend_over"), hovertemplate=hover)
    fig.update_layout(barmode="stack")
    _target_vlines(fig, targets, lang, max_hours + bin_hours * 1.5)
    if bool(frame["overflow"].any()):
        fig.add_annotation(x=max_hours + bin_hours / 2, y=0, yanchor="top", yshift=-22, showarrow=False,
                           text=i18n.t(lang, "overflow_label", value=formats.hours(max_hours, lang, 0)),
                           font={"size": 11, "color": MUTED})
    fig.update_xaxes(title_text=i18n.t(lang, "axis_business_hours"), range=[0, max_hours + bin_hours * 1.5])
    fig.update_yaxes(title_text=i18n.t(lang, "axis_handoffs"), rangemode="tozero")
    return finish(fig, i18n.t(lang, "rs_hist_title"), 400, variant)


def response_ecdf(frame: pl.DataFrame, lang: str, targets: Sequence[tuple[str, float]],
                  max_hours: float, *, variant: Variant = SCREEN) -> go.Figure | None:
    """Share answered within x business hours (right edges of the histogram's bins), one line per target."""
    frame = frame.filter(~pl.col("overflow"))
    if frame.height == 0:
        return None
    xs, ys = frame["upper"].to_list(), frame["ecdf"].to_list()
    if xs[0] > 0:  # nobody answered in exactly 0 business hours: the curve starts at (0, 0)
        xs, ys = [0.0, *xs], [0.0, *ys]
    fig = go.Figure(go.Scatter(x=xs, y=ys, mode="lines", line={"color": PRIMARY, "width": 3, "shape": "linear"},
                               hovertemplate="≤ %{x:.1f} " + i18n.t(lang, "unit_hours") + ": %{y:.1%}<extra></extra>",
                               showlegend=False))
    _target_vlines(fig, targets, lang, max_hours)
    fig.update_xaxes(title_text=i18n.t(lang, "axis_business_hours"), range=[0, max_hours])
    fig.update_yaxes(title_text=i18n.t(lang, "axis_share_answered"), tickformat=".0%", range=[0, 1.02])
    return finish(fig, i18n.t(lang, "rs_ecdf_title"), 400, variant)


def attainment_by(frame: pl.DataFrame, lang: str, title: str, guide: float | None, labels: list[str],
                  top: int = 25, *, variant: Variant = SCREEN) -> go.Figure | None:
    """Horizontal bars of attainment per group (worst at the top), with handoffs behind each bar."""
    frame = frame.with_columns(pl.Series("label", [safe.plotly(x) for x in labels], dtype=pl.Utf8)).filter(
        pl.col("attainment").is_not_null())
    if frame.height == 0:
        return None
    frame = frame.sort("handoffs", descending=True).head(top).sort("attainment", descending=True)
    values = [_num(v) for v in frame["attainment"]]
    colors = [PRIMARY if guide is None or (v is not None and v >= guide) else BAD for v in values]
    colors, texts, hover, error = _interval_bars(frame, "attainment", "handoffs", lang, colors)
    fig = go.Figure(go.Bar(
        x=values, y=frame["label"].to_list(), orientation="h", marker_color=colors, text=None if error else texts,
        error_x=error, customdata=hover, textposition="outside", cliponaxis=False,
        hovertemplate="%{y}: %{customdata}<extra></extra>", showlegend=False))
    _labels_after_whiskers(fig, values, frame["label"].to_list(), texts, error)
    if guide is not None:
        fig.add_vline(x=guide, line={"color": WARN, "dash": "dash", "width": 1.5})
        fig.add_annotation(x=guide, y=1.0, yref="paper", yanchor="bottom", showarrow=False,
                           text=i18n.fmt_pct(guide, lang, 0), font={"color": WARN, "size": 12})
    fig.update_xaxes(tickformat=".0%", range=[0, 1.3], title_text=i18n.t(lang, "axis_attainment"))
    fig.update_yaxes(showgrid=False, type="category")
    return finish(fig, title, 110 + 28 * frame.height, variant)


def attainment_heat(frame: pl.DataFrame, lang: str, *, variant: Variant = SCREEN) -> go.Figure | None:
    """Weekday x hour of handoff: attainment per cell, handoffs on hover."""
    frame = frame.filter(pl.col("key").is_not_null() & pl.col("key2").is_not_null())
    if frame.height == 0:
        return None
    cells = {(int(r["key"]), int(r["key2"])): r for r in frame.iter_rows(named=True)}
    days = list(range(1, 8))
    hours = list(range(24))
    z = [[_num(cells[(d, h)]["attainment"]) if (d, h) in cells else None for h in hours] for d in days]
    n = [[cells[(d, h)]["handoffs"] if (d, h) in cells else 0 for h in hours] for d in days]
    fig = go.Figure(go.Heatmap(
        z=z, x=[f"{h:02d}" for h in hours], y=[i18n.weekday(d, lang) for d in days], customdata=n,
        colorscale=DIVERGING, zmin=0.5, zmax=1.0, xgap=1, ygap=1,
        colorbar={"tickformat": ".0%", "thickness": 12, "title": {"text": i18n.t(lang, "axis_attainment")}},
        hovertemplate="%{y} %{x}:00 — %{z:.1%} (n=%{customdata:,})<extra></extra>"))
    fig.update_yaxes(autorange="reversed", showgrid=False, title_text=i18n.t(lang, "axis_weekday"))
    fig.update_xaxes(showgrid=False, title_text=i18n.t(lang, "axis_hour"))
    return finish(fig, i18n.t(lang, "rs_heat_title"), 420, variant)


def followup_attempts(frame: pl.DataFrame, lang: str, minimums: Sequence[tuple[str, int]],
                      max_attempts: int, *, variant: Variant = SCREEN) -> go.Figure | None:
    """Due handoffs by attempts in the window; the dark part of a bar met its own minimum (its tier's, else its
    version's), so with two versions (or tiers) asking 3 and 4 attempts the "3" bar is partly compliant."""
    if frame.height == 0:
        return None
    labels = [f"{a}+" if a >= max_attempts else str(a) for a in frame["attempts"]]
    compliant = frame["compliant"].to_list()
    total = frame["handoffs"].to_list()
    values = list(dict.fromkeys(int(n) for _, n in minimums))
    if len(values) == 1:
        legend = i18n.t(lang, "legend_compliant", n=values[0])
    elif values:
        legend = i18n.t(lang, "legend_compliant_own",
                        minimums=", ".join(f"{safe.plotly(name)} {int(n)}" for name, n in minimums))
    else:
        legend = i18n.t(lang, "legend_compliant", n="?")
    fig = go.Figure()
    fig.add_bar(x=labels, y=[t - c for t, c in zip(total, compliant, strict=True)], marker_color=COMPARE,
                name=i18n.t(lang, "legend_not_compliant"), hovertemplate="%{x}: %{y:,}<extra></extra>")
    fig.add_bar(x=labels, y=compliant, marker_color=PRIMARY, name=legend,
                hovertemplate="%{x}: %{y:,}<extra></extra>")
    fig.update_layout(barmode="stack")
    fig.update_xaxes(title_text=i18n.t(lang, "axis_attempts"), type="category")
    fig.update_yaxes(title_text=i18n.t(lang, "axis_handoffs"), rangemode="tozero")
    return finish(fig, i18n.t(lang, "rs_followup_title"), 380, variant)


# ---------------------------------------------------------------- what-if


def whatif_curve(curve: pl.DataFrame, lang: str, today: float, proposed: float | None, commitment: float | None,
                 target: float | None, *, variant: Variant = SCREEN) -> go.Figure | None:
    """Yield against MQLs per month, one point per threshold: observed at or above today's threshold, the
    model's estimate (with its interval) below it; today's and the proposed threshold marked."""
    rows = curve.filter(pl.col("volume") > 0)
    if rows.height == 0:
        return None
    observed = rows.filter(~pl.col("is_estimate"))
    estimate = rows.filter(pl.col("is_estimate") & pl.col("estimated_sql_rate").is_not_null())
    if estimate.height and observed.height:  # join the two lines at today's threshold
        estimate = pl.concat([estimate, observed.head(1)], how="vertical_relaxed")
    fig = go.Figure()
    per_month = i18n.t(lang, "unit_per_month")
    hover = (i18n.t(lang, "hover_threshold", t="%{customdata}") + f"<br>%{{x:,.0f}} {per_month} · %{{y:.1%}}"
             + "<extra></extra>")
    if estimate.height:
        fig.add_scatter(x=estimate["mqls_per_month"].to_list() + estimate["mqls_per_month"].to_list()[::-1],
                        y=estimate["est_high"].to_list() + estimate["est_low"].to_list()[::-1], fill="toself",
                        fillcolor="rgba(124,92,191,0.15)", line={"width": 0}, hoverinfo="skip",
                        name=i18n.t(lang, "legend_interval"))
        fig.add_scatter(x=estimate["mqls_per_month"].to_list(), y=estimate["estimated_sql_rate"].to_list(),
                        mode="lines", line={"color": ESTIMATE, "dash": "dash", "width": 2.5},
                        customdata=estimate["threshold"].to_list(), hovertemplate=hover,
                        name=i18n.t(lang, "legend_estimate"))
    if observed.height:
        fig.add_scatter(x=observed["mqls_per_month"].to_list(), y=observed["sql_rate"].to_list(), mode="lines",
                        line={"color": PRIMARY, "width": 3}, customdata=observed["threshold"].to_list(),
                        hovertemplate=hover, name=i18n.t(lang, "legend_observed"))
    labelled = rows.filter(pl.col("threshold") % 10 == 0).sort("threshold", descending=True)
    spread = max(float(rows["mqls_per_month"].max() or 0), 1.0)
    keep, last_x = [], None
    for x in labelled["mqls_per_month"].to_list():  # no two labels closer than 4% of the axis
        keep.append(last_x is None or abs(x - last_x) > 0.04 * spread)
        last_x = x if keep[-1] else last_x
    labelled = labelled.filter(pl.Series(keep))
    fig.add_scatter(x=labelled["mqls_per_month"].to_list(),
                    y=[_num(e) if i else _num(o) for e, o, i in zip(labelled["estimated_sql_rate"],
                                                                    labelled["sql_rate"], labelled["is_estimate"],
                                                                    strict=True)],
                    mode="markers+text", text=[f"t={int(v)}" for v in labelled["threshold"]],
                    textposition="top right", textfont={"color": MUTED},
                    marker={"size": 5, "color": MUTED}, showlegend=False, hoverinfo="skip")
    for value, key, color, symbol in ((today, "legend_today", INK, "circle-open"),
                                      (proposed, "legend_proposed", WARN, "diamond")):
        if value is None:
            continue
        point = curve.filter(pl.col("threshold") == int(round(value)))
        if point.height and point["volume"][0] > 0:
            rate = point["estimated_sql_rate"][0] if point["is_estimate"][0] else point["sql_rate"][0]
            fig.add_scatter(x=[point["mqls_per_month"][0]], y=[rate], mode="markers",
                            marker={"size": 16, "color": color, "symbol": symbol, "line": {"width": 3,
                                                                                           "color": color}},
                            name=i18n.t(lang, key, t=i18n.fmt_num(value, lang, 0)),
                            hovertemplate=f"%{{x:,.0f}} {per_month} · %{{y:.1%}}<extra></extra>")
    if commitment is not None:
        _vline(fig, commitment, i18n.t(lang, "legend_commitment_line"), color=MUTED, dash="dot")
    if target is not None:
        _hline(fig, target, i18n.t(lang, "legend_target_line"), color=MUTED, dash="dot")
    fig.update_xaxes(title_text=i18n.t(lang, "axis_mqls_month"), rangemode="tozero")
    fig.update_yaxes(title_text=i18n.t(lang, "axis_yield"), tickformat=".0%", range=[0, 1.02])
    fig.update_layout(legend={"orientation": "h", "x": 0, "xanchor": "left", "y": -0.16, "yanchor": "top"},
                      margin={"t": 56, "b": 130})
    return finish(fig, i18n.t(lang, "wi_curve_title"), 560, variant)


def whatif_heatmap(frame: pl.DataFrame, lang: str, fit_weight: float, engagement_weight: float,
                   threshold: float, bins: int = 10, *, variant: Variant = SCREEN) -> go.Figure | None:
    """Observed SQL rate per fit x engagement cell with the proposed MQL region (score >= t) outlined."""
    if frame.height == 0 or int(frame["leads"].sum()) == 0:
        return None
    width = 100.0 / bins
    edges = sorted(set(frame["fit_bin"].to_list()))
    cells = {(r["fit_bin"], r["eng_bin"]): r for r in frame.iter_rows(named=True)}
    z = [[_num(cells[(f, e)]["rate"]) if cells.get((f, e)) and cells[(f, e)]["leads"] else None for e in edges]
         for f in edges]
    n = [[cells[(f, e)]["leads"] if (f, e) in cells else 0 for e in edges] for f in edges]
    text = [[i18n.fmt_pct(v, lang, 0) if v is not None else "" for v in row] for row in z]
    centers = [e + width / 2 for e in edges]
    fig = go.Figure(go.Heatmap(
        z=z, x=centers, y=centers, customdata=n, text=text, texttemplate="%{text}", textfont={"size": 10},
        colorscale=SEQUENTIAL, zmin=0, xgap=1, ygap=1,
        colorbar={"tickformat": ".0%", "thickness": 12, "title": {"text": i18n.t(lang, "axis_yield")}},
        hovertemplate=(i18n.t(lang, "axis_eng") + " %{x:.0f}±5 · " + i18n.t(lang, "axis_fit")
                       + " %{y:.0f}±5<br>%{z:.1%} (n=%{customdata:,})<extra></extra>")))
    region = _score_region(fit_weight, engagement_weight, threshold)
    if region:
        xs, ys = zip(*region, strict=True)
        fig.add_scatter(x=list(xs), y=list(ys), mode="lines", fill="toself", fillcolor="rgba(217,119,6,0.10)",
                        line={"color": WARN, "width": 3},
                        name=i18n.t(lang, "legend_region", t=i18n.fmt_num(threshold, lang, 0)), hoverinfo="skip")
    fig.update_xaxes(title_text=i18n.t(lang, "axis_eng"), range=[0, 100], showgrid=False, dtick=10,
                     constrain="domain")
    fig.update_yaxes(title_text=i18n.t(lang, "axis_fit"), range=[0, 100], showgrid=False, dtick=10,
                     constrain="domain")
    fig.update_layout(showlegend=True, legend={"y": -0.16, "yanchor": "top", "x": 0, "orientation": "h"},
                      margin={"b": 110})
    return finish(fig, i18n.t(lang, "wi_heat_title"), 560, variant)


def _score_region(fit_weight: float, engagement_weight: float, threshold: float) -> list[tuple[float, float]]:
    """The polygon of the [0,100]^2 square (x = engagement, y = fit) where fw*fit + ew*eng >= t."""
    corners = [(0.0, 0.0), (100.0, 0.0), (100.0, 100.0), (0.0, 100.0)]

    def score(p: tuple[float, float]) -> float:
        return fit_weight * p[1] + engagement_weight * p[0]

    out: list[tuple[float, float]] = []
    for i, a in enumerate(corners):
        b = corners[(i + 1) % 4]
        sa, sb = score(a), score(b)
        if sa >= threshold:
            out.append(a)
        if (sa >= threshold) != (sb >= threshold) and sb != sa:
            k = (threshold - sa) / (sb - sa)
            out.append((a[0] + k * (b[0] - a[0]), a[1] + k * (b[1] - a[1])))
    if len(out) >= 3:
        out.append(out[0])
        return out
    return []


# ---------------------------------------------------------------- closed loop


def closed_loop_bars(frame: pl.DataFrame, lang: str, title: str, top: int = 15, *,
                     previous: pl.DataFrame | None = None, previous_label: str | None = None,
                     variant: Variant = SCREEN) -> go.Figure | None:
    """Rejections and recycles per group, stacked, largest total at the top; `previous` (the comparison
    period, same query) marks each group's total then, so a reason that grew or vanished shows."""
    if frame.height == 0:
        return None
    before = previous if previous is not None else frame.clear()

    def totals(data: pl.DataFrame, name: str) -> pl.DataFrame:
        return data.group_by("label").agg(pl.col("count").sum().alias(name))

    both = (totals(frame, "total").join(totals(before, "before"), on="label", how="full", coalesce=True)
            .fill_null(0).sort(["total", "before", "label"], descending=[True, True, False]))
    kept = both.head(top).reverse()
    keep = kept["label"].to_list()
    names = [_label(k, lang) for k in keep]
    fig = go.Figure()
    for stage_name, color in (("rejected", BAD), ("recycled", COMPARE_DARK)):
        part = {r["label"]: r["count"] for r in frame.filter(pl.col("stage") == stage_name).iter_rows(named=True)}
        if not part:
            continue
        fig.add_bar(y=names, x=[part.get(k, 0) for k in keep], orientation="h",
                    name=i18n.stage(stage_name, lang), marker_color=color,
                    hovertemplate="%{y}: %{x:,}<extra></extra>")
    if before.height:
        fig.add_scatter(y=names, x=kept["before"].to_list(), mode="markers", name=previous_label,
                        marker={"symbol": "line-ns-open", "size": 22, "color": INK, "line": {"width": 3}},
                        hovertemplate="%{y}: %{x:,}<extra>%{fullData.name}</extra>")
    fig.update_layout(barmode="stack")
    fig.update_xaxes(title_text=i18n.t(lang, "axis_events"), rangemode="tozero")
    fig.update_yaxes(showgrid=False, type="category")
    return finish(fig, title, 130 + 28 * len(keep), variant)


def closed_loop_months(frame: pl.DataFrame, lang: str, *, variant: Variant = SCREEN) -> go.Figure | None:
    """Rejections and recycles per local month of the event."""
    if frame.height == 0:
        return None
    months = sorted(set(frame["key"].to_list()))
    fig = go.Figure()
    for stage_name, color in (("rejected", BAD), ("recycled", COMPARE_DARK)):
        part = {r["key"]: r["count"] for r in frame.filter(pl.col("stage") == stage_name).iter_rows(named=True)}
        fig.add_scatter(x=i18n.month_labels(months, lang), y=[part.get(m, 0) for m in months],
                        mode="lines+markers", name=i18n.stage(stage_name, lang), line={"color": color, "width": 3},
                        hovertemplate="%{x}: %{y:,}<extra></extra>")
    fig.update_xaxes(type="category", tickangle=0)
    fig.update_yaxes(title_text=i18n.t(lang, "axis_events"), rangemode="tozero")
    return finish(fig, i18n.t(lang, "cl_time_title"), 380, variant)


def acceptance(frame: pl.DataFrame, lang: str, *, variant: Variant = SCREEN) -> go.Figure | None:
    """Acceptance (SAL / MQL) by month of MQL, with the MQLs behind each point."""
    frame = frame.filter(pl.col("mqls") > 0)
    if frame.height == 0:
        return None
    months = i18n.month_labels(frame["month"].to_list(), lang)
    fig = go.Figure(go.Scatter(
        x=months, y=frame["acceptance"].to_list(), mode="lines+markers+text", line={"color": PRIMARY, "width": 3},
        text=[i18n.fmt_pct(v, lang, 0) for v in frame["acceptance"]], textposition="top center",
        customdata=[f"{t} (n={i18n.fmt_int(n)})" for t, n in zip(  # the rate with its 95% interval
            formats.interval_texts(frame["acceptance"].to_list(), frame["acceptance_low"].to_list(),
                                   frame["acceptance_high"].to_list(), lang)
            if "acceptance_low" in frame.columns else [i18n.fmt_pct(v, lang) for v in frame["acceptance"]],
            frame["mqls"], strict=True)], hovertemplate="%{x}: %{customdata}<extra></extra>",
        showlegend=False))
    fig.update_xaxes(type="category", tickangle=0)
    fig.update_yaxes(title_text=i18n.t(lang, "axis_acceptance"), tickformat=".0%", range=[0, 1.05])
    return finish(fig, i18n.t(lang, "cl_acceptance_title"), 380, variant)


# ---------------------------------------------------------------- mix vs rate


def _short(name: str, width: int = 36) -> str:
    """A long segment name cut for an axis label (the hover keeps it whole); cut before escaping."""
    return name if len(name) <= width else name[:width - 1] + "…"


def mix_rate(result: MixRate, labels: dict[str | None, str], lang: str, title: str, cur_label: str,
             cmp_label: str | None, top: int = 6, *, variant: Variant = SCREEN) -> go.Figure | None:
    """The mix-vs-rate waterfall (sla_review.metrics.mix_rate): the comparison's rate, the mix part, the rate
    part, and the period's rate; the larger of the two parts is drawn per segment for the `top` segments it
    moved most (a segment with too few cases says so) and the rest in one bar. `labels` maps a segment key to its
    shown name (plain text, escaped here)."""
    if not result.decomposed:
        return None
    t = lambda key, **v: i18n.t(lang, key, **v)  # noqa: E731
    few = t("mx_too_few_tag")

    def name(p, width: int | None = None) -> str:
        """The segment's name (cut to `width` for an axis label), with "too few to judge" never cut off."""
        text = labels.get(p.key, str(p.key))
        text = _short(text, width) if width else text
        return f"{text} ({few})" if p.too_few else text

    def counts(p) -> str:
        return safe.plotly(t("mx_hover", name=name(p), n0=i18n.fmt_int(p.n0, lang), n1=i18n.fmt_int(p.n1, lang),
                             r0=i18n.fmt_pct(_num(p.r0), lang), r1=i18n.fmt_pct(_num(p.r1), lang),
                             mix=i18n.fmt_pp(float(p.mix), lang), rate=i18n.fmt_pp(float(p.rate), lang)))

    def split(kind: str) -> list[tuple[str, str, object, str]]:
        """The part of `kind` per segment for the `top` segments it moved most, then the rest in one bar."""
        shown = sorted(result.parts, key=lambda p: -abs(getattr(p, kind)))[:top]
        rest = [p for p in result.parts if p not in shown]
        out = [(safe.plotly(t(f"mx_{kind}_bar", segment=name(p, 36))), "relative", getattr(p, kind), counts(p))
               for p in shown]
        if rest:
            out.append((t(f"mx_{kind}_rest", n=len(rest)), "relative", sum((getattr(p, kind) for p in rest), 0), ""))
        return out

    def whole(kind: str) -> list[tuple[str, str, object, str]]:
        biggest = sorted(result.parts, key=lambda p: -abs(getattr(p, kind)))[:top]
        return [(t(f"mx_{kind}_all"), "relative", getattr(result, kind), "<br>".join(counts(p) for p in biggest))]

    # the part that moved the rate more is drawn per segment, the other in one bar (both in the hover)
    rate_first = abs(result.rate) >= abs(result.mix)
    rows = [(safe.plotly(cmp_label or t("mx_comparison")), "absolute", result.r0, ""),
            *(whole("mix") if rate_first else split("mix")), *(split("rate") if rate_first else whole("rate")),
            (safe.plotly(cur_label), "total", result.r1, "")]
    values = [float(v) for _, _, v, _ in rows]
    text = [i18n.fmt_pct(v, lang) if m != "relative" else i18n.fmt_pp(v, lang)
            for (_, m, _, _), v in zip(rows, values, strict=True)]
    fig = go.Figure(go.Waterfall(
        orientation="h", y=[r[0] for r in rows], x=values, measure=[r[1] for r in rows], text=text,
        textposition="outside", cliponaxis=False, customdata=[r[3] for r in rows],
        increasing={"marker": {"color": GOOD}}, decreasing={"marker": {"color": BAD}},
        totals={"marker": {"color": PRIMARY}}, connector={"line": {"color": AXIS, "width": 1}},
        hovertemplate="%{y}: %{text}<br>%{customdata}<extra></extra>"))
    running = [values[0]]
    for v in values[1:-1]:
        running.append(running[-1] + v)
    running.append(values[-1])
    low, high = min(running), max(running)
    pad = max((high - low) * 0.45, 0.01)
    fig.update_xaxes(tickformat=".1%", range=[max(0.0, low - pad), min(1.0, high + pad)],
                     title_text=t(f"mx_axis_{result.measure}"))
    fig.update_yaxes(autorange="reversed", type="category", showgrid=False)
    fig.update_layout(showlegend=False, waterfallgap=0.3)
    return finish(fig, title, 150 + 40 * len(rows), variant)


def proposal_load(buckets: list[dict], lang: str, marks: Sequence[tuple[str, float | None]], guide: float | None,
                  *, variant: Variant = SCREEN) -> go.Figure | None:
    """What history says about load: attainment (with its 95% interval) of the handoffs a rep got in weeks of
    each load (handoffs per rep per week, sla_review.metrics.proposals.LOAD_EDGES), and where each set of terms
    would put a rep (marks: (label, MQLs per rep per week)). Buckets with fewer than MIN_CASES judged are grey."""
    from sla_review.metrics.scorecard import MIN_CASES
    from sla_review.present import proposal_text

    rows = [b for b in buckets if b["judged"]]
    if not rows:
        return None
    labels = [proposal_text.w(lang, "load_span", low=b["low"], high=b["high"]) if b["high"] is not None
              else proposal_text.w(lang, "load_open", low=b["low"]) for b in rows]
    frame = pl.DataFrame({
        "label": labels, "attainment": [_num(b["attainment"]) for b in rows],
        "attainment_low": [b["attainment_ci95"][0] if b["attainment_ci95"] else None for b in rows],
        "attainment_high": [b["attainment_ci95"][1] if b["attainment_ci95"] else None for b in rows],
        "attainment_judged": [b["judged"] >= MIN_CASES for b in rows], "judged": [b["judged"] for b in rows]},
        schema_overrides={"attainment": pl.Float64, "attainment_low": pl.Float64, "attainment_high": pl.Float64})
    colors, texts, hover, error = _interval_bars(frame, "attainment", "judged", lang, [PRIMARY] * frame.height)
    median = [proposal_text.w(lang, "load_median", hours=formats.hours(b["median_business_hours"], lang))
              for b in rows]
    fig = go.Figure(go.Bar(
        x=labels, y=frame["attainment"].to_list(), marker_color=colors, error_y=error,
        customdata=[f"{h} · {m}" for h, m in zip(hover, median, strict=True)], cliponaxis=False,
        hovertemplate="%{x}: %{customdata}<extra></extra>", showlegend=False))
    # each bar's figure above its whisker (a label at the bar's end would sit on the whisker)
    tops = [max(v or 0.0, hi or 0.0) for v, hi in zip(frame["attainment"], frame["attainment_high"], strict=True)]
    for label, top, shown in zip(labels, tops, texts, strict=True):
        fig.add_annotation(x=label, y=top, yanchor="bottom", yshift=2, showarrow=False, text=shown,
                           font={"size": 12, "color": INK}, bgcolor="rgba(255,255,255,0.9)")
    for i, (name, per_week) in enumerate(marks):
        if per_week is None:
            continue
        at = max((k for k, b in enumerate(rows) if b["low"] <= max(per_week, rows[0]["low"])), default=None)
        if at is None:
            continue
        fig.add_vline(x=at, line={"color": (ACCENT, COMPARE_DARK, WARN, INK)[i % 4], "dash": "dot", "width": 2})
        fig.add_annotation(x=at, y=1.0 + 0.07 * i, yref="paper", yanchor="bottom", showarrow=False,
                           text=safe.plotly(f"{name}: {formats.number(per_week, lang, 1)}"),
                           font={"color": (ACCENT, COMPARE_DARK, WARN, INK)[i % 4], "size": 12})
    if guide is not None:
        _hline(fig, guide, i18n.fmt_pct(guide, lang, 0), WARN)
    fig.update_yaxes(tickformat=".0%", range=[0, 1.2], tickvals=[0, 0.2, 0.4, 0.6, 0.8, 1.0],
                     title_text=i18n.t(lang, "axis_attainment"))
    fig.update_xaxes(type="category", title_text=proposal_text.w(lang, "axis_load"), showgrid=False)
    return finish(fig, proposal_text.w(lang, "chart_load"), 380, variant)
