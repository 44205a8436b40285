-- Replay's volume side: leads created in [from, to) (by as_of) whose score under $fit_weight/$engagement_weight
-- meets $threshold -- the what-if's MQL set (sql/metrics/what_if.sql, exact decimals) -- per local month of
-- creation and for the period (month NULL): volume; reached_sql by as_of; `young` (created less than $days days
-- before as_of: their SQL rate may still rise); and the what-if's estimate (sla_review.metrics.whatif): worked
-- (handed over by as_of) leads keep their outcome, each never-worked one counts with the model's chance
-- p = 1 / (1 + exp(-($b0 + $b1 fit/100 + $b2 eng/100))), so `expected` is the grid's expected SQLs restricted to
-- the month, and g0..g2 the sums of p(1 - p) x (1, fit/100, eng/100) for its delta-method interval. `outside`
-- counts never-worked leads today's rule ($today_*) leaves out: where it is > 0 the observed rate is biased low
-- and the estimate is what is shown. Without a model ($b0 NULL) the estimate is NULL. Every month has its row.
WITH cohort AS (
    SELECT strftime(created_day, '%Y-%m') AS month, created_at, sql_at <= $as_of AS converted,
           handoff_at <= $as_of AS worked,
           exact_decimal($today_fit_weight) * exact_decimal(fit_score)
               + exact_decimal($today_engagement_weight) * exact_decimal(engagement_score)
               >= exact_decimal($today_threshold) AS today_in,
           1 / (1 + exp(-(CAST($b0 AS DOUBLE) + CAST($b1 AS DOUBLE) * fit_score / 100
                          + CAST($b2 AS DOUBLE) * engagement_score / 100))) AS p,
           fit_score / 100 AS f, engagement_score / 100 AS e
    FROM lead_scope($source, $campaign, $persona, $icp_tier, $region, $team, $owner)
    WHERE created_at >= $from_ts AND created_at < $to_ts AND created_at <= $as_of
      AND exact_decimal($fit_weight) * exact_decimal(fit_score)
          + exact_decimal($engagement_weight) * exact_decimal(engagement_score) >= exact_decimal($threshold)
),
counted AS (
    SELECT month, count(*) AS volume, count(*) FILTER (WHERE converted) AS reached_sql,
           count(*) FILTER (WHERE created_at > $as_of - to_days(CAST($days AS INTEGER))) AS young,
           count(*) FILTER (WHERE worked IS NOT TRUE AND NOT today_in) AS outside,
           count(*) FILTER (WHERE worked AND converted) + coalesce(sum(p) FILTER (WHERE worked IS NOT TRUE), 0)
               AS expected,
           coalesce(sum(p * (1 - p)) FILTER (WHERE worked IS NOT TRUE), 0) AS g0,
           coalesce(sum(p * (1 - p) * f) FILTER (WHERE worked IS NOT TRUE), 0) AS g1,
           coalesce(sum(p * (1 - p) * e) FILTER (WHERE worked IS NOT TRUE), 0) AS g2
    FROM cohort
    GROUP BY GROUPING SETS ((), (month))
)
SELECT m.month, coalesce(c.volume, 0) AS volume, coalesce(c.reached_sql, 0) AS reached_sql,
       coalesce(c.young, 0) AS young, coalesce(c.outside, 0) AS outside,
       CASE WHEN $b0 IS NOT NULL THEN coalesce(c.expected, 0) END AS expected,
       coalesce(c.g0, 0) AS g0, coalesce(c.g1, 0) AS g1, coalesce(c.g2, 0) AS g2
FROM (SELECT strftime(month, '%Y-%m') AS month FROM period_months($from_day, $to_day)
      UNION ALL SELECT NULL) m
LEFT JOIN counted c ON c.month IS NOT DISTINCT FROM m.month
ORDER BY m.month NULLS LAST
