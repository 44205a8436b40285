-- The values each sidebar segment filter offers, most common first, with lead counts. Owners carry their
-- display name as the label (the filter keeps owner_id, which lead_scope matches on).
SELECT segment, value, any_value(label) AS label, count(*) AS leads
FROM (
    SELECT 'source' AS segment, source AS value, source AS label FROM lead_facts
    UNION ALL SELECT 'campaign', campaign, campaign FROM lead_facts
    UNION ALL SELECT 'persona', persona, persona FROM lead_facts
    UNION ALL SELECT 'icp_tier', icp_tier, icp_tier FROM lead_facts
    UNION ALL SELECT 'region', region, region FROM lead_facts
    UNION ALL SELECT 'team', team, team FROM lead_facts
    UNION ALL SELECT 'owner', owner_id, coalesce(owner_name, owner_id) FROM lead_facts
) v
WHERE value IS NOT NULL
GROUP BY segment, value
ORDER BY segment, leads DESC, value
