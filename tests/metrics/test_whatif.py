"""sla_review.metrics.whatif: the grid method against hand counts and against what_if.sql, the model, the cache."""

from __future__ import annotations

import datetime as dt
import time

import numpy as np
import polars as pl
import pytest

from sla_review.core.terms import period_terms
from sla_review.core.vocabulary import Filters
from sla_review.ingest.importer import import_sources
from sla_review.metrics import whatif
from sla_review.metrics.report import build_report, make_period
from sla_review.store.db import connect

AS_OF = "2026-06-30T10:00:00+09:00"
FROM, TO = dt.date(2026, 4, 1), dt.date(2026, 7, 1)


def sla(threshold: float = 60, fit_weight: float = 0.5, engagement_weight: float = 0.5, extra: str = "") -> str:
    return f"""
[calendar]
timezone = "Asia/Tokyo"
holiday_country = "JP"

[[versions]]
name = "v1"
effective_from = "2026-01-01"
mql_threshold = {threshold}
fit_weight = {fit_weight}
engagement_weight = {engagement_weight}
monthly_mql_commitment = 3
mql_to_sql_target = 0.3
{extra}"""


def frames(leads: list[tuple], events: list[tuple]) -> dict[str, pl.DataFrame]:
    """Canonical frames from (id, created, fit, eng[, source]) and (id, stage, at) tuples (text, as in CSV)."""
    lead_rows = [(r[0], r[1], str(r[2]), str(r[3]), r[4] if len(r) > 4 else "web") for r in leads]
    return {
        "leads": pl.DataFrame(lead_rows, schema=["lead_id", "created_at", "fit_score", "engagement_score",
                                                 "source"], orient="row"),
        "stage_events": pl.DataFrame(events, schema=["lead_id", "stage", "entered_at"], orient="row"),
        "activities": pl.DataFrame([(leads[0][0], "R1", leads[0][1], "email")],
                                   schema=["lead_id", "rep_id", "occurred_at", "channel"], orient="row"),
    }


# id, created (+09:00), fit, eng -> score at 0.5/0.5; events. Hand counts in test_hand_counted_volumes.
TINY_LEADS = [
    ("A", "2026-04-06T10:00:00+09:00", 80, 70, "event"),   # 75, sql
    ("B", "2026-04-07T10:00:00+09:00", 70, 60, "event"),   # 65
    ("C", "2026-04-08T10:00:00+09:00", 40, 50),   # 45
    ("D", "2026-04-09T10:00:00+09:00", 90, 40),   # 65, sql
    ("E", "2026-05-11T10:00:00+09:00", 70, 70),   # 70
    ("F", "2026-05-12T10:00:00+09:00", 60, 80),   # 70
    ("G", "2026-05-13T10:00:00+09:00", 30, 30),   # 30
    ("H", "2026-05-14T10:00:00+09:00", 50, 60),   # 55, a hand-raiser: worked below the threshold, sql
    ("I", "2026-06-01T10:00:00+09:00", 100, 100),  # 100, sql
    ("J", "2026-06-02T10:00:00+09:00", 20, 10),   # 15
    ("M", "2026-04-10T10:00:00+09:00", 80, 80),   # 80, sql only after as_of: not reached
    ("K", "2026-03-10T10:00:00+09:00", 90, 90),   # before the period
    ("L", "2026-06-30T12:00:00+09:00", 90, 90),   # after as_of
]
TINY_EVENTS = [
    ("A", "mql", "2026-04-06T11:00:00+09:00"), ("A", "sql", "2026-04-10T15:00:00+09:00"),
    ("B", "mql", "2026-04-07T11:00:00+09:00"),
    ("C", "inquiry", "2026-04-08T10:00:00+09:00"),
    ("D", "mql", "2026-04-09T11:00:00+09:00"), ("D", "sql", "2026-04-20T11:00:00+09:00"),
    ("E", "mql", "2026-05-11T11:00:00+09:00"),
    ("F", "mql", "2026-05-12T11:00:00+09:00"),
    ("G", "inquiry", "2026-05-13T10:00:00+09:00"),
    ("H", "sal", "2026-05-14T11:00:00+09:00"), ("H", "sql", "2026-05-20T11:00:00+09:00"),
    ("I", "mql", "2026-06-01T11:00:00+09:00"), ("I", "sql", "2026-06-05T11:00:00+09:00"),
    ("J", "inquiry", "2026-06-02T10:00:00+09:00"),
    ("M", "mql", "2026-04-10T11:00:00+09:00"), ("M", "sql", "2026-06-30T15:00:00+09:00"),
    ("K", "mql", "2026-03-10T11:00:00+09:00"), ("K", "sql", "2026-03-20T11:00:00+09:00"),
    ("L", "mql", "2026-06-30T12:30:00+09:00"),
]


