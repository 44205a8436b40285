"""The quality-vs-volume what-if: MQL volume and SQL rate at every threshold, for any scoring weights.

Why it is built this way: the page re-draws on every slider move, so nothing here may touch the lead
table per move. Once per (data version, period, filters) one query counts leads per integer
(fit, engagement) cell -- at most 101 x 101 rows -- and a logistic model is fitted on that grid. Any weights
and thresholds are then a sort and a few cumulative sums over <= 10,201 cells: a millisecond or two.

Scores are bucketed by rounding to the nearest integer (half away from zero, DuckDB's `round`). For integer
scores (the demo data and most CRMs) the grid gives exactly the numbers of sql/metrics/what_if.sql; for
fractional scores a lead can move by up to half a point per axis across a threshold.

Why there is a model: leads below today's threshold were mostly never handed to sales, so their observed
conversion is biased low (nobody called them). See ESTIMATE_METHOD.
No streamlit here: the page caches nothing itself, this module does (see `grid`).
"""

from __future__ import annotations

import datetime as dt
import threading
import zoneinfo
from collections import OrderedDict
from dataclasses import dataclass

import duckdb
import numpy as np
import polars as pl

from metrics.queries import run_sql
from metrics.report import Filters, Period

ESTIMATE_METHOD = (  # shown to users: plain words (the technique is in the docstring of the model below)
    "Below today's threshold the SQL rate is estimated: leads that were handed to sales keep their observed "
    "outcome, and each lead never handed over counts with its chance of reaching SQL, predicted from its fit "
    "and engagement scores by a model (logistic regression) fitted on the handed-over leads only; the band is"
    " the 95% range that the model's own uncertainty allows."
)

THRESHOLDS = np.arange(0, 101, dtype=np.float64)  # the slider's range, step 1
MIN_WORKED_FOR_MODEL = 30  # fewer handed-over leads than this: no model, no extrapolated estimate
RIDGE = 1e-4  # a whisper of L2 on the coefficients (scores in [0, 1] units): finite even when separable
Z95 = 1.959963984540054
_CACHE_SIZE = 16


@dataclass(frozen=True)
class LogisticFit:
    """Coefficients [intercept, slopes...] on the features as given, and their covariance (inverse Hessian)."""

    beta: np.ndarray
    cov: np.ndarray
    iterations: int
    converged: bool


def fit_logistic(x: np.ndarray, successes: np.ndarray, trials: np.ndarray, *, ridge: float = RIDGE,
                 max_iter: int = 50, tol: float = 1e-10) -> LogisticFit:
    """Binomial logistic regression by Newton/IRLS on aggregated rows (an intercept is added).

    Aggregated rows weighted by their counts give the same fit as one row per lead, at grid cost, and
    need no sklearn. A tiny ridge keeps the coefficients finite when the outcome is perfectly separable.
    """
    x = np.asarray(x, dtype=np.float64)
    if x.ndim == 1:
        x = x[:, None]
    design = np.column_stack([np.ones(len(x)), x])
    y = np.asarray(successes, dtype=np.float64)
    n = np.asarray(trials, dtype=np.float64)
    keep = n > 0
    design, y, n = design[keep], y[keep], n[keep]
    k = design.shape[1]
    rate = np.clip(y.sum() / max(n.sum(), 1.0), 1e-6, 1 - 1e-6)
    beta = np.zeros(k)
    beta[0] = np.log(rate / (1 - rate))
    penalty = ridge * np.eye(k)

    def objective(b: np.ndarray) -> float:
        eta = design @ b
        return float(y @ eta - n @ np.logaddexp(0.0, eta) - 0.5 * ridge * b @ b)

    current = objective(beta)
    converged = False
    iterations = 0
    while iterations < max_iter:
        iterations += 1
        p = _sigmoid(design @ beta)
        grad = design.T @ (y - n * p) - ridge * beta
        hess = (design * (n * p * (1 - p))[:, None]).T @ design + penalty
        step = np.linalg.solve(hess, grad)
        scale = 1.0
        while True:  # step halving: Newton can overshoot far from the optimum
            candidate = beta + scale * step
            value = objective(candidate)
            if value >= current - 1e-12 or scale < 1e-6:
                break
            scale /= 2
        beta, gain, current = candidate, value - current, value
        if np.max(np.abs(scale * step)) < 1e-8 or abs(gain) < tol:
            converged = True
            break
    p = _sigmoid(design @ beta)
    hess = (design * (n * p * (1 - p))[:, None]).T @ design + penalty
    return LogisticFit(beta, np.linalg.inv(hess), iterations, converged)


