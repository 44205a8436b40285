-- Business hours to first response for handoffs in [from, to) answered by as_of, in right-closed bins
-- ((k-1)*w, k*w] of width $bin_hours (bin 0 holds exactly 0), cut in integer microseconds so a bin edge at the
-- target splits within from late exactly; bin $max_bin collects everything longer. within_target counts, per
-- bin, the handoffs answered within the target of their OWN version (the status of handoffs_judged), so a
-- period spanning versions with different targets is coloured handoff by handoff.
SELECT least(CAST((response_us + hours_to_us($bin_hours) - 1) // hours_to_us($bin_hours) AS INTEGER), $max_bin) AS bin,
       count(*) AS handoffs,
       count(*) FILTER (WHERE status = 'within_target') AS within_target
FROM handoffs_judged($from_ts, $to_ts, $as_of, $source, $campaign, $persona, $icp_tier, $region, $team, $owner)
WHERE hours IS NOT NULL
GROUP BY ALL
ORDER BY bin
