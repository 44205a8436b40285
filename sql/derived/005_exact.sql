-- Business time in integer microseconds (DOMAIN.md "Exactness"): the one definition of B(t) and of the unit
-- conversions. B(t) = cum_before_us of the last open span of t's calendar opening at or before t + the part of
-- that span before t (all of it once it has closed), read from the business_spans row an ASOF join on
-- (calendar, open_ts) finds for t. Integers, so B(t2) - B(t1) is exact whatever the table's first day; hours
-- (us / 3.6e9) are for display and quantiles only.
CREATE OR REPLACE MACRO business_us(t, open_ts, span_us, cum_before_us) AS
    cum_before_us + least(greatest(epoch_us(t) - epoch_us(open_ts), 0), span_us);

-- A target or window given in (possibly fractional) hours, as whole microseconds.
CREATE OR REPLACE MACRO hours_to_us(h) AS CAST(round(h * 3600000000) AS BIGINT);

CREATE OR REPLACE MACRO us_to_hours(us) AS us / 3600000000.0;

-- Scores are exact decimals (DOMAIN.md: 0.7*73 + 0.3*43 = 64 meets a threshold of 64). Scores, weights and
-- thresholds are taken to 6 decimal places; products and sums of DECIMALs are exact.
CREATE OR REPLACE MACRO exact_decimal(x) AS CAST(x AS DECIMAL(18, 6));
