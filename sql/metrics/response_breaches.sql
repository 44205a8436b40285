-- Breached handoffs in [from, to) (by as_of), judged by handoffs_judged as in response.sql: answered later than the target, or
-- unanswered and already past it at as_of (business_hours is then the time elapsed so far). Longest first,
-- at most $limit rows; handoff time in the calendar's zone $tz. target_hours is the handoff's own (its tier's, else
-- its version's).
SELECT lead_id, company, coalesce(owner_name, owner_id) AS rep, team, source,
       strftime(timezone($tz, handoff_at), '%Y-%m-%d %H:%M') AS handoff_local,
       response_target_hours AS target_hours, tier,  -- tier: NULL when none matched (the version's own terms)
       round(coalesce(hours, elapsed), 2) AS business_hours,
       hours IS NOT NULL AS responded,
       CASE WHEN hours IS NOT NULL THEN first_response_channel END AS channel
FROM handoffs_judged($from_ts, $to_ts, $as_of, $source, $campaign, $persona, $icp_tier, $region, $team, $owner)
WHERE status = 'breached'
ORDER BY coalesce(hours, elapsed) DESC, lead_id
LIMIT $limit