@pytest.fixture
def tiny(tmp_path):
    whatif.clear_cache()
    con = connect(tmp_path / "tiny.duckdb")
    import_sources(con, frames(TINY_LEADS, TINY_EVENTS), sla())
    yield con, make_period(con, FROM, TO, AS_OF)
    con.close()


def synthetic(n: int, seed: int, beta: tuple[float, float, float] = (-6.0, 4.0, 3.0), threshold: float = 60,
              fit_weight: float = 0.5, engagement_weight: float = 0.5, hand_raisers: float = 0.05):
    """Leads whose true SQL chance is logistic in (fit, eng)/100; only those scoring >= threshold (and a few
    hand-raisers) are handed over, and only handed-over leads can reach SQL -- as in a real funnel."""
    rng = np.random.default_rng(seed)
    fit = rng.integers(0, 101, n)
    eng = rng.integers(0, 101, n)
    score = fit_weight * fit.astype(float) + engagement_weight * eng.astype(float)
    p = 1 / (1 + np.exp(-(beta[0] + beta[1] * fit / 100 + beta[2] * eng / 100)))
    worked = (score >= threshold) | (rng.random(n) < hand_raisers)
    converts = worked & (rng.random(n) < p)
    days = rng.integers(0, 85, n)
    leads, events = [], []
    start = dt.datetime(2026, 4, 1, 10, tzinfo=dt.timezone(dt.timedelta(hours=9)))
    for i in range(n):
        created = start + dt.timedelta(days=int(days[i]))
        lid = f"S{i:06d}"
        leads.append((lid, created.isoformat(), int(fit[i]), int(eng[i]), "web" if i % 3 else "event"))
        events.append((lid, "inquiry", created.isoformat()))
        if worked[i]:
            events.append((lid, "mql", (created + dt.timedelta(hours=1)).isoformat()))
        if converts[i]:
            events.append((lid, "sql", (created + dt.timedelta(days=2)).isoformat()))
    truth = {"fit": fit, "eng": eng, "p": p, "score": score}
    return frames(leads, events), truth


def test_hand_counted_volumes(tiny):
    con, period = tiny
    curve = whatif.threshold_curve(con, period, Filters(), 0.5, 0.5)
    assert curve.height == 101 and curve["threshold"].to_list() == list(range(101))
    got = {r["threshold"]: (r["volume"], r["reached_sql"]) for r in curve.iter_rows(named=True)}
    # period leads A-J and M (K is before the period, L after as_of); reached SQL by as_of: A, D, H, I
    assert got[0] == (11, 4)
    assert got[50] == (8, 4)    # A B D E F H I M
    assert got[60] == (7, 3)    # A B D E F I M
    assert got[65] == (7, 3)    # >= is inclusive: B and D sit exactly on 65
    assert got[66] == (5, 2)    # A E F I M
    assert got[75] == (3, 2)    # A I M
    assert got[80] == (2, 1)    # I M
    assert got[100] == (1, 1)   # I
    row = curve.filter(pl.col("threshold") == 60).row(0, named=True)
    assert row["sql_rate"] == pytest.approx(3 / 7)
    assert row["months"] == pytest.approx(2 + 29 / 30 + 10 / 24 / 30)  # April, May, June up to 10:00 on the 30th
    assert row["mqls_per_month"] == pytest.approx(7 / row["months"])
    # estimate while the set holds a never-handed-over lead below today's rule: C (45) is the best of them
    # (G 30, J 15); at 46..59 the set only adds H (55), a worked hand-raiser: observed
    assert curve.filter(pl.col("is_estimate"))["threshold"].to_list() == list(range(46))
    # only 8 handed-over leads: too few for a model, so no extrapolated estimate ...
    assert curve.filter(pl.col("threshold") == 30)["estimated_sql_rate"].item() is None
    # ... but where every lead was handed over the estimate is the observed rate
    top = curve.filter(pl.col("threshold") == 100).row(0, named=True)
    assert top["estimated_sql_rate"] == 1.0 and top["est_low"] == 1.0 and top["est_high"] == 1.0


