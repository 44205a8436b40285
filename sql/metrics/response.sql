-- Response: handoffs in [from, to), judged by handoffs_judged (sql/derived/040_lead_scope.sql):
-- attainment = within_target / (within_target + breached); median and p90 over responded handoffs.
SELECT count(*) AS handoffs,
       count(hours) AS responded,
       count(*) FILTER (WHERE status = 'within_target') AS within_target,
       count(*) FILTER (WHERE status = 'breached') AS breached,
       count(*) FILTER (WHERE status = 'pending') AS pending,
       attainment_of(status) AS attainment,
       quantile_cont(hours, 0.5) AS median_business_hours,
       quantile_cont(hours, 0.9) AS p90_business_hours
FROM handoffs_judged($from_ts, $to_ts, $as_of, $source, $campaign, $persona, $icp_tier, $region, $team, $owner)
