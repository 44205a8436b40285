-- Monthly MQL→SQL cohorts for the deck: MQLs by local month of reached_at(mql) in [from, to), how many
-- reached sql by as_of, and the MQL→SQL target of the version in force on the month's first day.
WITH months AS (
    SELECT CAST(m AS DATE) AS month
    FROM generate_series(CAST(date_trunc('month', $from_day::DATE) AS TIMESTAMP),
                         CAST($to_day::DATE - 1 AS TIMESTAMP), INTERVAL 1 MONTH) AS g(m)
),
cohorts AS (
    SELECT mql_month AS month, count(*) AS cohort, count(*) FILTER (WHERE sql_at <= $as_of) AS converted
    FROM lead_scope($source, $campaign, $persona, $icp_tier, $region, $team, $owner)
    WHERE mql_at >= $from_ts AND mql_at < $to_ts AND mql_at <= $as_of
    GROUP BY mql_month
)
SELECT strftime(m.month, '%Y-%m') AS month,
       coalesce(c.cohort, 0) AS cohort,
       coalesce(c.converted, 0) AS converted,
       CASE WHEN c.cohort > 0 THEN c.converted / c.cohort END AS rate,
       v.mql_to_sql_target AS target,
       v.name AS version
FROM months m
ASOF JOIN versions_in_force v ON m.month >= v.valid_from_day
LEFT JOIN cohorts c USING (month)
ORDER BY m.month