def test_other_weights_hand_counted(tiny):
    con, period = tiny
    curve = whatif.threshold_curve(con, period, None, 1.0, 0.0)  # fit only
    got = {r["threshold"]: (r["volume"], r["reached_sql"]) for r in curve.iter_rows(named=True)}
    assert got[70] == (6, 3)  # A B D E I M; sql A D I
    assert got[85] == (2, 2)  # D I
    assert got[101 - 1] == (1, 1)


def test_filters_apply(tiny):
    con, period = tiny
    curve = whatif.threshold_curve(con, period, Filters(source=("event",)), 0.5, 0.5)
    assert curve.filter(pl.col("threshold") == 0).select("volume", "reached_sql").row(0) == (2, 1)


def test_empty_period_gives_nulls(tiny):
    con, _ = tiny
    period = make_period(con, dt.date(2025, 1, 1), dt.date(2025, 2, 1), AS_OF)
    curve = whatif.threshold_curve(con, period, None, 0.5, 0.5)
    assert curve["volume"].sum() == 0
    assert curve["sql_rate"].null_count() == 101 and curve["estimated_sql_rate"].null_count() == 101
    assert curve["months"][0] == pytest.approx(1.0)


@pytest.mark.parametrize(("fw", "ew"), [(0.5, 0.5), (0.3, 0.7), (0.7, 0.3), (1.0, 0.0), (0.35, 0.65)])
def test_grid_equals_report_what_if(tmp_path, fw, ew):
    """The grid must give what_if.sql's numbers exactly, for any weights in force."""
    whatif.clear_cache()
    data, _ = synthetic(1500, seed=3, fit_weight=fw, engagement_weight=ew)
    con = connect(tmp_path / "eq.duckdb")
    import_sources(con, data, sla(fit_weight=fw, engagement_weight=ew))
    period = make_period(con, FROM, TO, AS_OF)
    thresholds = list(range(101)) + [59.5, 64.9]
    sql = pl.DataFrame(build_report(con, period, thresholds)["what_if"]).sort("threshold")
    curve = whatif.threshold_curve(con, period, None, fw, ew)
    integer = pl.col("threshold").is_in([float(t) for t in range(101)])
    expected = sql.filter(integer)
    assert curve["volume"].to_list() == expected["volume"].to_list()
    assert curve["reached_sql"].to_list() == expected["reached_sql"].to_list()
    assert curve["sql_rate"].to_list() == pytest.approx(expected["sql_rate"].to_list(), nan_ok=True)
    g = whatif.grid(con, period, None)
    odd = whatif.curve(g, fw, ew, np.array([59.5, 64.9]))
    assert odd["volume"].to_list() == sql.filter(~integer)["volume"].to_list()
    con.close()


def test_volume_non_increasing(tmp_path):
    whatif.clear_cache()
    data, _ = synthetic(1200, seed=5)
    con = connect(tmp_path / "mono.duckdb")
    import_sources(con, data, sla())
    period = make_period(con, FROM, TO, AS_OF)
    rng = np.random.default_rng(0)
    for fw, ew in [(0.5, 0.5), (1.0, 0.0), (0.0, 1.0), *rng.random((5, 2))]:
        curve = whatif.threshold_curve(con, period, None, fw, ew)
        for column in ("volume", "reached_sql", "mqls_per_month"):
            values = np.array(curve[column].to_list(), dtype=float)
            assert np.all(np.diff(values) <= 1e-9), (column, fw, ew)
        assert (curve["reached_sql"] <= curve["volume"]).all()
    con.close()


def test_logistic_recovers_known_coefficients():
    rng = np.random.default_rng(11)
    fit, eng = np.meshgrid(np.arange(101), np.arange(101), indexing="ij")
    x = np.column_stack([fit.ravel(), eng.ravel()]) / 100.0
    beta = np.array([-5.0, 3.5, 2.5])
    trials = rng.integers(5, 60, len(x))
    p = 1 / (1 + np.exp(-(beta[0] + x @ beta[1:])))
    successes = rng.binomial(trials, p)
    model = whatif.fit_logistic(x, successes, trials)
    assert model.converged and model.iterations < 20
    se = np.sqrt(np.diag(model.cov))
    assert np.all(np.abs(model.beta - beta) < 4 * se)
    assert np.allclose(model.beta, beta, atol=0.15)


