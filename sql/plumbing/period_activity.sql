-- How much happened in [from, to) (by as_of) for the filtered leads: leads created, MQLs reached, handoffs
-- and closed-loop events. All zero means a page has nothing to show and says so instead of drawing.
-- One range-filtered count per milestone: each WHERE lets DuckDB skip row groups by their min/max.
SELECT (SELECT count(*) FROM lead_scope($source, $campaign, $persona, $icp_tier, $region, $team, $owner)
        WHERE created_at >= $from_ts AND created_at < $to_ts AND created_at <= $as_of) AS created,
       (SELECT count(*) FROM lead_scope($source, $campaign, $persona, $icp_tier, $region, $team, $owner)
        WHERE mql_at >= $from_ts AND mql_at < $to_ts AND mql_at <= $as_of) AS mqls,
       (SELECT count(*) FROM lead_scope($source, $campaign, $persona, $icp_tier, $region, $team, $owner)
        WHERE handoff_at >= $from_ts AND handoff_at < $to_ts AND handoff_at <= $as_of) AS handoffs,
       (SELECT count(*) FROM side_scope($source, $campaign, $persona, $icp_tier, $region, $team, $owner) e
        WHERE e.entered_at >= $from_ts AND e.entered_at < $to_ts AND e.entered_at <= $as_of) AS side_events
