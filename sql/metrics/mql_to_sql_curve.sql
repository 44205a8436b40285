-- Cumulative MQL→SQL conversion by days since reached_at(mql), for MQLs in [from, to) (by as_of): on day d,
-- of the MQLs already observed for at least d days at as_of, the share that reached sql within d days.
-- Computed from per-day histograms (no lead x day cross join), so it stays cheap at millions of MQLs:
-- converted(d) = #(days_to_sql <= d) - #(converted and observed for less than d days).
WITH m AS (
    SELECT (epoch($as_of::TIMESTAMPTZ) - epoch(mql_at)) / 86400.0 AS age,
           CASE WHEN sql_at <= $as_of THEN greatest(epoch(sql_at) - epoch(mql_at), 0) / 86400.0 END AS dts
    FROM lead_scope($source, $campaign, $persona, $icp_tier, $region, $team, $owner)
    WHERE mql_at >= $from_ts AND mql_at < $to_ts AND mql_at <= $as_of
),
days AS (SELECT unnest(range(0, $max_days + 1)) AS day),
too_young AS (  -- day from which a lead is observed for less than d days
    SELECT CAST(floor(age) AS BIGINT) + 1 AS day, count(*) AS n, count(dts) AS converted
    FROM m GROUP BY 1
),
reached AS (
    SELECT CAST(ceil(dts) AS BIGINT) AS day, count(*) AS n FROM m WHERE dts IS NOT NULL GROUP BY 1
),
running AS (
    SELECT d.day,
           CAST((SELECT count(*) FROM m) - sum(coalesce(y.n, 0)) OVER w AS BIGINT) AS observed,
           CAST(sum(coalesce(r.n, 0)) OVER w - sum(coalesce(y.converted, 0)) OVER w AS BIGINT) AS converted
    FROM days d
    LEFT JOIN too_young y ON y.day = d.day
    LEFT JOIN reached r ON r.day = d.day
    WINDOW w AS (ORDER BY d.day ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
)
SELECT day, observed, converted, CASE WHEN observed > 0 THEN converted / observed END AS rate
FROM running
ORDER BY day
