"""Response by tier on every surface (issue 13): for the same view the response page's "by tier" table
(AppTest), the lines under the scorecard's attainment tile, the report's response_by_tier, the deck's response
slide and the CLI summary give the same tiers, targets, counts and attainment words, and those figures are the
ones worked out by hand below. Without tiers none of them shows a tier breakdown.

The fixture: one version (default target 2 h) with three tiers, a lunch break on the Tokyo calendar and a New
York calendar for the team "SDR Americas".
- "Tier A demo requests from enterprise accounts in EMEA" (source "demo request", 1 h): 25 handoffs Mon Apr 6
  10:00 JST; 20 answered 10:30 (0.5 h, within), 5 answered 13:30 (10:00-12:00 + 13:00-13:30 = 2.5 h, breached).
  20 of 25 = 80%; Wilson 95% by hand (z = 1.96, z^2/n = 0.153664): centre (0.8 + 0.076832) / 1.153664 = 0.76005,
  half 1.96 * sqrt(0.16/25 + 3.8416/2500) / 1.153664 = 0.15135 -> [60.9%, 91.1%].
- "Tier B" (icp_tier B, 4 h): 3 handoffs Tue Apr 7 09:00; 2 answered 12:30 (3.0 h, within), 1 never answered
  (as_of, the latest timestamp, is Fri Apr 10 17:00: 3 days and 8 h elapsed, breached). 2 of 3: too few to judge.
- "Partners" (source partner, 8 h): no handoffs: no data, no 0%.
- no tier (webinar, icp C, owner in "SDR Americas"): 2 handoffs Fri Mar 6 17:00 EST answered Mon Mar 9 09:30 EDT
  = 1.5 h on New York's calendar (Tokyo's would give 8 h), within 2 h. 2 of 2: too few to judge.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zoneinfo

import polars as pl
import pytest
from pptx import Presentation

from sla_review.core.terms import DEFAULT_TIER
from sla_review.export import deck as export
from sla_review.ingest.importer import import_sources
from sla_review.metrics import scorecard as sc
from sla_review.metrics.report import build_report, format_summary, make_period
from sla_review.present import i18n, safe
from sla_review.store.db import connect
from tests.app.conftest import app, goto, no_exception

LONG = "Tier A demo requests from enterprise accounts in EMEA"
SLA = f"""
[calendar]
timezone = "Asia/Tokyo"
day_start = "09:00"
day_end = "18:00"
breaks = [["12:00", "13:00"]]
holiday_country = "JP"

[calendars.us]
timezone = "America/New_York"
day_start = "08:30"
day_end = "17:30"
holiday_country = "US"

[teams]
"SDR Americas" = "us"

[[versions]]
name = "v1"
effective_from = "2026-01-01"
mql_threshold = 50
response_target_hours = 2

[[versions.tiers]]
name = "{LONG}"
match = {{ source = ["demo request"] }}
response_target_hours = 1

[[versions.tiers]]
name = "Tier B"
match = {{ icp_tier = ["B"] }}
response_target_hours = 4

