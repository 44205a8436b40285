-- business_hours(t1, t2) for one pair of instants: (B(t2) - B(t1)) / 3.6e9, zero when t2 <= t1.
-- B(t) in integer microseconds (business_us, sql/derived/005_exact.sql), read from t's local day.
WITH points AS (
    SELECT 1 AS k, $t1::TIMESTAMPTZ AS t
    UNION ALL
    SELECT 2, $t2::TIMESTAMPTZ
),
b AS (
    SELECT p.k, business_us(p.t, d.open_ts, d.day_us, d.cum_before_us) AS b_us
    FROM points p ASOF JOIN business_days d ON p.t >= d.day_start_ts
)
SELECT CASE WHEN $t2::TIMESTAMPTZ > $t1::TIMESTAMPTZ
            THEN us_to_hours(max(b_us) FILTER (WHERE k = 2) - max(b_us) FILTER (WHERE k = 1))
            ELSE 0.0 END AS business_hours
FROM b