def test_logistic_aggregated_equals_per_row():
    """Weights = counts: the grid fit is the per-lead fit, not an approximation of it."""
    rng = np.random.default_rng(2)
    x = rng.random((40, 2))
    trials = rng.integers(1, 6, 40)
    successes = rng.binomial(trials, 0.3)
    grouped = whatif.fit_logistic(x, successes, trials)
    rows = np.repeat(x, trials, axis=0)
    outcome = np.concatenate([[1] * s + [0] * (t - s) for s, t in zip(successes, trials, strict=True)])
    single = whatif.fit_logistic(rows, outcome, np.ones(len(rows)))
    assert np.allclose(grouped.beta, single.beta, atol=1e-8)


def test_logistic_survives_separation():
    x = np.array([[0.1], [0.2], [0.8], [0.9]])
    model = whatif.fit_logistic(x, np.array([0, 0, 5, 5]), np.array([5, 5, 5, 5]))
    assert np.all(np.isfinite(model.beta)) and np.all(np.isfinite(model.cov))


def test_estimate_corrects_the_bias_below_threshold(tmp_path):
    whatif.clear_cache()
    data, truth = synthetic(6000, seed=8)
    con = connect(tmp_path / "est.duckdb")
    import_sources(con, data, sla())
    period = make_period(con, FROM, TO, AS_OF)
    curve = whatif.threshold_curve(con, period, None, 0.5, 0.5)
    g = whatif.grid(con, period, None)
    assert g.model is not None and np.allclose(g.model.beta, [-6.0, 4.0, 3.0], atol=1.0)
    for t in (30, 45, 55):
        row = curve.filter(pl.col("threshold") == t).row(0, named=True)
        true_rate = truth["p"][truth["score"] >= t].mean()
        assert row["is_estimate"]
        assert row["sql_rate"] < true_rate - 0.02  # observed: biased low
        assert abs(row["estimated_sql_rate"] - true_rate) < 0.03
        assert row["est_low"] <= row["estimated_sql_rate"] <= row["est_high"]
        assert row["est_high"] - row["est_low"] > 0
    for t in (60, 75):  # everyone at/above today's threshold was handed over: estimate = observed
        row = curve.filter(pl.col("threshold") == t).row(0, named=True)
        assert not row["is_estimate"]
        assert row["estimated_sql_rate"] == pytest.approx(row["sql_rate"])
    con.close()


def test_terms_follow_the_last_judged_day(tmp_path):
    """core.terms' rule: the version in force on min(last day, as_of's day), never before the first day."""
    whatif.clear_cache()
    con = connect(tmp_path / "terms.duckdb")
    v2 = """
[[versions]]
name = "v2"
effective_from = "2026-06-01"
mql_threshold = 70
fit_weight = 0.4
engagement_weight = 0.6
monthly_mql_commitment = 5
mql_to_sql_target = 0.35
response_target_hours = 4
"""
    import_sources(con, frames(TINY_LEADS, TINY_EVENTS), sla(extra=v2))
    before = period_terms(con, make_period(con, FROM, TO, "2026-05-31T23:59:00+09:00")).as_dict()
    after = period_terms(con, make_period(con, FROM, TO, "2026-06-01T00:00:00+09:00")).as_dict()
    assert {k: before[k] for k in ("name", "mql_threshold", "fit_weight", "engagement_weight",
                                   "monthly_mql_commitment", "mql_to_sql_target", "response_target_hours")} == {
        "name": "v1", "mql_threshold": 60.0, "fit_weight": 0.5, "engagement_weight": 0.5,
        "monthly_mql_commitment": 3.0, "mql_to_sql_target": 0.3, "response_target_hours": 2.0}
    assert after["name"] == "v2" and after["mql_threshold"] == 70.0 and after["response_target_hours"] == 4.0
    early = period_terms(con, make_period(con, FROM, TO, "2025-01-01T00:00:00+09:00")).as_dict()
    assert early["name"] == "v1"  # the first version also covers the time before it
    curve = whatif.threshold_curve(con, make_period(con, FROM, TO, AS_OF), None, 0.4, 0.6)
    # today's rule is v2's (0.4/0.6, >= 70); the never-worked leads score C 0.4*40 + 0.6*50 = 46, G 30, J 14
    assert curve.filter(pl.col("is_estimate"))["threshold"].max() == 46
    con.close()