[[versions.tiers]]
name = "Partners"
match = {{ source = ["partner"] }}
response_target_hours = 8
"""
TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")
VIEW = {"p": "custom", "from": "2026-01-01", "to": "2026-07-01"}


def jst(*args: int) -> str:
    return dt.datetime(*args, tzinfo=TOKYO).isoformat()


def _frames() -> dict[str, pl.DataFrame]:
    # lead, source, icp_tier, owner, handoff, first response (None: never answered)
    leads = ([(f"A{i:02}", "demo request", "A", "R1", jst(2026, 4, 6, 10), jst(2026, 4, 6, 10, 30)) for i in range(20)]
             + [(f"A{i:02}", "demo request", "A", "R1", jst(2026, 4, 6, 10), jst(2026, 4, 6, 13, 30))
                for i in range(20, 25)]
             + [(f"B{i}", "webinar", "B", "R1", jst(2026, 4, 7, 9), jst(2026, 4, 7, 12, 30)) for i in range(2)]
             + [("B2", "webinar", "B", "R1", jst(2026, 4, 7, 9), None)]
             + [(f"C{i}", "webinar", "C", "R2", "2026-03-06T22:00:00Z", "2026-03-09T13:30:00Z") for i in range(2)])
    acts = [(i, o, r, "phone") for i, _, _, o, _, r in leads if r]
    acts.append(("A00", "R1", jst(2026, 4, 10, 17), "email"))  # the data's latest instant: as_of
    return {
        "leads": pl.DataFrame([(i, h, s, t, "80", "80", o) for i, s, t, o, h, _ in leads], orient="row",
                              schema=["lead_id", "created_at", "source", "icp_tier", "fit_score", "engagement_score",
                                      "owner_id"]),
        "stage_events": pl.DataFrame([(i, "mql", h) for i, _, _, _, h, _ in leads], orient="row",
                                     schema=["lead_id", "stage", "entered_at"]),
        "activities": pl.DataFrame(acts, orient="row", schema=["lead_id", "rep_id", "occurred_at", "channel"]),
        "reps": pl.DataFrame([("R1", "Aoki", "SDR Japan"), ("R2", "Baker", "SDR Americas")], orient="row",
                             schema=["rep_id", "name", "team"]),
    }


@pytest.fixture(scope="module")
def tiered_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("tier-surfaces") / "tiers.duckdb"
    con = connect(path)
    try:
        import_sources(con, _frames(), SLA)
    finally:
        con.close()
    return path


# (tier, target, handoffs, within, breached, pending), worked out above
COUNTS = [(LONG, 1.0, 25, 20, 5, 0), ("Tier B", 4.0, 3, 2, 1, 0), ("Partners", 8.0, 0, 0, 0, 0),
          (DEFAULT_TIER, 2.0, 2, 2, 0, 0)]
SHOWN = {"en": [("80.0% (95%: 60.9–91.1%)",), ("66.7%", "Too few to judge (3)"), ("—", "No data"),
                ("100.0%", "Too few to judge (2)")],
         "ja": [("80.0%（95%信頼区間: 60.9～91.1%）",), ("66.7%", "件数不足（3）"), ("—", "データなし"),
                ("100.0%", "件数不足（2）")]}


def _plain(text: str) -> str:
    """Rendered words without the no-break space and word joiners the formats glue figures with, and without
    the Markdown escapes (safe.markdown) a caption carries."""
    return re.sub(r"\\(.)", r"\1", text).replace("\u2060", "").replace("\u00a0", " ")


def _report_rows(db, lang: str) -> tuple[list[sc.TierText], dict]:
    con = connect(db)
    try:
        report = build_report(con, make_period(con, dt.date(2026, 1, 1), dt.date(2026, 7, 1)))
    finally:
        con.close()
    return sc.tier_texts(report["response_by_tier"], lang), report


def _slide_table(db, lang: str) -> tuple[list[list[str]], str]:
    con = connect(db)
    try:
        period = make_period(con, dt.date(2026, 1, 1), dt.date(2026, 7, 1))
        pptx = export.build_deck(con, period, export.comparison_for(con, period), lang, ["response"])
    finally:
        con.close()
    slide = Presentation(io.BytesIO(pptx)).slides[1]
    table = next(s.table for s in slide.shapes if s.has_table)
    return [[c.text for c in row.cells] for row in table.rows], slide.shapes.title.text


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_every_surface_shows_the_same_tiers(monkeypatch, tiered_db, lang):
    rows, report = _report_rows(tiered_db, lang)
    # the report, by hand
    assert [(r["tier"], r["target_hours"], r["handoffs"], r["within_target"], r["breached"], r["pending"])
            for r in report["response_by_tier"]] == [(n, [t], h, w, b, p) for n, t, h, w, b, p in COUNTS]
    r = report["response"]
    assert (r["handoffs"], r["within_target"], r["breached"], r["pending"]) == (30, 24, 6, 0)
    # worded once, with the honest states: judged, too few (its figure kept, marked), no data (no 0%)
    no_tier = "No tier (version's own terms)" if lang == "en" else "ティア外（バージョンの基準）"
    assert [x.tier for x in rows] == [LONG, "Tier B", "Partners", no_tier]
    assert [_plain(x.target) for x in rows] == (["1.0 h", "4.0 h", "8.0 h", "2.0 h"] if lang == "en"
                                                 else ["1.0時間", "4.0時間", "8.0時間", "2.0時間"])
    assert [x.status for x in rows] == ["judged", "too_few", "no_data", "too_few"]
    for x, expected in zip(rows, SHOWN[lang], strict=True):
        assert _plain(x.attainment).startswith(expected[0]) and x.state == (expected[1:] or (None,))[0]
    header = [i18n.t(lang, k) for k in sc.TIER_COLUMNS]
    expected_table = [[x.tier, x.target, *(i18n.fmt_int(n, lang) for n in (x.handoffs, x.within, x.breached,
                                                                           x.pending)), x.shown] for x in rows]

    # the response page's table: same headers, same rows
    at = goto(app(monkeypatch, tiered_db, lang=lang, **VIEW), "response")
    no_exception(at)
    table = at.table[0].value  # st.table renders Markdown: each cell is the same words, escaped
    assert list(table.columns) == [safe.markdown(h) for h in header]
    assert [list(row) for row in table.itertuples(index=False)] == \
        [[safe.markdown(c) for c in row] for row in expected_table]
    breaches = at.dataframe[-1].value  # the breaches table names each row's tier
    assert i18n.t(lang, "col_tier") in breaches.columns
    assert sorted(set(breaches[i18n.t(lang, "col_tier")])) == sorted({LONG, "Tier B"})

    # the scorecard: each tier's line under the attainment tile
    score = goto(at, "scorecard")
    no_exception(score)
    folded = [e for e in score.expander if e.label == i18n.t(lang, "sc_tiers")]
    assert len(folded) == 1  # in the response tile only
    assert [_plain(c.value) for c in folded[0].caption] == [
        _plain(i18n.t(lang, "tier_line", tier=x.tier, target=x.target, attainment=x.shown)) for x in rows]

    # the deck's response slide: the page's table, word for word
    cells, headline = _slide_table(tiered_db, lang)
    assert cells == [header, *expected_table]
    assert ("their tier's target" if lang == "en" else "ティアごとの目標") in headline

    # the CLI summary (its own words around the same figures)
    summary = _plain(format_summary(report, lang=lang)).splitlines()
    for x in rows:
        line = next(s for s in summary if s.startswith("  " + x.tier))
        assert _plain(x.target) in line and line.endswith(_plain(x.shown)), line


def test_without_tiers_no_surface_adds_a_tier_breakdown(monkeypatch, worked_db):
    """The worked example has no tiers: its one default row is the total, so nothing shows it."""
    from tests.app.conftest import WORKED_PERIOD

    at = goto(app(monkeypatch, worked_db, **WORKED_PERIOD), "response")
    no_exception(at)
    assert i18n.t("en", "rs_tiers") not in [s.value for s in at.subheader]
    assert not at.table and all(i18n.t("en", "col_tier") not in d.value.columns for d in at.dataframe)
    score = goto(at, "scorecard")
    assert i18n.t("en", "sc_tiers") not in [e.label for e in score.expander]
    con = connect(worked_db)
    try:
        report = build_report(con, make_period(con, dt.date(2026, 4, 1), dt.date(2026, 7, 1)))
    finally:
        con.close()
    assert "Response by tier" not in format_summary(report)


def test_breaches_csv_names_each_rows_tier(tiered_db):
    """The download carries the page's Tier column: 5 Tier A breaches (2.5 h > 1 h) and Tier B's unanswered one."""
    from sla_review.export.csv_export import breaches_csv
    from sla_review.metrics.breakdowns import breaches

    con = connect(tiered_db)
    try:
        period = make_period(con, dt.date(2026, 1, 1), dt.date(2026, 7, 1))
        frame = breaches(con, period, None)
        text = breaches_csv(con, period, None, {"lead_id": "Lead", "tier": "Tier", "target_hours": "Target (h)"},
                            "no response", i18n.tier_label(DEFAULT_TIER, "en")).decode("utf-8-sig")
    finally:
        con.close()
    assert sorted(zip(frame["tier"], frame["target_hours"], strict=True)) == [(LONG, 1.0)] * 5 + [("Tier B", 4.0)]
    lines = text.splitlines()
    assert lines[0] == "Lead,Tier,Target (h)"
    assert sorted(line.split(",", 1)[1] for line in lines[1:]) == [f"{LONG},1.0"] * 5 + ["Tier B,4.0"]
