"""The quality-vs-volume what-if: MQL volume and SQL rate at every threshold, for any scoring weights.

Why it is built this way: the page re-draws on every slider move, so nothing here may touch the lead
table per move. Once per (data version, period, filters) one query counts leads per exact
(fit, engagement) pair -- at most 101 x 101 rows for integer scores -- and a logistic model is fitted on that
grid. Any weights and thresholds are then a sort and a few cumulative sums over the cells.

Exact, as the report: scores, weights and thresholds are integers in millionths (SCALE, the 6 decimal places
of sql/derived/005_exact.sql's exact_decimal), so a cell's score w_fit*fit + w_eng*eng is an exact integer
in millionths squared and `score >= t` is decided in integers: 0.7*73 + 0.3*43 meets 64, and the grid gives
sql/metrics/what_if.sql's volume and reached_sql at every threshold and weights, fractional scores included.

Observed or estimate: a point is an estimate when its proposed MQL set holds a lead that today's rule (the
weights and threshold of the version in force at as_of) leaves out and that was never handed to sales --
its outcome was never given a chance, so the observed rate is biased low there. Otherwise it is observed.
At today's weights that is "below today's threshold", minus thresholds that only add worked leads.

Why there is a model: leads below today's threshold were mostly never handed to sales, so their observed
conversion is biased low (nobody called them). See ESTIMATE_METHOD.
No streamlit here: the page caches nothing itself, this module does (see `grid`).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import duckdb
import numpy as np
import polars as pl

from sla_review.core.periods import Period, months_elapsed
from sla_review.core.terms import period_terms
from sla_review.core.vocabulary import Filters
from sla_review.store.sql import run_sql

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
SCALE = 1_000_000  # scores, weights and thresholds in millionths: exact_decimal's 6 places
_MAX_WEIGHT = 10_000  # keeps weight x score in int64 (100e6 x 1e10 x 2 < 9.2e18)


def scaled(x: float) -> int:
    """x in whole millionths, rounded as DuckDB casts a DOUBLE to DECIMAL(18, 6) (half away from zero)."""
    return int(Decimal(float(x)).scaleb(6).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _score_u(fit_u: np.ndarray, eng_u: np.ndarray, fit_weight: float, engagement_weight: float) -> np.ndarray:
    """Exact cell scores in millionths squared (int64)."""
    if not (abs(fit_weight) <= _MAX_WEIGHT and abs(engagement_weight) <= _MAX_WEIGHT):
        raise ValueError(f"weights must be at most {_MAX_WEIGHT}")
    return scaled(fit_weight) * fit_u + scaled(engagement_weight) * eng_u


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

    fit_u/eng_u = the cell's exact scores in millionths (int64). expected = observed SQLs of handed-over
    leads + model probability x never-handed-over leads, per cell; grad = its derivative with respect to the
    coefficients (for the delta-method interval).
    """

    fit_u: np.ndarray
    eng_u: np.ndarray
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

    @property
    def fit(self) -> np.ndarray:
        return self.fit_u / SCALE

    @property
    def eng(self) -> np.ndarray:
        return self.eng_u / SCALE

    def unworked_outside_today(self) -> np.ndarray:
        """Never-handed-over leads per cell that today's rule (terms at as_of) leaves out."""
        today = _score_u(self.fit_u, self.eng_u, self.terms["fit_weight"], self.terms["engagement_weight"])
        return np.where(today < scaled(self.terms["mql_threshold"]) * SCALE, self.unworked, 0)


_cache: OrderedDict[tuple, WhatIfGrid] = OrderedDict()
_lock = threading.Lock()


def clear_cache() -> None:
    with _lock:
        _cache.clear()


def grid(con: duckdb.DuckDBPyConnection, period: Period, filters: Filters | None = None) -> WhatIfGrid:
    """The cached grid for (database, latest import, period, filters); built with one query on a miss."""
    filters = filters or Filters()
    ident = run_sql(con, "data_version_key").row(0)
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
    """Count leads per exact score pair and fit the model on the handed-over ones (uncached)."""
    frame = run_sql(con, "what_if_grid", **period.params(), **(filters or Filters()).params())
    cols = {c: frame[c].to_numpy().astype(np.int64) for c in
            ("fit_u", "eng_u", "leads", "reached_sql", "worked", "worked_sql")}
    features = np.column_stack([cols["fit_u"], cols["eng_u"]]) / (100.0 * SCALE)
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
    return WhatIfGrid(cols["fit_u"], cols["eng_u"], cols["leads"], cols["reached_sql"], cols["worked"],
                      cols["worked_sql"], months_elapsed(period), period_terms(con, period).as_dict(), model,
                      expected, grad)


