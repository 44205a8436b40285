-- Funnel (cohort) by one segment: leads created in [from, to) (by as_of) grouped by $segment, with how many
-- reached each ladder stage by as_of. $segment names a lead_facts column from a fixed list (never SQL text).
SELECT coalesce(CASE $segment WHEN 'source' THEN source WHEN 'campaign' THEN campaign WHEN 'persona' THEN persona
                              WHEN 'icp_tier' THEN icp_tier WHEN 'region' THEN region WHEN 'team' THEN team
                              WHEN 'owner' THEN coalesce(owner_name, owner_id) END, '(none)') AS segment,
       count(*) AS leads,
       count(*) FILTER (WHERE inquiry_at <= $as_of) AS inquiry,
       count(*) FILTER (WHERE mql_at <= $as_of) AS mql,
       count(*) FILTER (WHERE sal_at <= $as_of) AS sal,
       count(*) FILTER (WHERE sql_at <= $as_of) AS sql,
       count(*) FILTER (WHERE opportunity_at <= $as_of) AS opportunity,
       count(*) FILTER (WHERE won_at <= $as_of) AS won
FROM lead_scope($source, $campaign, $persona, $icp_tier, $region, $team, $owner)
WHERE created_at >= $from_ts AND created_at < $to_ts AND created_at <= $as_of
GROUP BY ALL
ORDER BY leads DESC, segment
