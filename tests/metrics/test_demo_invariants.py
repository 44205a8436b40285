"""On generated data nobody hand-checked, the report's internal identities must still hold."""

from __future__ import annotations

import datetime as dt

import pytest

from sla_review.ingest.demo import generate
from sla_review.ingest.importer import import_dir
from sla_review.metrics.report import build_report, make_period
from sla_review.store.db import connect


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo")
    generate(folder / "files", leads=8_000, seed=3)
    con = connect(folder / "demo.duckdb")
    import_dir(con, folder / "files", is_demo=True)
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
