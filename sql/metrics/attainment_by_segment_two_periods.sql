-- Response attainment per team or per channel of first response ($dim from a fixed list) in the period and in
-- its comparison: the counts the mix-vs-rate decomposition is computed from (sla_review/metrics/mix_rate.py).
-- Each period's handoffs are judged by handoffs_judged at that period's own as_of, as in response.sql:
-- n = judged handoffs (within_target + breached; pending ones are not judged yet), k = within_target.
-- channel is the first response's by that as_of; an unanswered handoff has none (key NULL).
-- n0/k0 = the comparison's, n1/k1 = this period's.
WITH judged AS (
    SELECT 1 AS cur,
           CASE $dim WHEN 'team' THEN team
                     WHEN 'channel' THEN CASE WHEN first_response_at <= $as_of THEN first_response_channel END
           END AS key, status
    FROM handoffs_judged($from_ts, $to_ts, $as_of, $source, $campaign, $persona, $icp_tier, $region, $team, $owner)
    WHERE status <> 'pending'
    UNION ALL
    SELECT 0 AS cur,
           CASE $dim WHEN 'team' THEN team
                     WHEN 'channel' THEN CASE WHEN first_response_at <= $cmp_as_of THEN first_response_channel END
           END AS key, status
    FROM handoffs_judged($cmp_from_ts, $cmp_to_ts, $cmp_as_of, $source, $campaign, $persona, $icp_tier, $region,
                         $team, $owner)
    WHERE status <> 'pending'
)
SELECT key,
       count(*) FILTER (WHERE cur = 0) AS n0,
       count(*) FILTER (WHERE cur = 0 AND status = 'within_target') AS k0,
       count(*) FILTER (WHERE cur = 1) AS n1,
       count(*) FILTER (WHERE cur = 1 AND status = 'within_target') AS k1
FROM judged
GROUP BY key
ORDER BY n1 + n0 DESC, key NULLS LAST
