-- Business hours to first response for handoffs in [from, to) answered by as_of, in right-closed bins
-- ((k-1)*w, k*w] of width $bin_hours (bin 0 holds exactly 0), so a bin edge at the target splits
-- within_target (<= target) from late exactly (integer microseconds); bin $max_bin collects everything longer.
SELECT least(CAST((response_us + hours_to_us($bin_hours) - 1) // hours_to_us($bin_hours) AS INTEGER), $max_bin) AS bin,
       count(*) AS handoffs
FROM lead_scope($source, $campaign, $persona, $icp_tier, $region, $team, $owner)
WHERE handoff_at >= $from_ts AND handoff_at < $to_ts AND handoff_at <= $as_of
  AND first_response_at <= $as_of
GROUP BY ALL
ORDER BY bin
