-- Tiered targets and several calendars (issue 13; DOMAIN.md "Tiered targets and several calendars").
-- [calendar] gains its breaks ('12:00-13:00,15:00-15:15', local wall-clock times) and holiday subdivision;
-- [calendars.NAME] and [teams] get tables of their own; each version's [[versions.tiers]] are rows keyed by the
-- version's effective_from (unique; names need not be). An old database keeps working unchanged: no breaks, no
-- named calendars, no tiers.
ALTER TABLE calendar_settings ADD COLUMN breaks VARCHAR DEFAULT '';
ALTER TABLE calendar_settings ADD COLUMN holiday_subdivision VARCHAR;

CREATE TABLE named_calendars (
    name                VARCHAR NOT NULL,
    position            INTEGER NOT NULL,   -- order in sla.toml
    timezone            VARCHAR NOT NULL,
    workdays            VARCHAR NOT NULL,
    day_start           VARCHAR NOT NULL,
    day_end             VARCHAR NOT NULL,
    day_hours           DOUBLE NOT NULL,    -- net of breaks: the unit of attempt_window_business_days
    holiday_country     VARCHAR,
    extra_holidays      VARCHAR,
    breaks              VARCHAR NOT NULL,
    holiday_subdivision VARCHAR
);

CREATE TABLE team_calendars (
    team     VARCHAR NOT NULL,   -- reps.team, exactly as imported
    calendar VARCHAR NOT NULL    -- a named_calendars.name
);

CREATE TABLE sla_tiers (
    effective_from               DATE NOT NULL,     -- the version's
    position                     INTEGER NOT NULL,  -- first match wins
    name                         VARCHAR NOT NULL,
    match_source                 VARCHAR[],         -- NULL: the tier does not look at this segment
    match_campaign               VARCHAR[],
    match_persona                VARCHAR[],
    match_icp_tier               VARCHAR[],
    match_region                 VARCHAR[],
    match_team                   VARCHAR[],
    response_target_hours        DOUBLE,            -- NULL: the version's own value
    min_attempts                 INTEGER,
    attempt_window_business_days DOUBLE
);

-- Business time per calendar as its open spans (a day with a lunch break has two). B(t) = cum_before_us of the
-- last span opening at or before t + the part of that span before t; the first row of each calendar is a
-- zero-length span at the table's first midnight, so every instant inside the table finds a row. The old one-row-
-- per-day table converts losslessly: its business days become the default calendar's ('') spans.
CREATE TABLE business_spans (
    calendar      VARCHAR NOT NULL,  -- '' = [calendar]; else a named_calendars.name
    open_ts       TIMESTAMPTZ NOT NULL,
    close_ts      TIMESTAMPTZ NOT NULL,
    span_us       BIGINT NOT NULL,   -- close_ts - open_ts
    cum_before_us BIGINT NOT NULL    -- business microseconds of this calendar before open_ts
);
INSERT INTO business_spans
SELECT * FROM (SELECT '', day_start_ts, day_start_ts, 0::BIGINT, 0::BIGINT FROM business_days ORDER BY day LIMIT 1)
UNION ALL
SELECT '', open_ts, close_ts, day_us, cum_before_us FROM business_days WHERE is_business AND day_us > 0;
DROP TABLE business_days;