def _sigmoid(eta: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * eta))  # overflow-free logistic


@dataclass(frozen=True)
class WhatIfGrid:
    """The per-(fit, engagement) cell counts of one period + filters, with the model fitted on them.

    expected = observed SQLs of handed-over leads + model probability x never-handed-over leads, per cell;
    grad = its derivative with respect to the coefficients (for the delta-method interval).
    """

    fit: np.ndarray
    eng: np.ndarray
    leads: np.ndarray
    reached_sql: np.ndarray
    worked: np.ndarray
    worked_sql: np.ndarray
    months: float
    terms: dict
    model: LogisticFit | None
    expected: np.ndarray
    grad: np.ndarray

    @property
    def unworked(self) -> np.ndarray:
        return self.leads - self.worked


_cache: OrderedDict[tuple, WhatIfGrid] = OrderedDict()
_lock = threading.Lock()


def clear_cache() -> None:
    with _lock:
        _cache.clear()


def current_terms(con: duckdb.DuckDBPyConnection, period: Period) -> dict:
    """The terms of the SLA version in force at period.as_of (the threshold the slider starts from)."""
    row = run_sql(con, "whatif_terms", as_of=period.as_of).row(0, named=True)
    return {"name": row["name"], **{k: float(v) for k, v in row.items() if k != "name"}}


def period_months(period: Period) -> float:
    """Calendar months in [from, min(to, as_of)), fractional by time: a period still running at as_of
    counts only the part already seen, so MQLs per month are not diluted by days with no data yet."""
    tz = zoneinfo.ZoneInfo(period.tz)
    start = dt.datetime.combine(period.from_day, dt.time(0), tzinfo=tz)
    end = min(dt.datetime.combine(period.to_day, dt.time(0), tzinfo=tz), period.as_of.astimezone(tz))
    total = 0.0
    month = start.replace(day=1)
    while month < end:
        following = (month + dt.timedelta(days=32)).replace(day=1)
        low, high = max(start, month), min(end, following)
        if high > low:
            total += (high - low) / (following - month)
        month = following
    return total


def grid(con: duckdb.DuckDBPyConnection, period: Period, filters: Filters | None = None) -> WhatIfGrid:
    """The cached grid for (database, latest import, period, filters); built with one query on a miss."""
    filters = filters or Filters()
    ident = run_sql(con, "whatif_cache_key").row(0)
    key = (ident, period, filters)
    with _lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    built = build_grid(con, period, filters)
    with _lock:
        _cache[key] = built
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return built


def build_grid(con: duckdb.DuckDBPyConnection, period: Period, filters: Filters | None = None) -> WhatIfGrid:
    """Count leads per integer score cell and fit the model on the handed-over ones (uncached)."""
    frame = run_sql(con, "whatif_grid", **period.params(), **(filters or Filters()).params())
    cols = {c: frame[c].to_numpy().astype(np.int64) for c in
            ("fit", "eng", "leads", "reached_sql", "worked", "worked_sql")}
    features = np.column_stack([cols["fit"], cols["eng"]]) / 100.0
    model = None
    if cols["worked"].sum() >= MIN_WORKED_FOR_MODEL:
        model = fit_logistic(features, cols["worked_sql"], cols["worked"])
    unworked = cols["leads"] - cols["worked"]
    if model is not None:
        design = np.column_stack([np.ones(len(features)), features])
        p = _sigmoid(design @ model.beta)
        expected = cols["worked_sql"] + unworked * p
        grad = design * (unworked * p * (1 - p))[:, None]
    else:
        # without a model only cells where every lead was handed over can be estimated (see curve)
        expected = cols["worked_sql"].astype(np.float64)
        grad = np.zeros((len(features), 3))
    return WhatIfGrid(cols["fit"], cols["eng"], cols["leads"], cols["reached_sql"], cols["worked"],
                      cols["worked_sql"], period_months(period), current_terms(con, period), model,
                      expected, grad)


