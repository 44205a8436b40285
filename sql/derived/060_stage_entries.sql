-- One row per lead with the first entered_at of each ladder stage it actually entered (DOMAIN.md's
-- entered_at(S); NULL when the lead skipped S). reached_at in lead_facts fills a skipped stage with the next
-- one's entry, which is right for "reached" but would make a skipped step take 0 days; stage velocity reads
-- this table instead, so each step is measured only over leads that entered both of its stages.
CREATE OR REPLACE TABLE stage_entries AS
SELECT lead_id,
       min(entered_at) FILTER (WHERE stage = 'inquiry')     AS inquiry_entered_at,
       min(entered_at) FILTER (WHERE stage = 'mql')         AS mql_entered_at,
       min(entered_at) FILTER (WHERE stage = 'sal')         AS sal_entered_at,
       min(entered_at) FILTER (WHERE stage = 'sql')         AS sql_entered_at,
       min(entered_at) FILTER (WHERE stage = 'opportunity') AS opportunity_entered_at,
       min(entered_at) FILTER (WHERE stage = 'won')         AS won_entered_at
FROM stage_events
WHERE stage IN ('inquiry', 'mql', 'sal', 'sql', 'opportunity', 'won')
GROUP BY lead_id;
