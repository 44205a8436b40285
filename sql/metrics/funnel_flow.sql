-- Funnel (flow): leads whose reached_at(S) falls in [from, to) (seen by as_of), whenever they were created.
-- The mql row therefore equals the report's mql_count; a lead that skipped a stage reaches it with the later one.
WITH c AS (
    SELECT count(*) FILTER (WHERE inquiry_at >= $from_ts AND inquiry_at < $to_ts AND inquiry_at <= $as_of) AS inquiry,
           count(*) FILTER (WHERE mql_at >= $from_ts AND mql_at < $to_ts AND mql_at <= $as_of) AS mql,
           count(*) FILTER (WHERE sal_at >= $from_ts AND sal_at < $to_ts AND sal_at <= $as_of) AS sal,
           count(*) FILTER (WHERE sql_at >= $from_ts AND sql_at < $to_ts AND sql_at <= $as_of) AS sql,
           count(*) FILTER (WHERE opportunity_at >= $from_ts AND opportunity_at < $to_ts
                                  AND opportunity_at <= $as_of) AS opportunity,
           count(*) FILTER (WHERE won_at >= $from_ts AND won_at < $to_ts AND won_at <= $as_of) AS won
    FROM lead_scope($source, $campaign, $persona, $icp_tier, $region, $team, $owner)
)
SELECT s.step, s.stage,
       CASE s.stage WHEN 'inquiry' THEN c.inquiry WHEN 'mql' THEN c.mql WHEN 'sal' THEN c.sal
                    WHEN 'sql' THEN c.sql WHEN 'opportunity' THEN c.opportunity ELSE c.won END AS count
FROM c CROSS JOIN (VALUES (1, 'inquiry'), (2, 'mql'), (3, 'sal'), (4, 'sql'), (5, 'opportunity'), (6, 'won'))
    AS s(step, stage)
ORDER BY s.step
