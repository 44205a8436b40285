-- What-if at each threshold t: leads created in [from, to) with score >= t; volume, reached sql by as_of.
-- score is an exact DECIMAL (lead_facts); t is compared as a DECIMAL too, so 0.7*73 + 0.3*43 meets 64.
WITH cohort AS (
    SELECT score, sql_at <= $as_of AS converted
    FROM lead_scope($source, $campaign, $persona, $icp_tier, $region, $team, $owner)
    WHERE created_at >= $from_ts AND created_at < $to_ts AND created_at <= $as_of
)
SELECT t.threshold,
       count(c.score) AS volume,
       count(c.score) FILTER (WHERE c.converted) AS reached_sql,
       CASE WHEN count(c.score) > 0 THEN count(c.score) FILTER (WHERE c.converted) / count(c.score) END AS sql_rate
FROM (SELECT unnest($thresholds::DOUBLE[]) AS threshold) t
LEFT JOIN cohort c ON c.score >= exact_decimal(t.threshold)
GROUP BY t.threshold
ORDER BY t.threshold
