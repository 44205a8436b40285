-- MQL→SQL by one segment ($segment from a fixed list): MQLs whose reached_at(mql) is in [from, to) (by as_of);
-- converted by as_of (the report's rate) and, among MQLs observed for at least $days days, converted within
-- $days days (24-hour days).
WITH m AS (
    SELECT coalesce(CASE $segment WHEN 'source' THEN source WHEN 'campaign' THEN campaign
                                  WHEN 'persona' THEN persona WHEN 'icp_tier' THEN icp_tier
                                  WHEN 'region' THEN region WHEN 'team' THEN team
                                  WHEN 'owner' THEN coalesce(owner_name, owner_id) END, '(none)') AS segment,
           sql_at <= $as_of AS converted,
           epoch($as_of::TIMESTAMPTZ) - epoch(mql_at) >= $days * 86400 AS mature,
           sql_at <= $as_of AND epoch(sql_at) - epoch(mql_at) <= $days * 86400 AS within
    FROM lead_scope($source, $campaign, $persona, $icp_tier, $region, $team, $owner)
    WHERE mql_at >= $from_ts AND mql_at < $to_ts AND mql_at <= $as_of
)
SELECT segment,
       count(*) AS mqls,
       count(*) FILTER (WHERE converted) AS converted,
       count(*) FILTER (WHERE converted) / count(*) AS rate,
       count(*) FILTER (WHERE mature) AS mature,
       count(*) FILTER (WHERE mature AND within) AS converted_within,
       CASE WHEN count(*) FILTER (WHERE mature) > 0
            THEN count(*) FILTER (WHERE mature AND within) / count(*) FILTER (WHERE mature) END AS rate_within
FROM m
GROUP BY segment
ORDER BY mqls DESC, segment
