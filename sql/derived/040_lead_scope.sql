-- The segment filter every metric applies: a NULL list means "all"; otherwise the value must be listed.
CREATE OR REPLACE MACRO lead_scope(p_source, p_campaign, p_persona, p_icp_tier, p_region, p_team, p_owner) AS TABLE
SELECT * FROM lead_facts
WHERE (p_source IS NULL OR list_contains(p_source, source))
  AND (p_campaign IS NULL OR list_contains(p_campaign, campaign))
  AND (p_persona IS NULL OR list_contains(p_persona, persona))
  AND (p_icp_tier IS NULL OR list_contains(p_icp_tier, icp_tier))
  AND (p_region IS NULL OR list_contains(p_region, region))
  AND (p_team IS NULL OR list_contains(p_team, team))
  AND (p_owner IS NULL OR list_contains(p_owner, owner_id));

-- The same filter on closed-loop events (side_events carries its lead's segments).
CREATE OR REPLACE MACRO side_scope(p_source, p_campaign, p_persona, p_icp_tier, p_region, p_team, p_owner) AS TABLE
SELECT * FROM side_events
WHERE (p_source IS NULL OR list_contains(p_source, source))
  AND (p_campaign IS NULL OR list_contains(p_campaign, campaign))
  AND (p_persona IS NULL OR list_contains(p_persona, persona))
  AND (p_icp_tier IS NULL OR list_contains(p_icp_tier, icp_tier))
  AND (p_region IS NULL OR list_contains(p_region, region))
  AND (p_team IS NULL OR list_contains(p_team, team))
  AND (p_owner IS NULL OR list_contains(p_owner, owner_id));
