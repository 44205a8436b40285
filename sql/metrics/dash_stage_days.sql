-- Days between consecutive ladder stages (reached_at to reached_at, 24-hour days) for leads created in
-- [from, to) that reached both by as_of; median and p90 with linear interpolation. A skipped stage is
-- reached together with the later one, so its step takes 0 days and the step before it holds the time.
WITH c AS (
    SELECT * FROM lead_scope($source, $campaign, $persona, $icp_tier, $region, $team, $owner)
    WHERE created_at >= $from_ts AND created_at < $to_ts AND created_at <= $as_of
),
pairs AS (
    SELECT 1 AS step, inquiry_at AS t1, mql_at AS t2 FROM c
    UNION ALL SELECT 2, mql_at, sal_at FROM c
    UNION ALL SELECT 3, sal_at, sql_at FROM c
    UNION ALL SELECT 4, sql_at, opportunity_at FROM c
    UNION ALL SELECT 5, opportunity_at, won_at FROM c
),
days AS (
    SELECT step, (epoch(t2) - epoch(t1)) / 86400.0 AS d
    FROM pairs
    WHERE t1 <= $as_of AND t2 <= $as_of
)
SELECT s.step, s.from_stage, s.to_stage,
       count(d.d) AS leads,
       quantile_cont(d.d, 0.5) AS median_days,
       quantile_cont(d.d, 0.9) AS p90_days
FROM (VALUES (1, 'inquiry', 'mql'), (2, 'mql', 'sal'), (3, 'sal', 'sql'), (4, 'sql', 'opportunity'),
             (5, 'opportunity', 'won')) AS s(step, from_stage, to_stage)
LEFT JOIN days d USING (step)
GROUP BY ALL
ORDER BY s.step
