-- MQLs per local calendar month overlapping [from, to), against the commitment of the version in force on
-- the month's first day. Only MQLs inside the period count, so a partial month shows its partial count.
WITH months AS (
    SELECT month FROM period_months($from_day, $to_day)  -- sql/derived/045_period_months.sql
),
counts AS (
    SELECT mql_month AS month, count(*) AS count
    FROM lead_scope($source, $campaign, $persona, $icp_tier, $region, $team, $owner)
    WHERE mql_at >= $from_ts AND mql_at < $to_ts AND mql_at <= $as_of
    GROUP BY mql_month
)
SELECT strftime(m.month, '%Y-%m') AS month,
       coalesce(c.count, 0) AS count,
       v.monthly_mql_commitment AS commitment,
       coalesce(c.count, 0) >= v.monthly_mql_commitment AS met,
       v.name AS version
FROM months m
ASOF JOIN versions_in_force v ON m.month >= v.valid_from_day
LEFT JOIN counts c USING (month)
ORDER BY m.month
