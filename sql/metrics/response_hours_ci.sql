-- The order statistics behind the 95% intervals of the median and p90 business hours (see
-- sla_review.metrics.intervals.quantile_ranks): the responded handoffs' hours at the fractions $fractions,
-- (r - 1/2) / n for the ranks r, which DuckDB's discrete quantile maps to exactly the r-th smallest value.
SELECT quantile_disc(hours, $fractions) AS bounds
FROM handoffs_judged($from_ts, $to_ts, $as_of, $source, $campaign, $persona, $icp_tier, $region, $team, $owner)
WHERE hours IS NOT NULL