def test_heatmap(tiny):
    con, period = tiny
    heat = whatif.heatmap(con, period, None, bins=10)
    assert heat.height == 100 and heat["leads"].sum() == 11 and heat["reached_sql"].sum() == 4
    cell = heat.filter((pl.col("fit_bin") == 90) & (pl.col("eng_bin") == 90)).row(0, named=True)
    assert (cell["leads"], cell["reached_sql"], cell["rate"]) == (1, 1, 1.0)  # I at (100, 100): last bin
    assert heat.filter((pl.col("fit_bin") == 80) & (pl.col("eng_bin") == 70))["leads"].item() == 1  # A
    assert heat.filter(pl.col("fit_bin") == 70)["leads"].sum() == 2  # B (70, 60), E (70, 70)
    assert heat.filter(pl.col("leads") == 0)["rate"].null_count() == heat.filter(pl.col("leads") == 0).height
    coarse = whatif.heatmap(con, period, None, bins=3)
    assert coarse.height == 9 and coarse["fit_bin"].unique().sort().to_list() == pytest.approx([0, 100 / 3, 200 / 3])
    with pytest.raises(ValueError):
        whatif.heatmap(con, period, None, bins=0)


def test_fractional_scores_are_exact_pairs(tmp_path):
    whatif.clear_cache()
    con = connect(tmp_path / "frac.duckdb")
    leads = [("A", "2026-04-06T10:00:00+09:00", 59.6, 60.4), ("B", "2026-04-07T10:00:00+09:00", 62.5, 60.0),
             ("C", "2026-04-08T10:00:00+09:00", 73, 43)]
    import_sources(con, frames(leads, [("A", "mql", "2026-04-06T11:00:00+09:00")]), sla())
    period = make_period(con, FROM, TO, AS_OF)
    g = whatif.grid(con, period, None)
    assert sorted(zip(g.fit_u.tolist(), g.eng_u.tolist(), strict=True)) == [
        (59_600_000, 60_400_000), (62_500_000, 60_000_000), (73_000_000, 43_000_000)]
    # fit only: B's 62.5 is below 63 (rounding the axis used to count it at 63)
    fit_only = whatif.curve(g, 1.0, 0.0, np.array([62.5, 63.0]))
    assert fit_only["volume"].to_list() == [2, 1]  # >= 62.5: B and C; >= 63: C
    # 0.7*73 + 0.3*43 = 51.1 + 12.9 = 64 exactly (63.99999999999999 in doubles); A = 41.72 + 18.12 = 59.84,
    # B = 43.75 + 18 = 61.75
    at_64 = whatif.curve(g, 0.7, 0.3, np.array([61.75, 64.0, 64.000001]))
    assert at_64["volume"].to_list() == [2, 1, 0]
    con.close()


def test_cache_follows_the_data(tiny, tmp_path):
    con, period = tiny
    first = whatif.threshold_curve(con, period, None, 0.5, 0.5)
    assert whatif.grid(con, period, None) is whatif.grid(con, period, None)  # a lookup, not a rebuild
    import_sources(con, frames(TINY_LEADS[:3], TINY_EVENTS[:3]), sla())  # a new import: new data version
    second = whatif.threshold_curve(con, period, None, 0.5, 0.5)
    assert first["volume"][0] == 11 and second["volume"][0] == 3
    cursor = con.cursor()  # Streamlit threads use cursors: same database, same cache entry
    assert whatif.grid(cursor, period, None) is whatif.grid(con, period, None)


