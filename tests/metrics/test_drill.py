"""The leads behind a number (sla_review.metrics.drill): for every kind, the list holds exactly the rows the
figure counted — by hand on the worked example, and against the figure functions on a demo database, under
segment filters and for the comparison period too; the URL form round-trips and refuses crafted values."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from sla_review.core.vocabulary import LADDER, Filters
from sla_review.metrics import breakdowns as bd
from sla_review.metrics import drill
from sla_review.metrics.drill import Kind
from sla_review.metrics.report import make_period
from sla_review.store.db import connect

AS_OF = "2026-06-30T10:00:00+09:00"


@pytest.fixture
def worked(worked_db):
    con = connect(worked_db)
    yield con, make_period(con, dt.date(2026, 4, 1), dt.date(2026, 7, 1), AS_OF)
    con.close()


def ids(con, period, num: drill.Number, filters: Filters | None = None) -> list[str]:
    out = drill.listing(con, period, filters or Filters(), num.encode())
    assert out["total"] == out["rows"].height  # the worked lists are short: every row is shown
    return out["rows"]["lead_id"].to_list()


# ---------------------------------------------------------------- the worked example, by hand (DOMAIN.md)

@pytest.mark.parametrize(("kind", "args", "expected"), [
    # funnel 6 / 5 / 2 / 2 / 1 / 1: L3 only an inquiry; L2, L5, L6 stop at mql; L4 skipped sal (reached it)
    (Kind.FUNNEL, {"view": "cohort", "stage": "inquiry"}, ["L1", "L2", "L3", "L4", "L5", "L6"]),
    (Kind.FUNNEL, {"view": "cohort", "stage": "mql"}, ["L1", "L2", "L4", "L5", "L6"]),
    (Kind.FUNNEL, {"view": "cohort", "stage": "sal"}, ["L1", "L4"]),
    (Kind.FUNNEL, {"view": "cohort", "stage": "sql"}, ["L1", "L4"]),
    (Kind.FUNNEL, {"view": "cohort", "stage": "opportunity"}, ["L1"]),
    (Kind.FUNNEL, {"view": "cohort", "stage": "won"}, ["L1"]),
    (Kind.FUNNEL, {"view": "flow", "stage": "mql"}, ["L1", "L2", "L4", "L5", "L6"]),  # = mql_count
    (Kind.FUNNEL_SEGMENT, {"segment": "source", "value": "webinar", "stage": "leads"}, ["L1", "L5"]),
    (Kind.FUNNEL_SEGMENT, {"segment": "source", "value": "webinar", "stage": "sql"}, ["L1"]),
    (Kind.FUNNEL_SEGMENT, {"segment": "campaign", "value": "(none)", "stage": "leads"}, ["L2", "L4"]),
    (Kind.FUNNEL_SEGMENT, {"segment": "owner", "value": "Sato", "stage": "mql"}, ["L1", "L4"]),
    (Kind.MQL_COHORT, {"part": "all"}, ["L1", "L2", "L4", "L5", "L6"]),  # MQLs 5
    (Kind.MQL_COHORT, {"part": "converted"}, ["L1", "L4"]),  # MQL→SQL 2 of 5
    (Kind.MQL_COHORT, {"part": "rejected"}, ["L2"]),  # "no budget"
    (Kind.COHORT_MONTH, {"month": "2026-04"}, ["L1", "L4"]),  # April 2, May 1, June 2
    (Kind.COHORT_MONTH, {"month": "2026-05"}, ["L2"]),
    (Kind.COHORT_MONTH, {"month": "2026-06"}, ["L5", "L6"]),
    (Kind.CONVERSION_SEGMENT, {"segment": "icp_tier", "value": "B"}, ["L2", "L5", "L6"]),
    (Kind.RESPONSE, {"status": "all"}, ["L1", "L2", "L4", "L5", "L6"]),  # 5 handoffs
    (Kind.RESPONSE, {"status": "judged"}, ["L1", "L2", "L4", "L6"]),  # attainment 2 / 4
    (Kind.RESPONSE, {"status": "within_target"}, ["L1", "L4"]),
    (Kind.RESPONSE, {"status": "breached"}, ["L2", "L6"]),
    (Kind.RESPONSE, {"status": "pending"}, ["L5"]),
    # half-hour bins, right-closed: L4 1.0 h in bin 2, L1 1.5 h in bin 3, L2 2.5 h in bin 5 (over the 2 h target)
    (Kind.HIST_BIN, {"bin_hours": 0.5, "max_bin": 17, "bin": 2, "part": "all"}, ["L4"]),
    (Kind.HIST_BIN, {"bin_hours": 0.5, "max_bin": 17, "bin": 3, "part": "within"}, ["L1"]),
    (Kind.HIST_BIN, {"bin_hours": 0.5, "max_bin": 17, "bin": 5, "part": "over"}, ["L2"]),
    (Kind.HIST_BIN, {"bin_hours": 0.5, "max_bin": 17, "bin": 5, "part": "within"}, []),
    (Kind.HIST_BIN, {"bin_hours": 0.5, "max_bin": 4, "bin": 4, "part": "all"}, ["L2"]),  # the overflow bar
    (Kind.RESPONSE_ROW, {"dim": "owner", "key": "Tanaka"}, ["L2", "L5", "L6"]),
    (Kind.RESPONSE_ROW, {"dim": "channel", "key": "phone"}, ["L1", "L4"]),
    (Kind.RESPONSE_ROW, {"dim": "channel", "key": None}, ["L5", "L6"]),  # never answered: the NULL group
    (Kind.FOLLOW_UP, {"part": "due"}, ["L1", "L2", "L4", "L6"]),  # 4 due (L5's window still open)
    (Kind.FOLLOW_UP, {"part": "compliant"}, ["L1"]),  # 1 compliant
    (Kind.ATTEMPTS, {"max_attempts": 6, "attempts": 1}, ["L2", "L4"]),
    (Kind.ATTEMPTS, {"max_attempts": 6, "attempts": 0}, ["L6"]),
    (Kind.ATTEMPTS, {"max_attempts": 2, "attempts": 2}, ["L1"]),  # "2+" holds L1's 3 attempts
    (Kind.CLOSED_LOOP, {"closed_stage": "rejected", "dim": "reason", "key": "no budget"}, ["L2"]),
    (Kind.CLOSED_LOOP, {"closed_stage": "rejected", "dim": "all"}, ["L2"]),
    (Kind.CLOSED_LOOP, {"closed_stage": "recycled", "dim": "all"}, []),
])
def test_worked_example_lists_by_hand(worked, kind, args, expected):
    con, period = worked
    assert ids(con, period, drill.number(kind, **args)) == expected


def test_worked_rows_carry_the_hand_figures(worked):
    con, period = worked
    rows = drill.listing(con, period, Filters(), drill.number(Kind.RESPONSE, status="all").encode())["rows"]
    by_id = {r["lead_id"]: r for r in rows.iter_rows(named=True)}
    # business hours to first response, exact (DOMAIN.md's worked example): 1.5, 2.5 (holidays), 1.0; none
    assert by_id["L1"]["response_hours"] == 1.5 and by_id["L2"]["response_hours"] == 2.5
    assert by_id["L4"]["response_hours"] == 1.0 and by_id["L6"]["response_hours"] is None
    assert by_id["L1"]["owner"] == "Sato" and by_id["L1"]["stage"] == "won" and by_id["L4"]["stage"] == "sql"
    assert by_id["L4"]["handoff_at"] == "2026-04-20 20:05" and by_id["L4"]["sal_at"] == "2026-04-28 11:00"
    assert by_id["L2"]["rejected_at"] == "2026-05-08 11:00" and by_id["L2"]["score"] == 65
    assert [by_id[k]["response"] for k in ("L1", "L2", "L5", "L6")] == ["within_target", "breached", "pending",
                                                                         "breached"]


def test_worked_filters_and_as_of_are_respected(worked):
    con, period = worked
    sato = Filters(owner=("r1",))
    assert ids(con, period, drill.number(Kind.FUNNEL, view="cohort", stage="mql"), sato) == ["L1", "L4"]
    assert ids(con, period, drill.number(Kind.RESPONSE, status="breached"), Filters(region=("kansai",))) == [
        "L2", "L6"]
    early = make_period(con, dt.date(2026, 4, 1), dt.date(2026, 7, 1), "2026-04-30T00:00:00+09:00")
    # judged on 04-30: L1 and L4 had reached sql, nobody had won yet except... L1 won 05-15: not yet
    assert ids(con, early, drill.number(Kind.FUNNEL, view="cohort", stage="won")) == []
    assert ids(con, early, drill.number(Kind.FUNNEL, view="cohort", stage="inquiry")) == ["L1", "L3", "L4"]


# ---------------------------------------------------------------- the demo: every number against its figure

@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from sla_review.ingest.demo import generate
    from sla_review.ingest.importer import import_dir

    root = tmp_path_factory.mktemp("drill-demo")
    generate(root / "files", leads=3000, seed=11)
    con = connect(root / "demo.duckdb")
    import_dir(con, root / "files", is_demo=True, source="demo")
    period = make_period(con, dt.date(2026, 4, 1), dt.date(2026, 10, 1))
    compare = make_period(con, dt.date(2025, 10, 1), dt.date(2026, 4, 1), period.as_of - dt.timedelta(days=182))
    yield con, period, compare
    con.close()


def total(con, period, filters, num: drill.Number) -> int:
    return drill.listing(con, period, filters, num.encode(), shown=0)["total"]


@pytest.mark.parametrize(("which", "filters"), [
    ("period", Filters()), ("compare", Filters()),
    ("period", Filters(region=("kanto", "kansai"), icp_tier=("A", "B"), team=("enterprise", "inside-sales-east")))])
def test_demo_every_kind_matches_its_figure(demo, which, filters):
    con, period, compare = demo
    p = period if which == "period" else compare
    checked = 0
    for view in ("cohort", "flow"):
        for row in bd.funnel(con, p, filters, view).iter_rows(named=True):
            assert total(con, p, filters, drill.number(Kind.FUNNEL, view=view, stage=row["stage"])) == row["count"]
            checked += 1
    by = bd.funnel_by(con, p, filters, "source")
    for row in by.iter_rows(named=True):
        for stage in ("leads", *LADDER):
            num = drill.number(Kind.FUNNEL_SEGMENT, segment="source", value=row["segment"], stage=stage)
            assert total(con, p, filters, num) == row[stage]
            checked += 1
    rep = bd.report(con, p, filters)
    cohort = drill.number(Kind.MQL_COHORT, part="all")
    assert total(con, p, filters, cohort) == rep["mql_count"] == rep["mql_to_sql"]["cohort"]
    assert total(con, p, filters, drill.number(Kind.MQL_COHORT, part="converted")) == rep["mql_to_sql"]["converted"]
    for row in bd.mql_cohorts(con, p, filters).iter_rows(named=True):
        assert total(con, p, filters, drill.number(Kind.COHORT_MONTH, month=row["month"])) == row["mqls"]
    for segment in ("campaign", "owner"):
        for row in bd.conversion_by(con, p, filters, segment).iter_rows(named=True):
            num = drill.number(Kind.CONVERSION_SEGMENT, segment=segment, value=row["segment"])
            assert total(con, p, filters, num) == row["mqls"]
            checked += 1
    r, f = rep["response"], rep["follow_up"]
    for status, expected in (("all", r["handoffs"]), ("judged", r["within_target"] + r["breached"]),
                             ("within_target", r["within_target"]), ("breached", r["breached"]),
                             ("pending", r["pending"])):
        assert total(con, p, filters, drill.number(Kind.RESPONSE, status=status)) == expected
    assert total(con, p, filters, drill.number(Kind.FOLLOW_UP, part="due")) == f["due"]
    assert total(con, p, filters, drill.number(Kind.FOLLOW_UP, part="compliant")) == f["compliant"]
    hist = bd.response_hist(con, p, filters, 0.5, 8.0)
    for row in hist.iter_rows(named=True):
        for part, expected in (("within", row["within_target"]), ("over", row["handoffs"] - row["within_target"])):
            num = drill.number(Kind.HIST_BIN, bin_hours=0.5, max_bin=drill.max_bin(0.5, 8.0), bin=row["bin"],
                               part=part)
            assert total(con, p, filters, num) == expected
            checked += 1
    for dim in bd.RESPONSE_DIMS:
        for row in bd.response_by(con, p, filters, dim).iter_rows(named=True):
            assert total(con, p, filters, drill.number(Kind.RESPONSE_ROW, dim=dim, key=row["key"])) == row["handoffs"]
            checked += 1
    for row in bd.followup_attempts(con, p, filters, 6).iter_rows(named=True):
        num = drill.number(Kind.ATTEMPTS, max_attempts=6, attempts=row["attempts"])
        assert total(con, p, filters, num) == row["handoffs"]
    for dim in bd.CLOSED_LOOP_DIMS:
        frame = bd.closed_loop_by(con, p, filters, dim)
        for row in frame.iter_rows(named=True):
            num = drill.number(Kind.CLOSED_LOOP, closed_stage=row["stage"], dim=dim, key=row["key"])
            assert total(con, p, filters, num) == row["count"]
            checked += 1
        for stage in bd.CLOSED_LOOP_STAGES:
            num = drill.number(Kind.CLOSED_LOOP, closed_stage=stage, dim="all")
            assert total(con, p, filters, num) == int(frame.filter(pl.col("stage") == stage)["count"].sum())
    assert total(con, p, filters, drill.number(Kind.CLOSED_LOOP, closed_stage="rejected", dim="reason",
                                                key="(no such reason)")) == 0
    assert checked > 60  # the demo has data in every figure above, so this compared real counts


def test_demo_tiles_match_the_scorecard(demo):
    from sla_review.metrics import scorecard as sc

    con, period, _ = demo
    data = sc.scorecard_data(con, period, Filters())
    tiles = {t.key: t for t in sc.tiles(data, None, None, sc.Guides())}
    assert total(con, period, Filters(), drill.TILES["mql_volume"]) == tiles["mql_volume"].extra["count"]
    assert total(con, period, Filters(), drill.TILES["mql_to_sql"]) == tiles["mql_to_sql"].cases
    assert total(con, period, Filters(), drill.TILES["response"]) == tiles["response"].cases
    assert total(con, period, Filters(), drill.TILES["follow_up"]) == tiles["follow_up"].cases
    assert total(con, period, Filters(), drill.TILES["rejection"]) == tiles["rejection"].extra["rejected"]


def test_demo_shown_rows_are_capped_but_counted(demo):
    con, period, _ = demo
    num = drill.number(Kind.FUNNEL, view="cohort", stage="inquiry").encode()
    out = drill.listing(con, period, Filters(), num, shown=25)
    full = drill.leads(con, period, Filters(), num)
    assert out["rows"].height == 25 and out["total"] == full.height > 25
    assert full["lead_id"].n_unique() == full.height  # one row per lead
    assert out["rows"]["lead_id"].to_list() == full["lead_id"].head(25).to_list()


# ---------------------------------------------------------------- the URL form

def test_round_trip_every_kind():
    examples = [drill.number(Kind.FUNNEL, "compare", view="flow", stage="sal"),
                drill.number(Kind.FUNNEL_SEGMENT, segment="campaign", value="a;b=c%d&e f/日本", stage="won"),
                drill.number(Kind.COHORT_MONTH, month="2026-05"),
                drill.number(Kind.CONVERSION_SEGMENT, segment="owner", value="=HYPERLINK(\"x\")"),
                drill.number(Kind.HIST_BIN, bin_hours=0.25, max_bin=33, bin=0, part="over"),
                drill.number(Kind.RESPONSE_ROW, dim="channel", key=None),
                drill.number(Kind.ATTEMPTS, max_attempts=6, attempts=6),
                drill.number(Kind.CLOSED_LOOP, closed_stage="recycled", dim="band", key="090"),
                *drill.TILES.values()]
    assert {n.kind for n in examples} == set(Kind)
    for num in examples:
        assert drill.decode(num.encode()) == num
    assert drill.number(Kind.FUNNEL, view="cohort", stage="mql").encode() == "funnel:view=cohort;stage=mql"


@pytest.mark.parametrize(("text", "what", "name"), [
    ("nonsense", "kind", "kind"),
    ("funnel:view=cohort;stage=mql' OR 1=1 --", "value", "stage"),
    ("funnel:view=cohort", "missing", "stage"),
    ("funnel:view=cohort;stage=mql;column=company", "name", "column"),
    ("funnel:view=cohort;stage=mql;stage=sql", "name", "stage"),
    ("funnel:view=cohort;stage", "name", "stage"),
    ("hist_bin:bin_hours=-1;max_bin=17;bin=2;part=all", "value", "bin_hours"),
    ("hist_bin:bin_hours=0.5;max_bin=17;bin=x;part=all", "value", "bin"),
    ("cohort_month:month=2026-13", "value", "month"),
    ("funnel:view=cohort;stage=mql;period=yesterday", "value", "period"),
    ("response_row:dim=company;key=x", "value", "dim"),
    ("x" * 3000, "kind", "kind"),
])
def test_crafted_links_are_refused_with_a_reason(text, what, name):
    with pytest.raises(drill.DrillError) as err:
        drill.decode(text)
    assert (err.value.what, err.value.name) == (what, name)


def test_points_map_back_to_their_rows():
    cur = pl.DataFrame({"stage": list(LADDER), "count": [6, 5, 2, 2, 1, 1]})
    assert drill.funnel_point({"curve_number": 1, "point_index": 2}, cur, "cohort", True) == drill.number(
        Kind.FUNNEL, view="cohort", stage="sal")
    assert drill.funnel_point({"curve_number": 0, "point_index": 1}, cur, "flow", True).period == "compare"
    assert drill.funnel_point({"curve_number": 0, "point_index": 9}, cur, "flow", False) is None
    hist = pl.DataFrame({"bin": [2, 3, 5]})
    assert drill.hist_point({"curve_number": 1, "point_index": 2}, hist, 0.5, 8.0) == drill.number(
        Kind.HIST_BIN, bin_hours=0.5, max_bin=17, bin=5, part="over")
    assert drill.hist_point({"curve_number": 2, "point_index": 0}, hist, 0.5, 8.0) is None  # a target line
    loop = pl.DataFrame({"stage": ["rejected", "recycled"], "key": ["<b>x</b>", "(none)"],
                         "label": ["<b>x</b>", "(none)"], "count": [3, 1]})
    assert drill.closed_loop_point({"curve_number": 0, "point_index": 0, "y": "&lt;b&gt;x&lt;/b&gt;"}, loop, "en",
                                   "source") == drill.number(Kind.CLOSED_LOOP, closed_stage="rejected",
                                                             dim="source", key="<b>x</b>")
    assert drill.closed_loop_point({"curve_number": 2, "point_index": 0, "y": "(none)"}, loop, "en", "source") is None
    cohorts = pl.DataFrame({"month": ["2026-04", "2026-05"], "mqls": [3, 0]})
    from sla_review.present import i18n

    april = i18n.month_labels(["2026-04"], "ja")[0]
    assert drill.cohort_point({"curve_number": 0, "point_index": 0, "x": april, "y": 0.3}, cohorts, "ja") == \
        drill.number(Kind.COHORT_MONTH, month="2026-04")


def test_demo_count_and_rows_come_from_one_pass(demo):
    """The heading's count rides on the rows (counted before the cut): it must hold with no row drawn, with no
    row at all, and the CSV's frame must carry the same columns as the table's, without the count."""
    con, period, _ = demo
    num = drill.number(Kind.RESPONSE, status="judged").encode()
    full = drill.leads(con, period, Filters(), num)
    counted = drill.listing(con, period, Filters(), num, shown=0)
    assert counted["total"] == full.height > 1 and counted["rows"].height == 0
    one = drill.listing(con, period, Filters(), num, shown=1)
    assert one["total"] == full.height and one["rows"]["lead_id"].to_list() == full["lead_id"].head(1).to_list()
    assert one["rows"].columns == full.columns and "total" not in full.columns
    none = drill.listing(con, period, Filters(), drill.number(Kind.CLOSED_LOOP, closed_stage="rejected",
                                                              dim="reason", key="(no such reason)").encode())
    assert none["total"] == 0 and none["rows"].height == 0 and none["rows"].columns == full.columns
