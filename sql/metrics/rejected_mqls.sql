-- The scorecard's MQL cohort facts the report does not carry. Cohort: leads whose reached_at(mql) is in
-- [from, to) (by as_of), as in mql_to_sql.sql. rejected = cohort leads rejected by as_of (the rejection rate's
-- numerator: a rate of leads, like acceptance, never above 100%); young = cohort leads younger than $days
-- 24-hour days at as_of (the maturity rule of dash_mql_cohorts.sql: a cohort is mature when none is young).
SELECT count(*) AS mqls,
       count(*) FILTER (WHERE rejected_at <= $as_of) AS rejected,
       count(*) FILTER (WHERE epoch($as_of::TIMESTAMPTZ) - epoch(mql_at) < $days * 86400) AS young
FROM lead_scope($source, $campaign, $persona, $icp_tier, $region, $team, $owner)
WHERE mql_at >= $from_ts AND mql_at < $to_ts AND mql_at <= $as_of
