-- Acceptance by monthly MQL cohort: leads whose reached_at(mql) is in [from, to) (by as_of), by local month;
-- accepted = reached sal by as_of (sal / mql), and how many of them were rejected or recycled by as_of.
WITH months AS (
    SELECT month FROM period_months($from_day, $to_day)  -- sql/derived/045_period_months.sql
),
cohorts AS (
    SELECT mql_month AS month,
           count(*) AS mqls,
           count(*) FILTER (WHERE sal_at <= $as_of) AS accepted,
           count(*) FILTER (WHERE rejected_at <= $as_of) AS rejected,
           count(*) FILTER (WHERE recycled_at <= $as_of) AS recycled
    FROM lead_scope($source, $campaign, $persona, $icp_tier, $region, $team, $owner)
    WHERE mql_at >= $from_ts AND mql_at < $to_ts AND mql_at <= $as_of
    GROUP BY mql_month
)
SELECT strftime(m.month, '%Y-%m') AS month,
       coalesce(c.mqls, 0) AS mqls,
       coalesce(c.accepted, 0) AS accepted,
       coalesce(c.rejected, 0) AS rejected,
       coalesce(c.recycled, 0) AS recycled,
       CASE WHEN c.mqls > 0 THEN c.accepted / c.mqls END AS acceptance
FROM months m
LEFT JOIN cohorts c USING (month)
ORDER BY m.month
