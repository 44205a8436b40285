-- Response-time histogram for the deck: responded handoffs in [from, to) (response seen by as_of) by
-- business hours, in right-closed bins (k*w, (k+1)*w] of width $bucket_hours so that a bin edge at the
-- target splits within_target (<= target) from late exactly; bin $max_bucket collects everything longer.
SELECT least(greatest(CAST(ceil(response_business_hours / $bucket_hours) AS INTEGER) - 1, 0), $max_bucket) AS bucket,
       count(*) AS count
FROM lead_scope($source, $campaign, $persona, $icp_tier, $region, $team, $owner)
WHERE handoff_at >= $from_ts AND handoff_at < $to_ts AND handoff_at <= $as_of
  AND first_response_at <= $as_of
GROUP BY ALL
ORDER BY bucket