def curve(g: WhatIfGrid, fit_weight: float, engagement_weight: float,
          thresholds: np.ndarray = THRESHOLDS) -> pl.DataFrame:
    """threshold_curve's numbers from a grid: pure numpy, no database (this is the slider move)."""
    # the same float64 expression as lead_facts.score, so integer data matches what_if.sql bit for bit
    score = fit_weight * g.fit.astype(np.float64) + engagement_weight * g.eng.astype(np.float64)
    order = np.argsort(score, kind="stable")
    below = np.searchsorted(score[order], thresholds, side="left")  # cells with score < t

    def at_or_above(values: np.ndarray) -> np.ndarray:
        prefix = np.concatenate([np.zeros((1, *values.shape[1:])), np.cumsum(values[order], axis=0)])
        return prefix[-1] - prefix[below]

    volume = at_or_above(g.leads).round().astype(np.int64)
    reached = at_or_above(g.reached_sql).round().astype(np.int64)
    expected = at_or_above(g.expected)
    unworked = at_or_above(g.unworked)
    grad = at_or_above(g.grad)
    sd = np.sqrt(np.maximum(np.einsum("ti,ij,tj->t", grad, g.model.cov, grad), 0.0)) if g.model else 0.0
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(volume > 0, reached / volume, np.nan)
        estimate = np.where(volume > 0, expected / volume, np.nan)
        low = np.clip((expected - Z95 * sd) / volume, 0.0, 1.0)
        high = np.clip((expected + Z95 * sd) / volume, 0.0, 1.0)
    if g.model is None:  # no model: an estimate exists only where nobody needs extrapolating
        estimate = np.where(unworked > 0, np.nan, estimate)
    usable = np.isfinite(estimate)
    months = g.months
    return pl.DataFrame({
        "threshold": thresholds.astype(np.int64) if np.all(thresholds == np.round(thresholds)) else thresholds,
        "volume": volume,
        "reached_sql": reached,
        "sql_rate": rate,
        "months": np.full(len(thresholds), months),
        "mqls_per_month": volume / months if months > 0 else np.full(len(thresholds), np.nan),
        "estimated_sql_rate": estimate,
        "est_low": np.where(usable, low, np.nan),
        "est_high": np.where(usable, high, np.nan),
        "is_estimate": thresholds < g.terms["mql_threshold"],
    }).with_columns(pl.col(pl.Float64).fill_nan(None))


def threshold_curve(con: duckdb.DuckDBPyConnection, period: Period, filters: Filters | None,
                    fit_weight: float, engagement_weight: float) -> pl.DataFrame:
    """One row per threshold 0..100 for the given weights; a cache lookup plus numpy after the first call.

    sql_rate is observed (null at volume 0); estimated_sql_rate/est_low/est_high follow ESTIMATE_METHOD
    (null when there are too few handed-over leads for a model); is_estimate marks thresholds below the
    threshold of the version in force at as_of, where the observed rate is biased low.
    """
    return curve(grid(con, period, filters), float(fit_weight), float(engagement_weight))


def heatmap(con: duckdb.DuckDBPyConnection, period: Period, filters: Filters | None = None,
            bins: int = 10) -> pl.DataFrame:
    """Leads and observed SQL rate per (fit, engagement) bin, all bins x bins rows (rate null when empty).

    Bins split 0..100 evenly; the last bin includes 100. Built from the cached grid (rounded scores).
    """
    if not 1 <= bins <= 101:
        raise ValueError("bins must be between 1 and 101")
    g = grid(con, period, filters)
    cell = np.minimum(g.fit * bins // 100, bins - 1) * bins + np.minimum(g.eng * bins // 100, bins - 1)
    leads = np.bincount(cell, weights=g.leads, minlength=bins * bins).round().astype(np.int64)
    reached = np.bincount(cell, weights=g.reached_sql, minlength=bins * bins).round().astype(np.int64)
    edges = np.arange(bins) * 100.0 / bins
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(leads > 0, reached / leads, np.nan)
    return pl.DataFrame({
        "fit_bin": np.repeat(edges, bins),
        "eng_bin": np.tile(edges, bins),
        "leads": leads,
        "reached_sql": reached,
        "rate": rate,
    }).with_columns(pl.col("rate").fill_nan(None))
