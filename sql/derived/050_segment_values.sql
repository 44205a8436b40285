-- The sidebar's segment filter options with lead counts, once per import: seven scans of lead_facts
-- took ~1 s at 10M leads, on the first page view after every import.
CREATE OR REPLACE TABLE segment_values AS
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
GROUP BY segment, value;
