-- Funnel (cohort): leads created in [from, to); for each ladder stage, how many reached it by as_of.
WITH cohort AS (
    SELECT * FROM lead_scope($source, $campaign, $persona, $icp_tier, $region, $team, $owner)
    WHERE created_at >= $from_ts AND created_at < $to_ts AND created_at <= $as_of
)
SELECT * FROM (VALUES
    (1, 'inquiry',     (SELECT count(*) FROM cohort WHERE inquiry_at <= $as_of)),
    (2, 'mql',         (SELECT count(*) FROM cohort WHERE mql_at <= $as_of)),
    (3, 'sal',         (SELECT count(*) FROM cohort WHERE sal_at <= $as_of)),
    (4, 'sql',         (SELECT count(*) FROM cohort WHERE sql_at <= $as_of)),
    (5, 'opportunity', (SELECT count(*) FROM cohort WHERE opportunity_at <= $as_of)),
    (6, 'won',         (SELECT count(*) FROM cohort WHERE won_at <= $as_of))
) AS t(step, stage, count)
ORDER BY step
