"""On generated data nobody hand-checked, the report's internal identities must still hold."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from sla_review.core.terms import DEFAULT_TIER
from sla_review.devtools.bench import default_period
from sla_review.ingest.demo import generate
from sla_review.ingest.importer import import_dir
from sla_review.metrics.report import build_report, make_period
from sla_review.store.db import connect


@pytest.fixture(scope="module")
def demo_files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo")
    generate(folder / "files", leads=8_000, seed=3)
    return folder / "files"


@pytest.fixture(scope="module")
def demo(demo_files):
    con = connect(demo_files.parent / "demo.duckdb")
    import_dir(con, demo_files, is_demo=True)
    return con


def test_identities(demo):
    period = make_period(demo, dt.date(2025, 10, 1), dt.date(2026, 10, 1))
    r = build_report(demo, period, [0, 50, 60, 70, 101])
    funnel = [s["count"] for s in r["funnel_cohort"]]
    assert funnel == sorted(funnel, reverse=True) and funnel[0] > 0
    resp = r["response"]
    assert resp["within_target"] + resp["breached"] + resp["pending"] == resp["handoffs"] > 0
    assert resp["within_target"] <= resp["responded"] <= resp["handoffs"]
    assert resp["median_business_hours"] <= resp["p90_business_hours"]
    assert sum(m["count"] for m in r["mql_monthly"]) == r["mql_count"] == r["mql_to_sql"]["cohort"]
    assert len(r["mql_monthly"]) == 12
    assert 0 <= r["follow_up"]["compliant"] <= r["follow_up"]["due"] <= resp["handoffs"]
    volumes = [w["volume"] for w in r["what_if"]]
    assert volumes == sorted(volumes, reverse=True)
    assert volumes[0] == funnel[0]            # threshold 0 keeps every lead created in the period
    assert volumes[-1] == 0                   # nobody scores above 100


def test_demo_is_flagged_and_response_hours_are_never_negative(demo):
    assert demo.execute("SELECT is_demo FROM imports ORDER BY import_id DESC LIMIT 1").fetchall() == [(True,)]
    low = demo.execute("SELECT min(response_business_hours) FROM lead_facts").fetchall()[0][0]
    assert low >= 0
    # activities before the handoff exist in the demo and must not count as the first response
    early = demo.execute("""SELECT count(*) FROM lead_facts f JOIN activities a USING (lead_id)
                            WHERE a.occurred_at < f.handoff_at""").fetchall()[0][0]
    assert early > 0
    assert demo.execute("SELECT count(*) FROM lead_facts WHERE first_response_at < handoff_at").fetchall() == [(0,)]


# The demo's SLA (sla_review/ingest/demo.py sla_config): in the pages' default period, April-September 2026,
# only v2 is in force, so each tier's target is v2's: tier-A contact requests 1 h, other tier A 2 h, other
# contact requests 2 h, the rest 4 h.
V2_TIERS = [("Tier A contact requests", [1]), ("Tier A accounts", [2]), ("Contact requests", [2]),
            (DEFAULT_TIER, [4])]


def test_every_tier_has_handoffs_in_the_default_period_and_something_to_discuss(demo):
    period = default_period(demo)
    assert (period.from_day, period.to_day) == (dt.date(2026, 4, 1), dt.date(2026, 10, 1))
    r = build_report(demo, period, [0, 60, 101])
    tiers = r["response_by_tier"]
    assert [(t["tier"], t["target_hours"]) for t in tiers] == V2_TIERS
    for t in tiers:
        assert t["handoffs"] > 0, t
        assert t["within_target"] + t["breached"] + t["pending"] == t["handoffs"]
        assert 0 < t["attainment"] < 1, t  # neither a wall of green nor a collapse
    assert sum(t["handoffs"] for t in tiers) == r["response"]["handoffs"]
    assert sum(t["within_target"] for t in tiers) == r["response"]["within_target"]
    assert 0.6 < r["response"]["attainment"] < 0.95


def test_each_handoff_has_its_owner_calendar_and_first_matching_tier(demo, demo_files):
    """lead_facts' calendar and tier against the same rules applied in polars to the raw demo files: the owner's
    team's calendar (enterprise -> singapore), and the first tier of the version in force on the handoff's Tokyo
    date that the lead's source and icp_tier match."""
    leads = pl.read_parquet(demo_files / "leads.parquet")
    reps = pl.read_parquet(demo_files / "reps.parquet").rename({"rep_id": "owner_id"})
    facts = demo.sql("SELECT lead_id, handoff_at, calendar, tier FROM lead_facts WHERE handoff_at IS NOT NULL").pl()
    both = facts.join(leads, on="lead_id").join(reps, on="owner_id", how="left")
    v2 = pl.col("handoff_at").dt.convert_time_zone("Asia/Tokyo").dt.date() >= dt.date(2026, 4, 1)
    a, form = pl.col("icp_tier") == "A", pl.col("source") == "contact-form"
    expected = both.with_columns(
        pl.when(pl.col("team") == "enterprise").then(pl.lit("singapore")).otherwise(pl.lit("")).alias("want_cal"),
        pl.when(a & form).then(pl.lit("Tier A contact requests")).when(a).then(pl.lit("Tier A accounts"))
        .when(v2 & form).then(pl.lit("Contact requests")).otherwise(pl.lit(None)).alias("want_tier"))
    assert expected.height > 1000
    assert expected.filter(pl.col("calendar") != pl.col("want_cal")).height == 0
    assert expected.filter(~pl.col("tier").eq_missing(pl.col("want_tier"))).height == 0
    assert expected.filter(pl.col("calendar") == "singapore").height > 200  # the second calendar is used
    assert expected.filter(~v2 & form & ~a).height > 0  # v1's contact requests fall to the default


