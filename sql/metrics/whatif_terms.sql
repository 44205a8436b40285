-- The SLA version in force at as_of: the latest effective_from on or before it (the first version also
-- covers everything before its date). Its threshold marks where observed conversion stops being trustworthy.
SELECT name, mql_threshold, fit_weight, engagement_weight, monthly_mql_commitment, mql_to_sql_target,
       response_target_hours
FROM versions_in_force
WHERE valid_from_ts <= $as_of
ORDER BY valid_from_ts DESC
LIMIT 1
