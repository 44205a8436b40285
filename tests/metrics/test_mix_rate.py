"""Mix vs rate (sla_review/metrics/mix_rate.py): a two-segment example worked by hand, the parts adding up exactly
to the report's change on the demo for every dimension (also under a segment filter), single-period segments,
too few cases and the honest states without a comparison."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from pathlib import Path

import polars as pl
import pytest

from sla_review.core import periods
from sla_review.core.vocabulary import Filters
from sla_review.devtools import bench
from sla_review.metrics import mix_rate
from sla_review.metrics.report import build_report
from sla_review.present import charts, safe
from sla_review.store.db import connect

NB = "\u00a0"  # formats keep a figure and its unit together with a no-break space


def _counts(*rows: tuple[str | None, int, int, int, int]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=["key", "n0", "k0", "n1", "k1"], orient="row")


# Comparison: A 80 MQLs, 20 converted (25%); B 20 MQLs, 10 converted (50%)  -> R0 = 30/100 = 30%
# Period:     A 40 MQLs, 12 converted (30%); B 60 MQLs, 24 converted (40%)  -> R1 = 36/100 = 36%, change +6 pt
# Shares: A 0.8 -> 0.4, B 0.2 -> 0.6.  R̄ = (0.30 + 0.36) / 2 = 0.33.
#   mix_A  = (0.4 - 0.8) * ((0.25 + 0.30)/2 - 0.33) = -0.4 * -0.055 = +0.022  = 11/500
#   mix_B  = (0.6 - 0.2) * ((0.50 + 0.40)/2 - 0.33) =  0.4 *  0.120 = +0.048  = 6/125
#   rate_A = (0.30 - 0.25) * (0.8 + 0.4)/2          =  0.05 * 0.6   = +0.030  = 3/100
#   rate_B = (0.40 - 0.50) * (0.2 + 0.6)/2          = -0.10 * 0.4   = -0.040  = -1/25
# mix = 0.07 (the plain symmetric sum: -0.4*0.275 + 0.4*0.45 = -0.11 + 0.18 = 0.07), rate = -0.01,
# mix + rate = 0.06 = 0.36 - 0.30.
HAND = _counts(("A", 80, 20, 40, 12), ("B", 20, 10, 60, 24))


def test_two_segments_by_hand():
    r = mix_rate.decompose("mql_to_sql", "source", HAND)
    assert r.state == "ok" and (r.r0, r.r1) == (Fraction(3, 10), Fraction(9, 25))
    parts = {p.key: p for p in r.parts}
    assert parts["A"].mix == Fraction(11, 500) and parts["B"].mix == Fraction(6, 125)
    assert parts["A"].rate == Fraction(3, 100) and parts["B"].rate == Fraction(-1, 25)
    assert r.mix == Fraction(7, 100) and r.rate == Fraction(-1, 100) and r.total == Fraction(6, 100)
    assert r.mix + r.rate == r.total  # exactly, not within a rounding
    # the per-segment mix is centred, but its sum is the plain symmetric formula's
    plain = sum(((Fraction(p.n1, 100) - Fraction(p.n0, 100)) * (p.r0 + p.r1) / 2 for p in r.parts), Fraction(0))
    assert plain == r.mix
    assert [p.key for p in r.parts] == ["A", "B"]  # by |mix + rate|: A 0.052, B 0.008


def test_the_sentence_names_the_part_and_the_segment_that_moved_it_most():
    r = mix_rate.decompose("mql_to_sql", "source", HAND)
    # the mix (+7 pt) moved it more than the rates (-1 pt); within the mix, B's share (+4.8 pt) is more than
    # half of the +6 pt change
    assert mix_rate.explain(r, {"A": "Webinar", "B": "Partner"}, "en") == (
        f"MQL→SQL moved +6.0{NB}pt (30.0% → 36.0%). Most of the +6.0{NB}pt came from the shift in Partner's share "
        f"of the cases (+4.8{NB}pt); the rates within segments moved it -1.0{NB}pt.")
    ja = mix_rate.explain(r, {"A": "ウェビナー", "B": "パートナー"}, "ja")
    assert ja.startswith("MQL→SQL 転換率は +6.0") and "パートナー の件数比率の変化" in ja and "  " not in ja
    # rates moving more: the rate within one segment is named (the example sentence)
    rate_led = mix_rate.decompose("mql_to_sql", "source", _counts(("W", 50, 10, 50, 20), ("X", 50, 10, 50, 11)))
    assert mix_rate.explain(rate_led, {"W": "Webinar", "X": "Other"}, "en") == (
        f"MQL→SQL moved +11.0{NB}pt (20.0% → 31.0%). Most of the +11.0{NB}pt came from the rate within Webinar "
        f"(+10.0{NB}pt); the mix moved it ±0.0{NB}pt.")


def test_a_segment_in_only_one_period_contributes_only_mix():
    # Comparison: A 50 MQLs, 10 converted (20%). Period: A 50, 10 (20%) and a new C 50, 20 (40%): R1 = 30%.
    # R̄ = 0.25. A: mix = (0.5 - 1) * (0.20 - 0.25) = +0.025, rate 0.  C (r0 taken as its r1 = 0.40):
    # mix = (0.5 - 0) * (0.40 - 0.25) = +0.075, rate 0.  Total +0.10, all mix.
    r = mix_rate.decompose("mql_to_sql", "campaign", _counts(("A", 50, 10, 50, 10), ("C", 0, 0, 50, 20)))
    parts = {p.key: p for p in r.parts}
    assert parts["C"].only == "period" and parts["A"].only is None
    assert parts["C"].mix == Fraction(3, 40) and parts["C"].rate == 0
    assert parts["A"].mix == Fraction(1, 40) and parts["A"].rate == 0
    assert r.total == r.mix == Fraction(1, 10) and r.rate == 0
    # the same segment gone instead: -w0 * (r0 - R̄) with R̄ = (0.30 + 0.20) / 2 = 0.25 -> -0.5 * 0.15
    gone = mix_rate.decompose("mql_to_sql", "campaign", _counts(("A", 50, 10, 50, 10), ("C", 50, 20, 0, 0)))
    c = next(p for p in gone.parts if p.key == "C")
    assert c.only == "comparison" and c.mix == Fraction(-3, 40) and c.rate == 0
    assert gone.mix + gone.rate == gone.total == Fraction(-1, 10)


def test_too_few_cases_are_named_as_such_and_never_the_mover():
    # D has 5 MQLs in the period: its rate jump (0% -> 100%) is the largest part, but too few to judge
    counts = _counts(("A", 100, 30, 100, 36), ("D", 30, 0, 5, 5))
    r = mix_rate.decompose("mql_to_sql", "source", counts)
    d = next(p for p in r.parts if p.key == "D")
    assert d.too_few and abs(d.rate) > max(abs(p.rate) for p in r.parts if p.key != "D")
    assert r.mix + r.rate == r.total
    assert "D-seg" not in mix_rate.explain(r, {"A": "A-seg", "D": "D-seg"}, "en")
    fig = charts.mix_rate(r, {"A": "A-seg", "D": "D-seg"}, "en", "t", "now", "before")
    assert "Rate within D-seg (too few to judge)" in list(fig.data[0].y)
    long = "D" * 60  # a long name is cut on the axis, its "too few to judge" never is
    fig = charts.mix_rate(r, {"A": "A-seg", "D": long}, "en", "t", "now", "before")
    assert f"Rate within {'D' * 35}… (too few to judge)" in list(fig.data[0].y)
    # a whole period below MIN_CASES: the parts, and no verdict on them
    small = mix_rate.decompose("mql_to_sql", "source", _counts(("A", 10, 2, 12, 6)))
    assert small.state == "too_few" and small.mix + small.rate == small.total
    assert "too few to judge" in mix_rate.explain(small, {"A": "A"}, "en")


def test_no_comparison_is_no_decomposition_not_zeros():
    none = mix_rate.decompose("mql_to_sql", "source", None)
    assert none.state == "no_comparison" and none.total is None and none.mix is None and none.parts == ()
    assert "No comparison period is chosen" in mix_rate.explain(none, {}, "en")
    assert charts.mix_rate(none, {}, "en", "t", "now", None) is None
    empty_cmp = mix_rate.decompose("mql_to_sql", "source", _counts(("A", 0, 0, 40, 10)))
    assert empty_cmp.state == "no_comparison_data" and empty_cmp.total is None
    assert "not a change of zero" in mix_rate.explain(empty_cmp, {}, "en")
    nothing = mix_rate.decompose("attainment", "team", _counts(("A", 40, 10, 0, 0)))
    assert nothing.state == "no_data" and nothing.total is None
    assert mix_rate.explain(nothing, {}, "ja") == (
        "今期は目標内対応率の対象がないため、構成と率に分解するものがありません。")


def test_dimensions_come_from_fixed_lists_only():
    with pytest.raises(ValueError, match="owner"):
        mix_rate.conversion_mix(None, None, Filters(), "owner", None)
    with pytest.raises(ValueError, match="source; DROP"):
        mix_rate.attainment_mix(None, None, Filters(), "source; DROP", None)


def test_chart_labels_are_plain_text_and_the_bars_add_up():
    r = mix_rate.decompose("mql_to_sql", "source", HAND)
    hostile = "<b>Tier A & B</b>"
    fig = charts.mix_rate(r, {"A": hostile, "B": "Partner"}, "en", "t", "Apr – Sep 2026", "Oct 2025 – Mar 2026")
    bars = fig.data[0]
    assert bars.type == "waterfall" and bars.measure[0] == "absolute" and bars.measure[-1] == "total"
    assert "Rate within " + safe.plotly(hostile) not in bars.y  # mix moved it more: the mix is drawn per segment
    assert "Share of " + safe.plotly(hostile) in bars.y and not any("<b>" in y for y in bars.y)
    assert bars.x[0] == pytest.approx(0.30) and bars.x[-1] == pytest.approx(0.36)
    assert sum(bars.x[1:-1]) == pytest.approx(0.06, abs=1e-12)  # the relative bars take 30% to 36%


# ---------------------------------------------------------------------------------------------- the demo


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory):
    from sla_review.ingest.demo import generate
    from sla_review.ingest.importer import import_dir

    root: Path = tmp_path_factory.mktemp("mix-demo")
    generate(root / "files", leads=6000, seed=11)
    con = connect(root / "demo.duckdb")
    import_dir(con, root / "files", is_demo=True, source="demo")
    p = bench.default_period(con)
    yield con, p, periods.comparison_period(p)
    con.close()


def _report_rates(con, p, c, f):
    now, before = build_report(con, p, (), f), build_report(con, c, (), f)
    conv = [Fraction(x["mql_to_sql"]["converted"], x["mql_to_sql"]["cohort"]) for x in (before, now)]
    att = [Fraction(x["response"]["within_target"], x["response"]["within_target"] + x["response"]["breached"])
           for x in (before, now)]
    return conv, att


@pytest.mark.parametrize("filters", [Filters(), Filters(region=("kanto", "kansai"), icp_tier=("A", "B"))])
def test_on_the_demo_the_parts_add_up_to_the_reports_change_for_every_dimension(demo, filters):
    con, p, c = demo
    conv, att = _report_rates(con, p, c, filters)
    for dim in mix_rate.CONVERSION_DIMS:
        r = mix_rate.conversion_mix(con, p, filters, dim, c)
        assert r.state == "ok", dim
        assert (r.r0, r.r1) == tuple(conv), dim  # the same cohorts as the report, filters and as_of included
        assert r.mix + r.rate == r.total == conv[1] - conv[0], dim
        assert sum(p_.total for p_ in r.parts) == r.total
    for dim in mix_rate.ATTAINMENT_DIMS:
        r = mix_rate.attainment_mix(con, p, filters, dim, c)
        assert (r.r0, r.r1) == tuple(att), dim
        assert r.mix + r.rate == r.total == att[1] - att[0], dim


def test_on_the_demo_without_a_comparison_or_with_an_empty_one(demo):
    con, p, _ = demo
    assert mix_rate.conversion_mix(con, p, Filters(), "source", None).state == "no_comparison"
    long_ago = periods.view_period(dt.date(2001, 4, 1), dt.date(2001, 10, 1), p.as_of, p.tz)
    assert mix_rate.conversion_mix(con, p, Filters(), "source", long_ago).state == "no_comparison_data"
    assert mix_rate.attainment_mix(con, long_ago, Filters(), "team", p).state == "no_data"
