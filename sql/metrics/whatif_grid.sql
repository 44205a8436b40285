-- What-if pre-aggregation: leads created in [from, to) (by as_of) counted per integer (fit, engagement)
-- cell, at most 101 x 101 rows. Scores are rounded to the nearest integer (half away from zero), so any
-- weights and thresholds can then be applied to this small grid instead of to every lead. Leads without
-- both scores cannot be scored and are left out, as in what_if.sql (a NULL score is never >= t).
-- worked = handed to sales (reached the handoff stage) by as_of: the only leads whose outcome is unbiased.
SELECT CAST(round(fit_score) AS SMALLINT) AS fit,
       CAST(round(engagement_score) AS SMALLINT) AS eng,
       count(*) AS leads,
       count(*) FILTER (WHERE sql_at <= $as_of) AS reached_sql,
       count(*) FILTER (WHERE handoff_at <= $as_of) AS worked,
       count(*) FILTER (WHERE handoff_at <= $as_of AND sql_at <= $as_of) AS worked_sql
FROM lead_scope($source, $campaign, $persona, $icp_tier, $region, $team, $owner)
WHERE created_at >= $from_ts AND created_at < $to_ts AND created_at <= $as_of
  AND fit_score IS NOT NULL AND engagement_score IS NOT NULL
GROUP BY ALL
ORDER BY fit, eng
