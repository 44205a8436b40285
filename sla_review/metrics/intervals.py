"""How sure a figure is: the one home of every 95% interval and of the "beyond noise" verdict on a change.

Why these methods: a conversion rate is k of n leads, and with the few dozen leads a segment or a rep often has,
the textbook p ± 1.96·se interval gives negative lower bounds and zero width at 0% or 100%. Wilson's score
interval stays inside [0, 1] and keeps its coverage near 95% for small n (Brown, Cai & DasGupta 2001). A change
between two periods is judged on Newcombe's hybrid score interval for p1 − p2 (method 10 of Newcombe 1998),
built from the two Wilson intervals: it is "beyond noise" when that interval excludes 0. Medians and p90s of
business hours get a distribution-free interval from order statistics: the sorted values at the two binomial
ranks that bracket the quantile with at least 95% probability, whatever the shape of the distribution.

Pure arithmetic, no scipy at run time (the tests check it against scipy and statsmodels). Frames get the same
Wilson bounds as polars expressions over their count columns: no loop over rows.
"""

from __future__ import annotations

import math

import numpy as np
import polars as pl

Z95 = 1.959963984540054
"""The standard normal's 97.5% quantile: a two-sided 95% interval."""

BEYOND, WITHIN = "beyond_noise", "within_noise"
"""The two verdicts on a change (locale keys noise_beyond_noise / noise_within_noise)."""


def wilson(k: int | None, n: int | None, z: float = Z95) -> tuple[float, float] | None:
    """Wilson score interval for k successes of n; None without cases (no data is not an interval)."""
    if not n or k is None:
        return None
    z2 = z * z
    centre = (k + z2 / 2) / (n + z2)
    half = z / (n + z2) * math.sqrt(k * (n - k) / n + z2 / 4)
    # exactly 0 and 1 at the ends (the formula gives them up to rounding): 0 of 10 is never "−0.0%"
    return 0.0 if k == 0 else max(0.0, centre - half), 1.0 if k == n else min(1.0, centre + half)


def wilson_exprs(k: str, n: str, z: float = Z95) -> tuple[pl.Expr, pl.Expr]:
    """The Wilson bounds of columns k and n as polars expressions (null where n is 0 or null)."""
    kk, nn, z2 = pl.col(k).cast(pl.Float64), pl.col(n).cast(pl.Float64), z * z
    centre = (kk + z2 / 2) / (nn + z2)
    half = z / (nn + z2) * (kk * (nn - kk) / nn + z2 / 4).sqrt()
    has = nn > 0
    low = pl.when(has & (kk == 0)).then(0.0).when(has).then((centre - half).clip(lower_bound=0.0))
    high = pl.when(has & (kk == nn)).then(1.0).when(has).then((centre + half).clip(upper_bound=1.0))
    return low, high


def with_wilson(frame: pl.DataFrame, k: str, n: str, name: str) -> pl.DataFrame:
    """Add `name`_low / `name`_high (Wilson bounds of k of n) and `name`_judged (n >= MIN_CASES) to a frame."""
    from sla_review.metrics.scorecard import MIN_CASES  # its one home (scorecard imports what imports us)

    low, high = wilson_exprs(k, n)
    return frame.with_columns(low.alias(f"{name}_low"), high.alias(f"{name}_high"),
                              (pl.col(n).fill_null(0) >= MIN_CASES).alias(f"{name}_judged"))


def newcombe(k1: int | None, n1: int | None, k2: int | None, n2: int | None,
             z: float = Z95) -> tuple[float, float] | None:
    """Newcombe's hybrid score interval (method 10) for p1 − p2, from the two Wilson intervals; None when
    either side has no cases."""
    a, b = wilson(k1, n1, z), wilson(k2, n2, z)
    if a is None or b is None:
        return None
    p1, p2 = k1 / n1, k2 / n2
    (l1, u1), (l2, u2) = a, b
    d = p1 - p2
    return d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2), d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)


def change_verdict(k1: int | None, n1: int | None, k2: int | None, n2: int | None) -> str | None:
    """BEYOND when Newcombe's interval for (this period − comparison) excludes 0, else WITHIN; None (no
    verdict) when either period has no data or fewer than MIN_CASES cases."""
    from sla_review.metrics.scorecard import MIN_CASES  # its one home (scorecard imports what imports us)

    if not n1 or not n2 or n1 < MIN_CASES or n2 < MIN_CASES:
        return None
    low, high = newcombe(k1, n1, k2, n2)
    return BEYOND if low > 0 or high < 0 else WITHIN


def quantile_ranks(n: int, q: float, confidence: float = 0.95) -> tuple[int, int] | None:
    """The 1-based ranks (l, u) of the sorted values whose span [x(l), x(u)] holds the q-quantile with at least
    `confidence`: B ~ Binomial(n, q) counts the values below the true quantile, l is the smallest k with
    P(B <= k) >= α/2 and u the smallest k with P(B <= k) >= 1 − α/2, plus one (equal tails, each below α/2).
    None when n values are too few to reach that coverage (four values cannot bracket a median with 95%).

    Vectorised: the binomial probabilities of a window of ±12 standard deviations around nq (the mass outside
    is below 1e-30), from the mode's log-probability and cumulative sums of the ratios P(k+1)/P(k)."""
    if n < 1 or not 0 < q < 1:
        return None
    alpha = 1 - confidence
    sd = math.sqrt(n * q * (1 - q))
    lo, hi = max(0, math.floor(n * q - 12 * sd - 2)), min(n, math.ceil(n * q + 12 * sd + 2))
    ks = np.arange(lo, hi + 1, dtype=np.float64)
    mode = min(max(math.floor((n + 1) * q), lo), hi)
    log_mode = (math.lgamma(n + 1) - math.lgamma(mode + 1) - math.lgamma(n - mode + 1)
                + mode * math.log(q) + (n - mode) * math.log1p(-q))
    # log P(k+1)/P(k) = log((n-k)/(k+1)) + log(q/(1-q)), for k = lo .. hi-1
    steps = np.log((n - ks[:-1]) / (ks[:-1] + 1)) + math.log(q / (1 - q))
    logp = np.concatenate(([0.0], np.cumsum(steps)))
    logp += log_mode - logp[mode - lo]
    cdf = np.cumsum(np.exp(logp))
    low_k = int(ks[np.searchsorted(cdf, alpha / 2 * (1 - 1e-12))])  # smallest k with F(k) >= α/2
    high_k = int(ks[min(np.searchsorted(cdf, (1 - alpha / 2) * (1 - 1e-12)), len(ks) - 1)])
    lower, upper = low_k, high_k + 1
    if lower < 1 or upper > n:
        return None
    return lower, upper


def rank_fractions(ranks: list[int], n: int) -> list[float]:
    """quantile_disc fractions that pick exactly the values of these 1-based ranks among n: DuckDB's discrete
    quantile at (r − ½)/n is the r-th smallest value (checked against a sorted list in the tests)."""
    return [(r - 0.5) / n for r in ranks]
