-- How much happened in [from, to) (by as_of) for the filtered leads: leads created, MQLs reached, handoffs
-- and closed-loop events. All zero means a page has nothing to show and says so instead of drawing.
SELECT count(*) FILTER (WHERE created_at >= $from_ts AND created_at < $to_ts AND created_at <= $as_of) AS created,
       count(*) FILTER (WHERE mql_at >= $from_ts AND mql_at < $to_ts AND mql_at <= $as_of) AS mqls,
       count(*) FILTER (WHERE handoff_at >= $from_ts AND handoff_at < $to_ts AND handoff_at <= $as_of) AS handoffs,
       (SELECT count(*) FROM side_events e
        SEMI JOIN lead_scope($source, $campaign, $persona, $icp_tier, $region, $team, $owner) s
            ON s.lead_id = e.lead_id
        WHERE e.entered_at >= $from_ts AND e.entered_at < $to_ts AND e.entered_at <= $as_of) AS side_events
FROM lead_scope($source, $campaign, $persona, $icp_tier, $region, $team, $owner)
