-- The MQL cohort: leads whose reached_at(mql) is in [from, to) (by as_of). converted = reached sql by as_of
-- (MQL→SQL); rejected = cohort leads rejected by as_of (the scorecard's rejection rate's numerator: a rate of
-- leads, like acceptance, never above 100%); young = cohort leads younger than $days 24-hour days at as_of (the
-- maturity rule of mql_to_sql_by_month.sql: a cohort is mature when none is young). One scan for all four.
SELECT count(*) AS cohort,
       count(*) FILTER (WHERE sql_at <= $as_of) AS converted,
       CASE WHEN count(*) > 0 THEN count(*) FILTER (WHERE sql_at <= $as_of) / count(*) END AS rate,
       count(*) FILTER (WHERE rejected_at <= $as_of) AS rejected,
       count(*) FILTER (WHERE epoch($as_of::TIMESTAMPTZ) - epoch(mql_at) < $days * 86400) AS young
FROM lead_scope($source, $campaign, $persona, $icp_tier, $region, $team, $owner)
WHERE mql_at >= $from_ts AND mql_at < $to_ts AND mql_at <= $as_of
