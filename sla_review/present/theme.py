"""The one palette and chart theme of the product, with a `screen` and a `slide` variant.

Why one module: a figure on the page and the same figure on a slide must be the same picture at two sizes
(same colours, same marks), so the palette lives here once and the variant only changes layout — fonts,
size, margins, the chart title and the interactive furniture. Builders in present.charts draw the data; the
variant is applied last by `finish`, so the traces of a screen figure and of a slide figure are identical.
"""

from __future__ import annotations

from dataclasses import dataclass

import plotly.graph_objects as go

FONT = '"Noto Sans CJK JP", "Noto Sans JP", "Hiragino Sans", "Yu Gothic", "Meiryo", "Segoe UI", Arial, sans-serif'

INK = "#1f2933"
MUTED = "#6b7785"
GRID = "#e4e7eb"
AXIS = "#9aa5b1"
PRIMARY = "#1f4e79"
PRIMARY_LIGHT = "#8fb3d9"
COMPARE = "#a7b1bc"
COMPARE_DARK = "#6b7785"
GOOD = "#2e7d32"
WARN = "#d97706"
BAD = "#b91c1c"
ESTIMATE = "#7c5cbf"
ACCENT = "#0f766e"
SEQUENTIAL = [[0.0, "#f7fbff"], [0.25, "#c6dbef"], [0.5, "#6baed6"], [0.75, "#2171b5"], [1.0, "#08306b"]]
DIVERGING = [[0.0, "#b91c1c"], [0.5, "#fde68a"], [1.0, "#2e7d32"]]
TONES = {"green": GOOD, "orange": WARN, "red": BAD, "gray": COMPARE_DARK}
"""The hex of each status tone (metrics.scorecard.STATUS_TONE): .streamlit/config.toml gives Streamlit's badges
the same greenColor/orangeColor/redColor/grayColor, and the deck fills its status cells from here."""


@dataclass(frozen=True)
class Variant:
    """How a figure is laid out for one medium. Only layout: never data, colours or marks."""

    name: str
    font: int
    title: int
    legend: int
    annotation_scale: float  # annotations (target lines' labels, notes) grow with the font
    margin: tuple[int, int, int, int]  # l, r, t, b
    size: tuple[int, int] | None  # fixed (width, height) in logical px, or None: the builder's height, full width
    titled: bool  # the chart title inside the figure (a slide states its finding in the slide title instead)
    static: bool  # no hover, zoom or drag: a picture


SCREEN = Variant("screen", 13, 16, 12, 1.0, (64, 24, 84, 56), None, True, False)
SLIDE = Variant("slide", 20, 24, 19, 1.55, (90, 40, 56, 70), (1280, 525), False, True)
"""The slide's chart area is the deck's body box (12.33 x 5.06 in on a 13.33 x 7.5 in 16:9 slide), 1280 px wide
and rendered at 2x; fonts are sized for the back of a meeting room."""

VARIANTS = {v.name: v for v in (SCREEN, SLIDE)}


def template(variant: Variant) -> go.layout.Template:
    """The plotly template of a variant: one look, two sizes."""
    axis = {"gridcolor": GRID, "linecolor": AXIS, "ticks": "outside", "tickcolor": AXIS, "zeroline": False,
            "automargin": True, "title": {"standoff": 8, "font": {"size": variant.font, "color": MUTED}},
            "tickfont": {"size": variant.font}}
    left, right, top, bottom = variant.margin
    return go.layout.Template(layout=go.Layout(
        font={"family": FONT, "size": variant.font, "color": INK},
        paper_bgcolor="white",
        plot_bgcolor="white",
        colorway=[PRIMARY, COMPARE, ACCENT, WARN, ESTIMATE, BAD, "#4b5563", "#93c5fd"],
        title={"font": {"size": variant.title, "color": INK}, "x": 0, "xanchor": "left", "y": 0.98,
               "yanchor": "top"},
        xaxis=axis,
        yaxis=axis,
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.01, "xanchor": "left", "x": 0,
                "bgcolor": "rgba(255,255,255,0)", "font": {"size": variant.legend}},
        margin={"l": left, "r": right, "t": top, "b": bottom},
        hoverlabel={"font": {"family": FONT}},
        bargap=0.25,
    ))


TEMPLATES = {name: template(v) for name, v in VARIANTS.items()}


def finish(fig: go.Figure, title: str, height: int, variant: Variant = SCREEN) -> go.Figure:
    """Lay the figure out for the medium: template, size, title (screen) or none (slide), annotation fonts,
    and on a slide no hover or drag. Called last by every builder, so the traces do not depend on it."""
    fig.update_layout(template=TEMPLATES[variant.name])
    if variant.size is None:
        fig.update_layout(height=height)
    else:
        fig.update_layout(width=variant.size[0], height=variant.size[1])
    if variant.titled:
        fig.update_layout(title={"text": title})
    else:
        fig.update_layout(title={"text": ""}, margin={"t": variant.margin[2]})
    if variant.annotation_scale != 1:
        for note in fig.layout.annotations:
            note.font.size = round((note.font.size or variant.font / variant.annotation_scale)
                                   * variant.annotation_scale)
    legend_y = fig.layout.legend.y
    if variant.name == SLIDE.name and legend_y is not None and legend_y < 0:  # below the plot: clear the axis title
        fig.update_layout(legend={"y": legend_y * 1.5})
    if variant.static:
        fig.update_layout(hovermode=False, dragmode=False)
    return fig
