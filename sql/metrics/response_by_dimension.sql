-- Response and follow-up by up to two dimensions ($dim, $dim2 from a fixed list; 'none' for a single one):
-- handoffs in [from, to) (by as_of) judged by handoffs_judged, as in response.sql (within_target / breached / pending),
-- attainment, median and p90 business hours of responded handoffs, and follow-up as in follow_up.sql.
-- owner = the lead's owner (a handoff nobody answered still has one); channel = of the first response.
WITH classed AS (
    SELECT CASE $dim WHEN 'owner' THEN coalesce(f.owner_name, f.owner_id) WHEN 'team' THEN f.team
                     WHEN 'channel' THEN CASE WHEN f.first_response_at <= $as_of THEN f.first_response_channel END
                     WHEN 'weekday' THEN CAST(f.handoff_isodow AS VARCHAR)
                     WHEN 'hour' THEN lpad(CAST(f.handoff_hour AS VARCHAR), 2, '0')
                     WHEN 'source' THEN f.source WHEN 'campaign' THEN f.campaign END AS key,
           CASE $dim2 WHEN 'weekday' THEN CAST(f.handoff_isodow AS VARCHAR)
                      WHEN 'hour' THEN lpad(CAST(f.handoff_hour AS VARCHAR), 2, '0')
                      WHEN 'team' THEN f.team END AS key2,
           f.hours, f.status,
           f.window_end_at <= $as_of AS due,
           f.window_end_at <= $as_of AND f.attempts_in_window >= f.min_attempts AS compliant
    FROM handoffs_judged($from_ts, $to_ts, $as_of, $source, $campaign, $persona, $icp_tier, $region, $team, $owner) f
)
SELECT key, key2,
       count(*) AS handoffs,
       count(hours) AS responded,
       count(*) FILTER (WHERE status = 'within_target') AS within_target,
       count(*) FILTER (WHERE status = 'breached') AS breached,
       count(*) FILTER (WHERE status = 'pending') AS pending,
       attainment_of(status) AS attainment,
       quantile_cont(hours, 0.5) AS median_business_hours,
       quantile_cont(hours, 0.9) AS p90_business_hours,
       count(*) FILTER (WHERE due) AS due,
       count(*) FILTER (WHERE compliant) AS compliant,
       CASE WHEN count(*) FILTER (WHERE due) > 0
            THEN count(*) FILTER (WHERE compliant) / count(*) FILTER (WHERE due) END AS follow_up_rate
FROM classed
GROUP BY ALL
ORDER BY key, key2
