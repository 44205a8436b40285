-- Monthly MQL cohorts: leads whose reached_at(mql) is in [from, to) (by as_of), by local month, and how many
-- reached sql within $days days (24-hour days) of it, by as_of. A cohort is mature when its newest member has
-- had $days days by as_of; younger cohorts cannot be judged yet. Every month of the period gets a row.
WITH months AS (
    SELECT month FROM period_months($from_day, $to_day)  -- sql/derived/045_period_months.sql
),
cohorts AS (
    SELECT mql_month AS month,
           count(*) AS mqls,
           count(*) FILTER (WHERE sql_at <= $as_of
                            AND epoch(sql_at) - epoch(mql_at) <= $days * 86400) AS converted_within,
           count(*) FILTER (WHERE sql_at <= $as_of) AS converted,
           max(mql_at) AS newest_mql
    FROM lead_scope($source, $campaign, $persona, $icp_tier, $region, $team, $owner)
    WHERE mql_at >= $from_ts AND mql_at < $to_ts AND mql_at <= $as_of
    GROUP BY mql_month
)
SELECT strftime(m.month, '%Y-%m') AS month,
       coalesce(c.mqls, 0) AS mqls,
       coalesce(c.converted_within, 0) AS converted_within,
       coalesce(c.converted, 0) AS converted,
       CASE WHEN c.mqls > 0 THEN c.converted_within / c.mqls END AS rate_within,
       CASE WHEN c.mqls > 0 THEN c.converted / c.mqls END AS rate_to_date,
       coalesce(epoch($as_of::TIMESTAMPTZ) - epoch(c.newest_mql) >= $days * 86400, false) AS mature,
       v.mql_to_sql_target AS target
FROM months m
ASOF JOIN versions_in_force v ON m.month >= v.valid_from_day
LEFT JOIN cohorts c USING (month)
ORDER BY m.month
