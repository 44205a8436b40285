-- Closed-loop events (rejected, recycled, lost, disqualified), one row per event, with its reason.
CREATE OR REPLACE TABLE side_events AS
SELECT e.lead_id, e.stage, e.entered_at,
       CAST(timezone($tz, e.entered_at) AS DATE) AS entered_day,
       coalesce(nullif(trim(e.reason), ''), '(no reason)') AS reason,
       e.actor_id
FROM stage_events e
WHERE e.stage IN ('rejected', 'recycled', 'lost', 'disqualified');
