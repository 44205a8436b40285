-- What-if pre-aggregation: leads created in [from, to) (by as_of) counted per exact (fit, engagement) pair,
-- the scores as integers in millionths (exact_decimal, as lead_facts.score uses them), so any weights and
-- thresholds can then be applied to this grid instead of to every lead and give what_if.sql's numbers exactly.
-- Integer scores give at most 101 x 101 rows. Leads without both scores cannot be scored and are left out,
-- as in what_if.sql (a NULL score is never >= t).
-- worked = handed to sales (reached the handoff stage) by as_of: the only leads whose outcome is unbiased.
SELECT CAST(exact_decimal(fit_score) * 1000000 AS BIGINT) AS fit_u,
       CAST(exact_decimal(engagement_score) * 1000000 AS BIGINT) AS eng_u,
       count(*) AS leads,
       count(*) FILTER (WHERE sql_at <= $as_of) AS reached_sql,
       count(*) FILTER (WHERE handoff_at <= $as_of) AS worked,
       count(*) FILTER (WHERE handoff_at <= $as_of AND sql_at <= $as_of) AS worked_sql
FROM lead_scope($source, $campaign, $persona, $icp_tier, $region, $team, $owner)
WHERE created_at >= $from_ts AND created_at < $to_ts AND created_at <= $as_of
  AND fit_score IS NOT NULL AND engagement_score IS NOT NULL
GROUP BY ALL
ORDER BY fit_u, eng_u
