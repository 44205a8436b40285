-- Response by tier (DOMAIN.md "Tiered targets"): the handoffs of [from, to) grouped by the tier that set their
-- target (lead_facts.tier; NULL = no tier matched, reported as $default_tier), each judged against its own
-- target. Tiers of the same name in different versions merge; target_hours lists the distinct targets they had.
SELECT coalesce(tier, $default_tier) AS tier,
       count(*) AS handoffs,
       count(*) FILTER (WHERE status = 'within_target') AS within_target,
       count(*) FILTER (WHERE status = 'breached') AS breached,
       count(*) FILTER (WHERE status = 'pending') AS pending,
       CASE WHEN count(*) FILTER (WHERE status <> 'pending') > 0
            THEN count(*) FILTER (WHERE status = 'within_target') / count(*) FILTER (WHERE status <> 'pending')
       END AS attainment,
       list_sort(list_distinct(list(response_target_hours))) AS target_hours
FROM handoffs_judged($from_ts, $to_ts, $as_of, $source, $campaign, $persona, $icp_tier, $region, $team, $owner)
GROUP BY ALL
