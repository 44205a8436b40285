-- Replay's volume side: leads created in [from, to) (by as_of) whose score under $fit_weight/$engagement_weight
-- meets $threshold -- the what-if's MQL set (sql/metrics/what_if.sql, exact decimals), per local month of
-- creation and for the period (month NULL): volume, reached_sql by as_of, and `young` (created less than $days
-- days before as_of: their SQL rate may still rise). Every month the period touches has its row.
WITH cohort AS (
    SELECT strftime(created_day, '%Y-%m') AS month, created_at, sql_at <= $as_of AS converted
    FROM lead_scope($source, $campaign, $persona, $icp_tier, $region, $team, $owner)
    WHERE created_at >= $from_ts AND created_at < $to_ts AND created_at <= $as_of
      AND exact_decimal($fit_weight) * exact_decimal(fit_score)
          + exact_decimal($engagement_weight) * exact_decimal(engagement_score) >= exact_decimal($threshold)
),
counted AS (
    SELECT month, count(*) AS volume, count(*) FILTER (WHERE converted) AS reached_sql,
           count(*) FILTER (WHERE created_at > $as_of - to_days(CAST($days AS INTEGER))) AS young
    FROM cohort
    GROUP BY GROUPING SETS ((), (month))
)
SELECT m.month, coalesce(c.volume, 0) AS volume, coalesce(c.reached_sql, 0) AS reached_sql,
       coalesce(c.young, 0) AS young
FROM (SELECT strftime(month, '%Y-%m') AS month FROM period_months($from_day, $to_day)
      UNION ALL SELECT NULL) m
LEFT JOIN counted c ON c.month IS NOT DISTINCT FROM m.month
ORDER BY m.month NULLS LAST
