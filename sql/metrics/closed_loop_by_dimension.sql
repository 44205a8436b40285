-- Closed loop: rejected and recycled events entered in [from, to) (by as_of), counted by stage and one
-- dimension ($dim from a fixed list): reason, source, campaign, score band (10 points wide) or local month.
SELECT e.stage,
       coalesce(CASE $dim WHEN 'reason' THEN e.reason WHEN 'source' THEN e.source WHEN 'campaign' THEN e.campaign
                          WHEN 'band' THEN lpad(CAST(CAST(least(floor(e.score / 10) * 10, 90) AS INTEGER) AS VARCHAR), 3, '0')
                          WHEN 'month' THEN strftime(e.entered_day, '%Y-%m') END, '(none)') AS key,
       count(*) AS count
FROM side_scope($source, $campaign, $persona, $icp_tier, $region, $team, $owner) e
WHERE e.stage IN ('rejected', 'recycled')
  AND e.entered_at >= $from_ts AND e.entered_at < $to_ts AND e.entered_at <= $as_of
GROUP BY ALL
ORDER BY count DESC, key, e.stage