def test_slider_move_is_fast():
    """A full 101 x 101 grid: the per-move work must be milliseconds, not a query."""
    rng = np.random.default_rng(1)
    fit, eng = (a.ravel().astype(np.int64) for a in np.meshgrid(np.arange(101), np.arange(101), indexing="ij"))
    fit_u, eng_u = fit * whatif.SCALE, eng * whatif.SCALE
    leads = rng.integers(50, 500, fit.size)
    worked = np.where(fit + eng >= 120, leads, leads // 10)
    worked_sql = rng.binomial(worked, 0.3)
    x = np.column_stack([fit, eng]) / 100
    model = whatif.fit_logistic(x, worked_sql, worked)
    design = np.column_stack([np.ones(len(x)), x])
    p = 1 / (1 + np.exp(-design @ model.beta))
    terms = {"mql_threshold": 60.0, "fit_weight": 0.5, "engagement_weight": 0.5}
    g = whatif.WhatIfGrid(fit_u, eng_u, leads, worked_sql, worked, worked_sql, 6.0, terms, model,
                          worked_sql + (leads - worked) * p, design * ((leads - worked) * p * (1 - p))[:, None])
    whatif.curve(g, 0.5, 0.5)  # warm-up
    started = time.perf_counter()
    for w in np.linspace(0.05, 0.95, 20):
        whatif.curve(g, float(w), float(1 - w))
    assert (time.perf_counter() - started) / 20 < 0.030


EDGE_SCORES = (0, 0.1, 0.3, 12.5, 33.333333, 43, 59.999999, 60, 60.000001, 62.35, 62.5, 64, 66.666667, 73, 99.9,
               100)


@pytest.mark.parametrize(("fw", "ew"), [(0.7, 0.3), (0.3, 0.7), (0.1, 0.9), (0.35, 0.65), (0.33, 0.67),
                                        (1.0, 0.0), (0.0, 1.0), (0.15, 0.85), (0.45, 0.55)])
def test_grid_equals_report_at_fractional_and_edge_scores(tmp_path, fw, ew):
    """Every (fit, eng) pair of EDGE_SCORES (256 leads, 1 in 3 reaches SQL): the grid's volume and
    reached_sql equal what_if.sql's at integer, fractional and on-the-score thresholds, for these weights."""
    whatif.clear_cache()
    pairs = [(f, e) for f in EDGE_SCORES for e in EDGE_SCORES]
    leads = [(f"E{i:03d}", "2026-04-06T10:00:00+09:00", f, e) for i, (f, e) in enumerate(pairs)]
    events = [(f"E{i:03d}", "sql", "2026-04-20T10:00:00+09:00") for i in range(0, len(pairs), 3)]
    con = connect(tmp_path / "edge.duckdb")
    import_sources(con, frames(leads, events), sla(fit_weight=fw, engagement_weight=ew))
    period = make_period(con, FROM, TO, AS_OF)
    thresholds = sorted({*range(101), 0.03, 33.333333, 43.3, 59.999999, 60.000001, 61.75, 62.5, 63.99,
                         64.000001, 99.99, 100.000001,
                         *(round(fw * f + ew * e, 6) for f, e in pairs[::7])})  # thresholds on lead scores
    sql = pl.DataFrame(build_report(con, period, thresholds)["what_if"]).sort("threshold")
    got = whatif.curve(whatif.grid(con, period, None), fw, ew, np.array(thresholds, dtype=np.float64))
    assert sql["threshold"].to_list() == pytest.approx(thresholds)
    assert got["volume"].to_list() == sql["volume"].to_list()
    assert got["reached_sql"].to_list() == sql["reached_sql"].to_list()
    assert sql["volume"][0] == 256 and sql["reached_sql"][0] == 86  # threshold 0: all; ceil(256 / 3) reached
    con.close()


def test_weights_that_add_never_worked_leads_are_an_estimate(tiny):
    """Today's rule: 0.5/0.5 >= 60. Fit 0.70 + engagement 0.50 scores C (40, 50) at 28 + 25 = 53 and G (30, 30)
    at 21 + 15 = 36: both never worked and outside today's rule, so thresholds up to 53 are estimates.
    At 54..100 the set holds only leads today's rule already takes or H (0.7*50 + 0.5*60 = 65, worked)."""
    con, period = tiny
    curve = whatif.threshold_curve(con, period, None, 0.7, 0.5)
    assert curve.filter(pl.col("is_estimate"))["threshold"].to_list() == list(range(54))
    today = whatif.threshold_curve(con, period, None, 0.5, 0.5)
    assert not today.filter(pl.col("threshold") >= 60)["is_estimate"].any()
