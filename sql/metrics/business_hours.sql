-- business_hours(t1, t2) for one pair of instants: B(t2) - B(t1), zero when t2 <= t1.
-- B(t) = cum_before of t's local day + the part of that day's [open, close) before t.
WITH points AS (
    SELECT 1 AS k, $t1::TIMESTAMPTZ AS t
    UNION ALL
    SELECT 2, $t2::TIMESTAMPTZ
),
b AS (
    SELECT p.k,
           d.cum_before + least(greatest(epoch(p.t) - epoch(d.open_ts), 0), d.hours * 3600) / 3600 AS b
    FROM points p ASOF JOIN business_days d ON p.t >= d.day_start_ts
)
SELECT CASE WHEN $t2::TIMESTAMPTZ > $t1::TIMESTAMPTZ
            THEN max(b) FILTER (WHERE k = 2) - max(b) FILTER (WHERE k = 1)
            ELSE 0.0 END AS business_hours
FROM b
