"""The terms in force for a period (core.terms), per-version colouring of the response and follow-up charts,
and stage velocity over leads that entered both stages. Every figure is worked out by hand on the worked
example (DOMAIN.md), with a second version from June 1 whose targets differ:
v1: response 2 h, 3 attempts; v2 (from 2026-06-01): response 4 h, 1 attempt.
"""

from __future__ import annotations

import datetime as dt

import pytest

from sla_review.core.terms import for_period, judged_day, period_terms, spans_text
from sla_review.core.vocabulary import Filters
from sla_review.ingest.importer import import_dir
from sla_review.metrics import breakdowns as bd
from sla_review.metrics.report import build_report, make_period
from sla_review.present import charts
from sla_review.store.db import connect

V2 = """
[[versions]]
name = "v2"
effective_from = "2026-06-01"
mql_threshold = 60
fit_weight = 0.5
engagement_weight = 0.5
handoff_stage = "mql"
response_target_hours = 4
monthly_mql_commitment = 3
min_attempts = 1
attempt_window_business_days = 5
mql_to_sql_target = 0.3
"""
AS_OF = "2026-06-30T10:00:00+09:00"


@pytest.fixture
def con(worked_dir, tmp_path):
    with (worked_dir / "sla.toml").open("a") as f:
        f.write(V2)
    db = connect(tmp_path / "terms.duckdb")
    import_dir(db, worked_dir)
    yield db
    db.close()


def period(con, start=dt.date(2026, 4, 1), end=dt.date(2026, 7, 1), as_of=AS_OF):
    return make_period(con, start, end, as_of)


def test_terms_shown_are_those_in_force_on_the_last_judged_day(con):
    terms = period_terms(con, period(con))
    assert judged_day(period(con)) == dt.date(2026, 6, 30)
    assert terms.version.name == "v2" and terms.several
    assert [(a.version.name, a.first_day, a.last_day) for a in terms.applied] == [
        ("v1", dt.date(2026, 4, 1), dt.date(2026, 5, 31)), ("v2", dt.date(2026, 6, 1), dt.date(2026, 6, 30))]
    assert terms.values("response_target_hours") == [2.0, 4.0] and terms.differs("min_attempts")
    assert not terms.differs("mql_threshold")
    text = spans_text(terms, dt.date.isoformat, "{name} until {last}", "{name} from {first}", "{name} {first}–{last}")
    assert text == "v1 until 2026-05-31, v2 from 2026-06-01"


def test_as_of_before_the_new_version_keeps_the_old_one(con):
    # judged on May 15: v2 has not applied to anything yet, so it is neither shown nor listed
    terms = period_terms(con, period(con, as_of="2026-05-15T12:00:00+09:00"))
    assert terms.version.name == "v1" and [a.version.name for a in terms.applied] == ["v1"]
    # a period that ends before June: its last day (May 31) is under v1, whatever as_of says
    terms = period_terms(con, period(con, end=dt.date(2026, 6, 1)))
    assert terms.version.name == "v1" and not terms.several
    # judged before the period starts: the first day's version (never a day outside the period)
    early = period(con, start=dt.date(2026, 6, 1), as_of="2026-05-01T00:00:00+09:00")
    assert judged_day(early) == dt.date(2026, 6, 1) and period_terms(con, early).version.name == "v2"


def test_deck_cli_and_pages_share_the_rule(con):
    from sla_review.ingest.importer import stored_config

    p = period(con)
    assert for_period(stored_config(con).versions, p) == period_terms(con, p)


def test_histogram_colours_each_handoff_by_its_own_target(con):
    p = period(con)
    hist = bd.response_hist(con, p, Filters(), bin_hours=0.5, max_hours=8.0)
    # answered by as_of: L4 1.0 h (bin 2, v1: within 2 h), L1 1.5 h (bin 3, within), L2 2.5 h (bin 5): L2's
    # handoff (May 1) is under v1, so 2.5 h is OVER its 2 h target, although v2's 4 h would call it within.
    assert hist.select("bin", "handoffs", "within_target").rows() == [(2, 1, 1), (3, 1, 1), (5, 1, 0)]
    report = build_report(con, p)["response"]
    # L5 (June 29, v2) has 1.5 business hours elapsed < 4 h: pending; L6 (June 10, v2) unanswered: breached
    assert (report["within_target"], report["breached"], report["pending"]) == (2, 2, 1)
    fig = charts.response_hist(hist, "en", [("v1", 2.0), ("v2", 4.0)], 0.5, 8.0)
    within, over = fig.data
    assert list(within.y) == [1, 1, 0] and list(over.y) == [0, 0, 1]
    assert sorted(s.x0 for s in fig.layout.shapes) == [2.0, 4.0]  # one target line per version
    assert sorted(a.text for a in fig.layout.annotations) == ["v1: Target 2.0\u00a0h", "v2: Target 4.0\u00a0h"]
    same = charts.response_hist(hist, "en", [("v1", 2.0), ("v1b", 2.0)], 0.5, 8.0)
    assert [a.text for a in same.layout.annotations] == ["Target 2.0\u00a0h"]  # one line when the targets agree


def test_follow_up_chart_counts_each_handoff_against_its_own_minimum(con):
    p = period(con)
    frame = bd.followup_attempts(con, p, Filters(), max_attempts=6)
    # due: L6 (v2, 0 attempts, needs 1), L2 and L4 (v1, 1 attempt each, need 3), L1 (v1, 3 attempts, needs 3)
    assert frame.rows() == [(0, 1, 0), (1, 2, 0), (3, 1, 1)]
    follow = build_report(con, p)["follow_up"]
    assert {k: follow[k] for k in ("due", "compliant", "rate")} == {"due": 4, "compliant": 1, "rate": 0.25}
    fig = charts.followup_attempts(frame, "en", [("v1", 3), ("v2", 1)], 6)
    assert "v1 3, v2 1" in fig.data[1].name


def test_stage_velocity_only_over_leads_that_entered_both_stages(worked_db):
    import duckdb

    db = duckdb.connect(str(worked_db))
    days = bd.stage_days(db, period(db), Filters())
    rows = {r["from_stage"]: r for r in days.iter_rows(named=True)}
    # inquiry→mql: L1 1 h, L2 1 h, L4 5 min (L5, L6 have no inquiry); median 1 h, p90 at rank 1.8 = 1 h
    assert rows["inquiry"]["leads"] == 3
    assert rows["inquiry"]["median_days"] == pytest.approx(1 / 24)
    assert rows["inquiry"]["p90_days"] == pytest.approx(1 / 24)
    # L4 skipped sal: it is in neither mql→sal nor sal→sql (reached_at would have given it 7.6 and 0 days)
    assert rows["mql"]["leads"] == 1 and rows["mql"]["median_days"] == pytest.approx(1 / 24)
    assert rows["sal"]["leads"] == 1 and rows["sal"]["median_days"] == pytest.approx(4 + 3 / 24)
    assert rows["sql"]["leads"] == 1 and rows["sql"]["median_days"] == pytest.approx(9 + 19 / 24)
    assert rows["opportunity"]["leads"] == 1 and rows["opportunity"]["median_days"] == pytest.approx(25)
    db.close()
