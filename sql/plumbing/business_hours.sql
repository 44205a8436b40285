-- business_hours(t1, t2) on one calendar ($calendar: '' = [calendar]): (B(t2) - B(t1)) / 3.6e9, zero when
-- t2 <= t1. B(t) in integer microseconds (business_us, sql/derived/005_exact.sql), read from t's span.
WITH points AS (
    SELECT 1 AS k, $t1::TIMESTAMPTZ AS t, $calendar::VARCHAR AS calendar
    UNION ALL
    SELECT 2, $t2::TIMESTAMPTZ, $calendar::VARCHAR
),
b AS (
    SELECT p.k, business_us(p.t, d.open_ts, d.span_us, d.cum_before_us) AS b_us
    FROM points p ASOF JOIN business_spans d ON p.calendar = d.calendar AND p.t >= d.open_ts
)
SELECT CASE WHEN $t2::TIMESTAMPTZ > $t1::TIMESTAMPTZ
            THEN us_to_hours(max(b_us) FILTER (WHERE k = 2) - max(b_us) FILTER (WHERE k = 1))
            ELSE 0.0 END AS business_hours
FROM b
