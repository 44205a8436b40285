"""Each metric uses the SLA version in force, as DOMAIN.md says (hand-worked on the worked example)."""

from __future__ import annotations

import datetime as dt

import pytest

from sla_review.core.terms import ConfigError, in_force, parse_sla
from sla_review.ingest.importer import import_dir
from sla_review.metrics.report import build_report, make_period
from sla_review.store.db import connect

V2 = """
[[versions]]
name = "v2"
effective_from = "2026-05-01"
mql_threshold = 60
fit_weight = 1.0
engagement_weight = 0.0
handoff_stage = "mql"
response_target_hours = 4
monthly_mql_commitment = 1
min_attempts = 1
attempt_window_business_days = 5
mql_to_sql_target = 0.5
"""


@pytest.fixture
def two_versions(worked_dir, tmp_path):
    with (worked_dir / "sla.toml").open("a") as f:
        f.write(V2)
    con = connect(tmp_path / "v.duckdb")
    import_dir(con, worked_dir)
    period = make_period(con, dt.date(2026, 4, 1), dt.date(2026, 7, 1), "2026-06-30T10:00:00+09:00")
    return con, build_report(con, period, [65, 70])


def test_score_uses_weights_in_force_at_created_at(two_versions):
    con, _ = two_versions
    scores = dict(con.execute("SELECT lead_id, score FROM lead_facts").fetchall())
    # v1 (0.5/0.5) before May 1 local; v2 (fit only) from May 1 00:00 JST
    assert scores == {"L1": 75.0, "L2": 70.0, "L3": 45.0, "L4": 65.0, "L5": 70.0, "L6": 60.0}


def test_what_if_follows_the_scores(two_versions):
    _, report = two_versions
    assert [(w["threshold"], w["volume"], w["reached_sql"]) for w in report["what_if"]] == [(65, 4, 2), (70, 3, 1)]


def test_handoff_judged_by_version_in_force_at_handoff(two_versions):
    _, report = two_versions
    r = report["response"]
    # L2 (handoff May 1, v2: 4 h target) took 2.5 h: within target now; L5 pending; L6 breached.
    assert (r["within_target"], r["breached"], r["pending"]) == (3, 1, 1)
    assert r["attainment"] == pytest.approx(0.75)


def test_follow_up_uses_min_attempts_in_force(two_versions):
    _, report = two_versions
    # due: L1, L2, L4, L6. L1 has 3 attempts (v1 needs 3); L2 has 1 (v2 needs 1); L4 1 of 3; L6 none.
    assert {k: report["follow_up"][k] for k in ("due", "compliant", "rate")} == {"due": 4, "compliant": 2, "rate": 0.5}


def test_month_commitment_is_the_version_in_force_on_its_first_day(two_versions):
    _, report = two_versions
    assert report["mql_monthly"] == [
        {"month": "2026-04", "count": 2, "commitment": 3, "met": False},
        {"month": "2026-05", "count": 1, "commitment": 1, "met": True},
        {"month": "2026-06", "count": 2, "commitment": 1, "met": True},
    ]


def test_partial_months_count_only_mqls_inside_the_period(worked_db):
    import duckdb

    con = duckdb.connect(str(worked_db), read_only=True)
    period = make_period(con, dt.date(2026, 4, 10), dt.date(2026, 6, 15), "2026-06-30T10:00:00+09:00")
    monthly = build_report(con, period)["mql_monthly"]
    # L1's MQL (04-06) is before the period; L4 (04-20) in; L2 in May; L6 (06-10) in, L5 (06-29) after.
    assert [(m["month"], m["count"]) for m in monthly] == [("2026-04", 1), ("2026-05", 1), ("2026-06", 1)]


def test_versions_are_sorted_and_dates_unique():
    base = "[[versions]]\nname='b'\neffective_from='2026-05-01'\n[[versions]]\nname='a'\neffective_from='2026-01-01'\n"
    config = parse_sla(base)
    assert [v.name for v in config.versions] == ["a", "b"]
    assert in_force(config.versions, dt.date(2026, 4, 30)).name == "a"
    assert in_force(config.versions, dt.date(2026, 5, 1)).name == "b"
    assert in_force(config.versions, dt.date(2025, 1, 1)).name == "a"  # the first also covers the time before
    with pytest.raises(ConfigError, match="share an effective_from"):
        parse_sla(base.replace("2026-01-01", "2026-05-01"))
    with pytest.raises(ConfigError, match="at least one"):
        parse_sla("[calendar]\ntimezone='Asia/Tokyo'\n")


# ---- KEY=VALUE clauses of a proposal (core.terms.with_clauses): the one validator, en and ja

def _base():
    from sla_review.core.terms import SlaVersion, Tier

    return SlaVersion("v1", dt.date(2026, 1, 1), tiers=(Tier("A", (("icp_tier", ("A",)),), 1.0),))


def test_clauses_set_every_kind_of_value():
    from sla_review.core.terms import version_from_toml, version_toml, with_clauses

    v = with_clauses(_base(), ["response_target_hours=4", "handoff_stage=sal", "effective_from=2026-10-01",
                               "name=v2 draft", "tiers.A.min_attempts=2", "tiers.A.response_target_hours=none"])
    assert (v.response_target_hours, v.handoff_stage, v.effective_from, v.name) == (
        4.0, "sal", dt.date(2026, 10, 1), "v2 draft")
    assert (v.tiers[0].min_attempts, v.tiers[0].response_target_hours) == (2, None)
    assert version_from_toml(version_toml(v)) == v


@pytest.mark.parametrize("setting, rule", [
    ("response_target_hours", "set_form"),
    ("colour=blue", "set_key"),
    ("tiers.B.response_target_hours=1", "set_tier"),
    ("tiers.A.colour=1", "set_tier"),
    ("response_target_hours=-1", "range"),
    ("handoff_stage=demo", "stage"),
    ("min_attempts=2.5", "whole"),
])
def test_clauses_are_refused_with_the_validators_words(setting, rule):
    from sla_review.core.terms import ConfigError, with_clauses

    with pytest.raises(ConfigError) as err:
        with_clauses(_base(), [setting])
    assert err.value.rule == rule
    assert err.value.text("ja") != err.value.text("en")


def test_a_tier_name_with_an_equals_sign_can_be_set():
    import dataclasses

    from sla_review.core.terms import Tier, with_clauses

    v = dataclasses.replace(_base(), tiers=(Tier("A=1", (("icp_tier", ("A",)),), 1.0),))
    assert with_clauses(v, ["tiers.A=1.response_target_hours=3"]).tiers[0].response_target_hours == 3.0
    assert with_clauses(v, ["name=v=2"]).name == "v=2"
