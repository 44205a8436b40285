-- The deck's appendix: what data the numbers come from. Row counts and date range of the whole database,
-- the latest import of data (a terms change, mode 'terms', imports none), and how many leads the segment filters keep.
SELECT (SELECT count(*) FROM leads) AS leads,
       (SELECT count(*) FROM stage_events) AS stage_events,
       (SELECT count(*) FROM activities) AS activities,
       (SELECT count(*) FROM reps) AS reps,
       (SELECT min(created_at) FROM leads) AS first_created,
       (SELECT max(created_at) FROM leads) AS last_created,
       greatest((SELECT max(entered_at) FROM stage_events), (SELECT max(occurred_at) FROM activities))
           AS last_event,
       (SELECT source FROM imports WHERE mode <> 'terms' ORDER BY import_id DESC LIMIT 1) AS import_source,
       (SELECT imported_at FROM imports WHERE mode <> 'terms' ORDER BY import_id DESC LIMIT 1) AS imported_at,
       (SELECT count(*) FROM lead_scope($source, $campaign, $persona, $icp_tier, $region, $team, $owner))
           AS leads_in_scope