def curve(g: WhatIfGrid, fit_weight: float, engagement_weight: float,
          thresholds: np.ndarray = THRESHOLDS) -> pl.DataFrame:
    """threshold_curve's numbers from a grid: pure numpy, no database (this is the slider move)."""
    # exact integers, as lead_facts.score's DECIMAL: the same volume as what_if.sql at every threshold
    score = _score_u(g.fit_u, g.eng_u, fit_weight, engagement_weight)
    order = np.argsort(score, kind="stable")
    cut = np.array([scaled(t) * SCALE for t in thresholds], dtype=np.int64)  # <= 101 values, not data rows
    below = np.searchsorted(score[order], cut, side="left")  # cells with score < t

    def at_or_above(values: np.ndarray) -> np.ndarray:
        prefix = np.concatenate([np.zeros((1, *values.shape[1:])), np.cumsum(values[order], axis=0)])
        return prefix[-1] - prefix[below]

    volume = at_or_above(g.leads).round().astype(np.int64)
    reached = at_or_above(g.reached_sql).round().astype(np.int64)
    expected = at_or_above(g.expected)
    unworked = at_or_above(g.unworked)
    outside = at_or_above(g.unworked_outside_today())
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
        "is_estimate": outside > 0,
    }).with_columns(pl.col(pl.Float64).fill_nan(None))


def threshold_curve(con: duckdb.DuckDBPyConnection, period: Period, filters: Filters | None,
                    fit_weight: float, engagement_weight: float) -> pl.DataFrame:
    """One row per threshold 0..100 for the given weights; a cache lookup plus numpy after the first call.

    sql_rate is observed (null at volume 0); estimated_sql_rate/est_low/est_high follow ESTIMATE_METHOD
    (null when there are too few handed-over leads for a model); is_estimate marks points whose set holds
    never-handed-over leads that today's rule leaves out, where the observed rate is biased low.
    """
    return curve(grid(con, period, filters), float(fit_weight), float(engagement_weight))


def _change(new: float | None, old: float | None) -> float | None:
    return new - old if new is not None and old is not None else None


def proposal(curve_now: pl.DataFrame, curve_today: pl.DataFrame, threshold: int, today: int) -> dict:
    """The what-if page's four figures for a proposed threshold against today's rule: MQLs per month, SQL yield
    (the model estimate where the proposed set holds never-worked leads, else observed), SQLs per month, and
    each one's change. Both curves come from threshold_curve (the proposed and today's weights)."""
    now = curve_now.filter(pl.col("threshold") == threshold).row(0, named=True)
    was = curve_today.filter(pl.col("threshold") == today).row(0, named=True)
    rate = now["estimated_sql_rate"] if now["is_estimate"] else now["sql_rate"]
    rate_was = was["sql_rate"]
    per_month, per_month_was = now["mqls_per_month"], was["mqls_per_month"]
    sqls = per_month * rate if per_month is not None and rate is not None else None
    sqls_was = per_month_was * rate_was if per_month_was is not None and rate_was is not None else None
    return {"point": now, "per_month": per_month, "rate": rate, "sqls": sqls,
            "d_volume": _change(per_month, per_month_was), "d_rate": _change(rate, rate_was),
            "d_sqls": _change(sqls, sqls_was)}


def per_rep(per_month: float | None, reps: int) -> float | None:
    """MQLs per month per rep handling handed-over leads (None without reps or volume)."""
    return per_month / reps if reps and per_month is not None else None


def heatmap(con: duckdb.DuckDBPyConnection, period: Period, filters: Filters | None = None,
            bins: int = 10) -> pl.DataFrame:
    """Leads and observed SQL rate per (fit, engagement) bin, all bins x bins rows (rate null when empty).

    Bins split 0..100 evenly; the last bin includes 100. Built from the cached grid (exact scores).
    """
    if not 1 <= bins <= 101:
        raise ValueError("bins must be between 1 and 101")
    g = grid(con, period, filters)
    top = 100 * SCALE
    cell = np.minimum(g.fit_u * bins // top, bins - 1) * bins + np.minimum(g.eng_u * bins // top, bins - 1)
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
