-- Follow-up attempts for due handoffs in [from, to) (attempt window closed by as_of, as in follow_up.sql):
-- how many handoffs had 0, 1, 2, ... activities in [handoff, window end]; $max_attempts and more share a bar.
-- compliant counts the handoffs that met the minimum of their OWN version (lead_facts.min_attempts), so a bar
-- may be partly compliant when the versions of the period ask for different minimums.
SELECT least(attempts_in_window, $max_attempts) AS attempts,
       count(*) AS handoffs,
       count(*) FILTER (WHERE attempts_in_window >= min_attempts) AS compliant
FROM lead_scope($source, $campaign, $persona, $icp_tier, $region, $team, $owner)
WHERE handoff_at >= $from_ts AND handoff_at < $to_ts AND handoff_at <= $as_of AND window_end_at <= $as_of
GROUP BY ALL
ORDER BY attempts
