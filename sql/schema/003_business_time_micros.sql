-- Business time in integer microseconds (issue 9): a running sum of DOUBLE hours from the table's first day
-- made B(t2) - B(t1) depend on where the table starts (4 h could come out as 4.000000000000057 and be judged
-- breached). day_us = close - open of each local day and cum_before_us = the sum of day_us over the days
-- before it are exact integers, so differences are exact whatever the first day is. Existing rows are
-- converted from their stored instants (open/close), not from the old doubles.
CREATE TABLE business_days_us (
    day           DATE NOT NULL,
    day_start_ts  TIMESTAMPTZ NOT NULL,  -- local midnight as an instant
    open_ts       TIMESTAMPTZ NOT NULL,  -- = close_ts on non-business days
    close_ts      TIMESTAMPTZ NOT NULL,
    day_us        BIGINT NOT NULL,       -- business microseconds of this day: close_ts - open_ts
    cum_before_us BIGINT NOT NULL,       -- business microseconds from the table's first day to this day's open
    is_business   BOOLEAN NOT NULL,
    holiday       VARCHAR
);
INSERT INTO business_days_us
SELECT day, day_start_ts, open_ts, close_ts,
       epoch_us(close_ts) - epoch_us(open_ts),
       CAST(coalesce(sum(epoch_us(close_ts) - epoch_us(open_ts))
                     OVER (ORDER BY day ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS BIGINT),
       is_business, holiday
FROM business_days;
DROP TABLE business_days;
ALTER TABLE business_days_us RENAME TO business_days;
