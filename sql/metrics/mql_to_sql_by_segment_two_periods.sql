-- MQL→SQL per value of one segment ($segment from a fixed list) in the period and in its comparison: the counts
-- the mix-vs-rate decomposition is computed from (sla_review/metrics/mix_rate.py). Each period's cohort and
-- conversion are mql_to_sql.sql's: MQLs whose reached_at(mql) is in [from, to) by that period's own as_of, and
-- of them those that reached sql by the same as_of. One scan for both periods; a lead in both (overlapping
-- custom periods) counts in each. n0/k0 = comparison MQLs/converted, n1/k1 = this period's.
WITH m AS (
    SELECT coalesce(CASE $segment WHEN 'source' THEN source WHEN 'campaign' THEN campaign
                                  WHEN 'persona' THEN persona WHEN 'icp_tier' THEN icp_tier
                                  WHEN 'region' THEN region WHEN 'team' THEN team END, '(none)') AS key,
           mql_at >= $from_ts AND mql_at < $to_ts AND mql_at <= $as_of AS in_cur,
           mql_at >= $cmp_from_ts AND mql_at < $cmp_to_ts AND mql_at <= $cmp_as_of AS in_cmp,
           sql_at
    FROM lead_scope($source, $campaign, $persona, $icp_tier, $region, $team, $owner)
    WHERE (mql_at >= $from_ts AND mql_at < $to_ts AND mql_at <= $as_of)
       OR (mql_at >= $cmp_from_ts AND mql_at < $cmp_to_ts AND mql_at <= $cmp_as_of)
)
SELECT key,
       count(*) FILTER (WHERE in_cmp) AS n0,
       count(*) FILTER (WHERE in_cmp AND sql_at <= $cmp_as_of) AS k0,
       count(*) FILTER (WHERE in_cur) AS n1,
       count(*) FILTER (WHERE in_cur AND sql_at <= $as_of) AS k1
FROM m
GROUP BY key
ORDER BY n1 + n0 DESC, key