def test_the_replay_of_the_terms_in_force_is_the_report(demo):
    """Tiers, the lunch break and the Singapore team calendar included: April-September 2026 is all v2."""
    from sla_review.metrics import proposals

    period = make_period(demo, dt.date(2026, 4, 1), dt.date(2026, 10, 1))
    rep = build_report(demo, period)
    r = proposals.replay(demo, period, None, proposals.current_version(demo, period))
    assert r.version.name == "v2" and r.version.tiers
    keys = ("handoffs", "responded", "within_target", "breached", "pending", "attainment", "median_business_hours",
            "p90_business_hours")
    assert {k: r.response[k] for k in keys} == {k: rep["response"][k] for k in keys}
    assert (r.follow_up["due"], r.follow_up["compliant"]) == (rep["follow_up"]["due"], rep["follow_up"]["compliant"])
    mine = {t["tier"]: (t["handoffs"], t["within_target"], t["breached"]) for t in r.by_tier}
    theirs = {t["tier"]: (t["handoffs"], t["within_target"], t["breached"]) for t in rep["response_by_tier"]
              if t["tier"] in mine}
    assert mine == theirs and sum(h for h, _, _ in mine.values()) == rep["response"]["handoffs"]
    assert sum(b["handoffs"] for b in r.load) <= r.response["handoffs"]  # owned handoffs only


def test_monthly_estimates_add_up_to_the_periods(demo):
    """A lower threshold reaches never-worked leads: each month's estimate (the what-if model on that month's
    leads) must add up to the what-if's estimate for the whole period, and the months' volumes to its volume."""
    from sla_review.core.terms import with_clauses
    from sla_review.metrics import proposals

    period = make_period(demo, dt.date(2026, 4, 1), dt.date(2026, 10, 1))
    low = with_clauses(proposals.current_version(demo, period), ["mql_threshold=50"])
    r = proposals.replay(demo, period, None, low)
    assert r.volume["is_estimate"] and all(m["sql_is_estimate"] for m in r.monthly if m["mqls"])
    assert sum(m["mqls"] for m in r.monthly) == r.volume["volume"]
    expected = sum(m["sql_rate"] * m["mqls"] for m in r.monthly if m["mqls"])
    assert expected == pytest.approx(r.volume["sql_rate"] * r.volume["volume"], rel=1e-9)
    assert all(m["sql_rate_ci95"][0] <= m["sql_rate"] <= m["sql_rate_ci95"][1] for m in r.monthly if m["mqls"])
    # the load scales today's handoffs per rep-week by the growth of the MQL set
    today = proposals.replay(demo, period, None, proposals.current_version(demo, period))
    assert r.volume_ratio == pytest.approx(r.volume["volume"] / today.volume["volume"]) and r.volume_ratio > 1
    assert r.per_rep_week == pytest.approx(today.per_rep_week * r.volume_ratio)
