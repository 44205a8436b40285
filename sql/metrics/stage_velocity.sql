-- Days between consecutive ladder stages (entered_at to entered_at, 24-hour days) for leads created in [from, to)
-- that ENTERED both stages by as_of (the <stage>_entered_at columns of sql/derived/020_lead_facts.sql); median and
-- p90 with linear interpolation. A lead that skipped a stage is left out of the two steps touching it, so a skip
-- never counts as a 0-day step (and the step before it does not absorb the skipped stage's time either); a lead that
-- entered the later stage first is not a step forward and is left out of that step.
WITH c AS (
    SELECT inquiry_entered_at, mql_entered_at, sal_entered_at, sql_entered_at, opportunity_entered_at,
           won_entered_at
    FROM lead_scope($source, $campaign, $persona, $icp_tier, $region, $team, $owner)
    WHERE created_at >= $from_ts AND created_at < $to_ts AND created_at <= $as_of
),
pairs AS (
    SELECT 1 AS step, inquiry_entered_at AS t1, mql_entered_at AS t2 FROM c
    UNION ALL SELECT 2, mql_entered_at, sal_entered_at FROM c
    UNION ALL SELECT 3, sal_entered_at, sql_entered_at FROM c
    UNION ALL SELECT 4, sql_entered_at, opportunity_entered_at FROM c
    UNION ALL SELECT 5, opportunity_entered_at, won_entered_at FROM c
),
days AS (
    SELECT step, (epoch(t2) - epoch(t1)) / 86400.0 AS d
    FROM pairs
    WHERE t1 <= $as_of AND t2 <= $as_of AND t2 >= t1  -- entered out of ladder order: not a step forward
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
