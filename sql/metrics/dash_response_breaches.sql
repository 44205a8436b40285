-- Breached handoffs in [from, to) (by as_of), classed as in response.sql: answered later than the target, or
-- unanswered and already past it at as_of (business_hours is then the time elapsed so far). Longest first,
-- at most $limit rows; handoff time in the calendar's zone $tz.
WITH as_of_b AS (
    SELECT d.cum_before + least(greatest(epoch($as_of::TIMESTAMPTZ) - epoch(d.open_ts), 0), d.hours * 3600) / 3600 AS b
    FROM (SELECT $as_of::TIMESTAMPTZ AS t) p ASOF JOIN business_days d ON p.t >= d.day_start_ts
),
judged AS (
    SELECT f.*,
           CASE WHEN f.first_response_at <= $as_of THEN f.response_business_hours END AS hours,
           (SELECT b FROM as_of_b) - f.handoff_b AS elapsed
    FROM lead_scope($source, $campaign, $persona, $icp_tier, $region, $team, $owner) f
    WHERE f.handoff_at >= $from_ts AND f.handoff_at < $to_ts AND f.handoff_at <= $as_of
)
SELECT lead_id, company, coalesce(owner_name, owner_id) AS rep, team, source,
       strftime(timezone($tz, handoff_at), '%Y-%m-%d %H:%M') AS handoff_local,
       response_target_hours AS target_hours,
       round(coalesce(hours, elapsed), 2) AS business_hours,
       hours IS NOT NULL AS responded,
       CASE WHEN hours IS NOT NULL THEN first_response_channel END AS channel
FROM judged
WHERE (hours IS NOT NULL AND hours > response_target_hours) OR (hours IS NULL AND elapsed > response_target_hours)
ORDER BY coalesce(hours, elapsed) DESC, lead_id
LIMIT $limit
