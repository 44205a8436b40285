"""With tiers the response charts draw the tiers' targets (docs/definitions.md "Response histogram axis"): each
distinct target of a tier with handoffs once, labelled with its value (the "by tier" table names the tiers), labels
on rows of their own; the axis rule (16 bins up to twice the largest target, at least 8 h) then holds for those
targets. The follow-up chart names each tier's minimum attempts."""

from __future__ import annotations

import datetime as dt

import polars as pl

from sla_review.core.terms import DEFAULT_TIER, SlaVersion, Tier
from sla_review.present import charts, formats

LONG = "Tier A demo requests from enterprise accounts in EMEA"
ROWS = [{"tier": LONG, "handoffs": 5, "target_hours": [1]},
        {"tier": "Partners", "handoffs": 0, "target_hours": [8]},  # no handoffs: no line, no say in the axis
        {"tier": "Tier B", "handoffs": 4, "target_hours": [2]},
        {"tier": DEFAULT_TIER, "handoffs": 3, "target_hours": [2, 6]}]  # two versions, two own targets
HIST = pl.DataFrame({"bin": [1, 2], "handoffs": [3, 2], "within_target": [3, 1], "lower": [0.0, 0.75],
                     "upper": [0.75, 1.5], "overflow": [False, False], "ecdf": [0.6, 1.0]})


def test_tier_targets_are_the_tiers_with_handoffs():
    assert charts.tier_targets(ROWS, "en") == [(LONG, 1.0), ("Tier B", 2.0), ("No tier (version's own terms)", 2.0),
                                               ("No tier (version's own terms)", 6.0)]
    assert charts.tier_targets(ROWS, "ja")[-1] == ("ティア外（バージョンの基準）", 6.0)
    assert charts.tier_targets([], "en") == []


def test_the_axis_rule_holds_for_tier_targets():
    # largest drawn target 6 h -> axis 12 h in 16 bins of 0.75 h (Partners' 8 h would have made it 16 h)
    assert charts.response_bins(charts.tier_targets(ROWS, "en")) == (0.75, 12.0)
    # targets up to 4 h keep the declared 0.5 h bins to 8 h
    assert charts.response_bins(charts.tier_targets(ROWS[:3], "en")) == (0.5, 8.0)


def test_one_labelled_line_per_distinct_target_on_rows_of_their_own():
    """Tier names are longer than a line's label can carry (they ran off the plot): each line shows its value,
    on a row of its own; the 6 h line, past 40% of the 12 h axis, has its label on its left."""
    fig = charts.response_hist(HIST, "en", charts.tier_targets(ROWS, "en"), 0.75, 12.0)
    lines = [(formats.plain(a.text), a.yshift, a.xanchor) for a in fig.layout.annotations if "Target" in a.text]
    assert lines == [("Target 1.0 h", None, "left"), ("Target 2.0 h", -18, "left"), ("Target 6.0 h", -36, "right")]
    assert [s.x0 for s in fig.layout.shapes] == [1.0, 2.0, 6.0]
    assert fig.data[0].name == "Within its own target"


def test_short_version_names_stay_on_their_lines():
    fig = charts.response_hist(HIST, "en", [("v1", 2.0), ("v2", 4.0)], 0.5, 8.0)
    assert [formats.plain(a.text) for a in fig.layout.annotations if "Target" in a.text] == [
        "v1: Target 2.0 h", "v2: Target 4.0 h"]


def test_followup_minimums_per_tier():
    tier_a = Tier(LONG, (("source", ("demo request",)),), 1.0, 4)
    tier_b = Tier("Tier B", (("icp_tier", ("B",)),), 4.0)  # no minimum of its own: its version's
    v1 = SlaVersion("v1", dt.date(2026, 1, 1), min_attempts=3, tiers=(tier_a, tier_b))
    v2 = SlaVersion("v2", dt.date(2026, 6, 1), min_attempts=5, tiers=(tier_a,))
    assert charts.tier_minimums([v1, v2], "en") == [(LONG, 4), ("Tier B", 3), ("No tier (version's own terms)", 3),
                                                    ("No tier (version's own terms)", 5)]
    assert charts.tier_minimums([SlaVersion("v1", dt.date(2026, 1, 1))], "en") == []  # no tiers: the versions'
