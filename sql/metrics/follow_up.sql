-- Follow-up: a handoff in [from, to) is due when its attempt window closed by as_of; compliant when at
-- least min_attempts activities fall in [handoff, window end].
SELECT count(*) FILTER (WHERE window_end_at <= $as_of) AS due,
       count(*) FILTER (WHERE window_end_at <= $as_of AND attempts_in_window >= min_attempts) AS compliant,
       CASE WHEN count(*) FILTER (WHERE window_end_at <= $as_of) > 0
            THEN count(*) FILTER (WHERE window_end_at <= $as_of AND attempts_in_window >= min_attempts)
                 / count(*) FILTER (WHERE window_end_at <= $as_of)
       END AS rate
FROM lead_scope($source, $campaign, $persona, $icp_tier, $region, $team, $owner)
WHERE handoff_at >= $from_ts AND handoff_at < $to_ts AND handoff_at <= $as_of
