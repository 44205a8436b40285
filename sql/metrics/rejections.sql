-- Rejections: `rejected` events entered in [from, to) (by as_of), counted by reason.
SELECT e.reason, count(*) AS count
FROM side_scope($source, $campaign, $persona, $icp_tier, $region, $team, $owner) e
WHERE e.stage = 'rejected' AND e.entered_at >= $from_ts AND e.entered_at < $to_ts AND e.entered_at <= $as_of
GROUP BY e.reason
ORDER BY count DESC, e.reason
