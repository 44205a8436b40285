-- SLA versions in force at some time in [from, to), oldest first, with the date each stopped being in force.
-- The first version also covers everything before its effective date (as in versions_in_force).
WITH spans AS (
    SELECT *, lead(effective_from) OVER (ORDER BY effective_from) AS effective_until
    FROM versions_in_force
)
SELECT name, effective_from, effective_until, mql_threshold, fit_weight, engagement_weight, handoff_stage,
       response_target_hours, monthly_mql_commitment, min_attempts, attempt_window_business_days,
       mql_to_sql_target
FROM spans
WHERE valid_from_day < $to_day AND (effective_until IS NULL OR effective_until > $from_day)
ORDER BY effective_from
