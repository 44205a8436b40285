-- Response by tier (DOMAIN.md "Tiered targets"): the handoffs of [from, to) grouped by the tier that set their
-- target (lead_facts.tier; NULL = no tier matched, reported as $default_tier), each judged against its own
-- target. Tiers of the same name in different versions merge; target_hours lists the distinct targets they had
-- (counted per (tier, target) first: a list of every handoff's target would cost more than the counts).
WITH by_target AS (
    SELECT coalesce(tier, $default_tier) AS tier, response_target_hours,
           count(*) AS handoffs,
           count(*) FILTER (WHERE status = 'within_target') AS within_target,
           count(*) FILTER (WHERE status = 'breached') AS breached,
           count(*) FILTER (WHERE status = 'pending') AS pending
    FROM handoffs_judged($from_ts, $to_ts, $as_of, $source, $campaign, $persona, $icp_tier, $region, $team, $owner)
    GROUP BY ALL
)
SELECT tier,
       sum(handoffs)::BIGINT AS handoffs,
       sum(within_target)::BIGINT AS within_target,
       sum(breached)::BIGINT AS breached,
       sum(pending)::BIGINT AS pending,
       CASE WHEN sum(within_target + breached) > 0 THEN sum(within_target) / sum(within_target + breached) END
           AS attainment,
       list(response_target_hours ORDER BY response_target_hours) AS target_hours
FROM by_target
GROUP BY tier
