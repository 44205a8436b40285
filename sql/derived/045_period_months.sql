-- The calendar months a period [from_day, to_day) touches, one row each (month = its first day): the month
-- axis of every monthly metric, so a month with nothing in it still gets its row (and its commitment).
CREATE OR REPLACE MACRO period_months(from_day, to_day) AS TABLE
SELECT CAST(m AS DATE) AS month
FROM generate_series(CAST(date_trunc('month', CAST(from_day AS DATE)) AS TIMESTAMP),
                     CAST(CAST(to_day AS DATE) - 1 AS TIMESTAMP), INTERVAL 1 MONTH) AS g(m);
