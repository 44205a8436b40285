-- Response: handoffs in [from, to), first response at or after the handoff (seen by as_of), in business
-- hours; within_target / breached (late, or unanswered and already past the target at as_of) / pending.
WITH as_of_b AS (
    SELECT d.cum_before + least(greatest(epoch($as_of::TIMESTAMPTZ) - epoch(d.open_ts), 0), d.hours * 3600) / 3600 AS b
    FROM (SELECT $as_of::TIMESTAMPTZ AS t) p ASOF JOIN business_days d ON p.t >= d.day_start_ts
),
judged AS (
    SELECT f.response_target_hours AS target,
           CASE WHEN f.first_response_at <= $as_of THEN f.response_business_hours END AS hours,
           (SELECT b FROM as_of_b) - f.handoff_b AS elapsed
    FROM lead_scope($source, $campaign, $persona, $icp_tier, $region, $team, $owner) f
    WHERE f.handoff_at >= $from_ts AND f.handoff_at < $to_ts AND f.handoff_at <= $as_of
),
classed AS (
    SELECT hours,
           CASE WHEN hours IS NOT NULL AND hours <= target THEN 'within_target'
                WHEN hours IS NOT NULL OR elapsed > target THEN 'breached'
                ELSE 'pending' END AS status
    FROM judged
)
SELECT count(*) AS handoffs,
       count(hours) AS responded,
       count(*) FILTER (WHERE status = 'within_target') AS within_target,
       count(*) FILTER (WHERE status = 'breached') AS breached,
       count(*) FILTER (WHERE status = 'pending') AS pending,
       CASE WHEN count(*) FILTER (WHERE status <> 'pending') > 0
            THEN count(*) FILTER (WHERE status = 'within_target') / count(*) FILTER (WHERE status <> 'pending')
       END AS attainment,
       quantile_cont(hours, 0.5) AS median_business_hours,
       quantile_cont(hours, 0.9) AS p90_business_hours
FROM classed
