-- Reps who own at least one lead handed over in [from, to) (by as_of): the head count behind "MQLs per rep".
SELECT count(DISTINCT owner_id) AS reps
FROM lead_scope($source, $campaign, $persona, $icp_tier, $region, $team, $owner)
WHERE handoff_at >= $from_ts AND handoff_at < $to_ts AND handoff_at <= $as_of AND owner_id IS NOT NULL
