"""The 95% intervals and the noise verdict (sla_review.metrics.intervals) against hand-worked cases, a published
example and the reference implementations in scipy and statsmodels (test-only dependencies: requirements-dev.txt)."""

from __future__ import annotations

import math
import subprocess
import sys

import duckdb
import polars as pl
import pytest
from scipy.stats import binom
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint

from sla_review.metrics import intervals as iv
from sla_review.metrics.scorecard import MIN_CASES
from tests.conftest import ROOT

CASES = [(0, 1), (1, 1), (0, 10), (3, 10), (10, 10), (1, 37), (19, 20), (123, 456), (5_000, 1_000_000)]


def close(a: tuple[float, float], b: tuple[float, float], tol: float = 1e-12) -> bool:
    return math.isclose(a[0], b[0], abs_tol=tol) and math.isclose(a[1], b[1], abs_tol=tol)


def test_wilson_by_hand():
    """z = 1.959964, z² = 3.841459, n = 10: n + z² = 13.841459, z / (n + z²) = 0.141601.
    0 of 10: centre = 1.920729 / 13.841459 = 0.138767, half = 0.141601 · √(0 + 0.960365) = 0.138767 -> [0, 0.2775]
    10 of 10: the mirror image -> [0.7225, 1]
    5 of 10: centre = 6.920729 / 13.841459 = 0.5, half = 0.141601 · √(2.5 + 0.960365) = 0.263407 -> [0.2366, 0.7634]"""
    assert iv.wilson(0, 10)[0] == 0.0 and math.isclose(iv.wilson(0, 10)[1], 0.2775, abs_tol=5e-5)
    assert iv.wilson(10, 10)[1] == 1.0 and math.isclose(iv.wilson(10, 10)[0], 0.7225, abs_tol=5e-5)
    assert close(iv.wilson(5, 10), (0.2366, 0.7634), 5e-5)


def test_no_cases_is_no_interval():
    assert iv.wilson(0, 0) is None and iv.wilson(None, None) is None
    assert iv.newcombe(1, 10, 0, 0) is None


@pytest.mark.parametrize("k,n", CASES)
def test_wilson_equals_statsmodels(k, n):
    assert close(iv.wilson(k, n), proportion_confint(k, n, alpha=0.05, method="wilson"))


def test_wilson_columns_equal_the_scalar_and_null_without_cases():
    frame = pl.DataFrame({"k": [k for k, _ in CASES] + [0, None], "n": [n for _, n in CASES] + [0, None]})
    out = iv.with_wilson(frame, "k", "n", "rate")
    for row, (k, n) in zip(out.head(len(CASES)).iter_rows(named=True), CASES, strict=True):
        assert close((row["rate_low"], row["rate_high"]), iv.wilson(k, n))
        assert row["rate_judged"] == (n >= MIN_CASES)
    assert out["rate_low"].tail(2).to_list() == [None, None] and out["rate_high"].tail(2).to_list() == [None, None]
    assert out["rate_judged"].tail(2).to_list() == [False, False]


def test_newcombe_published_example():
    """Newcombe (1998), Statistics in Medicine 17:873–890, Table II example (a): 56/70 − 48/80 = 0.2000, method 10
    (hybrid score) 0.0524 to 0.3339. By hand: Wilson 56/70 = [0.6918, 0.8770], 48/80 = [0.4905, 0.7004];
    L = 0.2 − √((0.8 − 0.6918)² + (0.7004 − 0.6)²) = 0.2 − √(0.011707 + 0.010080) = 0.2 − 0.147604 = 0.0524;
    U = 0.2 + √((0.8770 − 0.8)² + (0.6 − 0.4905)²) = 0.2 + √(0.005929 + 0.011990) = 0.2 + 0.133862 = 0.3339.
    (Both bounds are positive: the difference is beyond noise.)"""
    low, high = iv.newcombe(56, 70, 48, 80)
    assert round(low, 4) == 0.0524 and round(high, 4) == 0.3339


@pytest.mark.parametrize("k1,n1,k2,n2", [(56, 70, 48, 80), (9, 10, 3, 10), (0, 25, 4, 30), (40, 200, 58, 210),
                                         (500, 1000, 520, 1000)])
def test_newcombe_equals_statsmodels(k1, n1, k2, n2):
    ref = confint_proportions_2indep(k1, n1, k2, n2, method="newcomb", compare="diff", alpha=0.05)
    assert close(iv.newcombe(k1, n1, k2, n2), ref)


def test_verdicts():
    """18% → 24% of 1,000 each: Newcombe [0.024, 0.096] excludes 0 -> beyond; of 100 each it includes 0 -> within;
    fewer than MIN_CASES on either side, or no data, is no verdict."""
    assert iv.change_verdict(240, 1000, 180, 1000) == iv.BEYOND
    assert iv.change_verdict(180, 1000, 240, 1000) == iv.BEYOND  # a fall beyond noise is beyond noise too
    assert iv.change_verdict(24, 100, 18, 100) == iv.WITHIN
    assert iv.change_verdict(5, MIN_CASES - 1, 1, 100) is None
    assert iv.change_verdict(5, 100, 0, 0) is None


def test_quantile_ranks_by_hand():
    """Median of 10: B ~ Bin(10, ½); F(1) = 11/1024 = 0.0107 < 0.025 <= F(2) = 56/1024 = 0.0547, so l = 2;
    F(7) = 968/1024 = 0.9453 < 0.975 <= F(8) = 1013/1024 = 0.9893, so u = 8 + 1 = 9: [x(2), x(9)] (coverage
    0.9893 − 0.0107 = 0.9785), the textbook pair. Median of 5: F(0) = 1/32 = 0.031 > 0.025, no lower rank -> None."""
    assert iv.quantile_ranks(10, 0.5) == (2, 9)
    assert iv.quantile_ranks(5, 0.5) is None
    assert iv.quantile_ranks(6, 0.5) == (1, 6)  # F(0) = 1/64 = 0.016, F(4) = 57/64 = 0.891 < 0.975 <= F(5)


@pytest.mark.parametrize("n", [*range(1, 120), 500, 1001, 12_345, 1_000_000])
@pytest.mark.parametrize("q", [0.5, 0.9])
def test_quantile_ranks_equal_scipy_binomial_quantiles(n, q):
    low, high = int(binom.ppf(0.025, n, q)), int(binom.ppf(0.975, n, q)) + 1
    assert iv.quantile_ranks(n, q) == ((low, high) if low >= 1 and high <= n else None)


def test_rank_fractions_pick_exactly_those_order_statistics():
    values = [(i * 7919) % 1009 / 7 for i in range(1009)]  # 1,009 distinct values, shuffled
    con = duckdb.connect()
    con.execute("CREATE TABLE t AS SELECT unnest($v) AS x", {"v": values})
    ranks = list(range(1, 1010))
    got = con.execute("SELECT quantile_disc(x, $p) FROM t", {"p": iv.rank_fractions(ranks, 1009)}).fetchone()[0]
    assert got == [sorted(values)[r - 1] for r in ranks]


def test_run_time_does_not_import_scipy_or_statsmodels():
    code = ("import sys, sla_review.metrics.report, sla_review.metrics.scorecard, sla_review.metrics.breakdowns, "
            "sla_review.export.deck; print(sorted(m for m in ('scipy', 'statsmodels') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
