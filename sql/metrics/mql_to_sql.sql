-- MQL→SQL (cohort): leads whose reached_at(mql) is in [from, to); converted = reached sql by as_of.
SELECT count(*) AS cohort,
       count(*) FILTER (WHERE sql_at <= $as_of) AS converted,
       CASE WHEN count(*) > 0 THEN count(*) FILTER (WHERE sql_at <= $as_of) / count(*) END AS rate
FROM lead_scope($source, $campaign, $persona, $icp_tier, $region, $team, $owner)
WHERE mql_at >= $from_ts AND mql_at < $to_ts AND mql_at <= $as_of
