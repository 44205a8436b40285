-- Core tables: what an import loads. Timestamps are absolute instants (TIMESTAMPTZ).
-- No PRIMARY KEY constraints: the importer checks uniqueness itself (with a message naming the row),
-- and an ART index over 10M keys would cost memory and import time for nothing.

CREATE TABLE leads (
    lead_id          VARCHAR NOT NULL,
    created_at       TIMESTAMPTZ NOT NULL,
    source           VARCHAR,
    campaign         VARCHAR,
    persona          VARCHAR,
    icp_tier         VARCHAR,
    region           VARCHAR,
    company          VARCHAR,
    fit_score        DOUBLE,
    engagement_score DOUBLE,
    owner_id         VARCHAR
);

CREATE TABLE stage_events (
    lead_id    VARCHAR NOT NULL,
    stage      VARCHAR NOT NULL,
    entered_at TIMESTAMPTZ NOT NULL,
    reason     VARCHAR,
    actor_id   VARCHAR
);

CREATE TABLE activities (
    lead_id     VARCHAR NOT NULL,
    rep_id      VARCHAR,
    occurred_at TIMESTAMPTZ NOT NULL,
    channel     VARCHAR NOT NULL,
    outcome     VARCHAR
);

CREATE TABLE reps (
    rep_id VARCHAR NOT NULL,
    name   VARCHAR,
    team   VARCHAR
);

-- The [calendar] of sla.toml as loaded (one row).
CREATE TABLE calendar_settings (
    timezone        VARCHAR NOT NULL,
    workdays        VARCHAR NOT NULL,   -- e.g. 'Mon,Tue,Wed,Thu,Fri'
    day_start       VARCHAR NOT NULL,
    day_end         VARCHAR NOT NULL,
    day_hours       DOUBLE NOT NULL,    -- the unit of attempt_window_business_days
    holiday_country VARCHAR,
    extra_holidays  VARCHAR             -- comma-separated ISO dates
);

-- One row per local calendar day over the data's span: business time is a lookup, not a loop.
-- cum_before = business hours from the table's first day up to this day's open.
CREATE TABLE business_days (
    day          DATE NOT NULL,
    day_start_ts TIMESTAMPTZ NOT NULL,  -- local midnight as an instant
    open_ts      TIMESTAMPTZ NOT NULL,  -- = close_ts on non-business days
    close_ts     TIMESTAMPTZ NOT NULL,
    hours        DOUBLE NOT NULL,
    cum_before   DOUBLE NOT NULL,
    is_business  BOOLEAN NOT NULL,
    holiday      VARCHAR
);

CREATE TABLE sla_versions (
    name                         VARCHAR NOT NULL,
    effective_from               DATE NOT NULL,
    effective_from_ts            TIMESTAMPTZ NOT NULL,
    mql_threshold                DOUBLE NOT NULL,
    fit_weight                   DOUBLE NOT NULL,
    engagement_weight            DOUBLE NOT NULL,
    handoff_stage                VARCHAR NOT NULL,
    response_target_hours        DOUBLE NOT NULL,
    monthly_mql_commitment       DOUBLE NOT NULL,
    min_attempts                 INTEGER NOT NULL,
    attempt_window_business_days DOUBLE NOT NULL,
    mql_to_sql_target            DOUBLE NOT NULL
);

CREATE SEQUENCE import_seq;
CREATE TABLE imports (
    import_id    BIGINT NOT NULL DEFAULT nextval('import_seq'),
    imported_at  TIMESTAMPTZ NOT NULL,
    source       VARCHAR NOT NULL,
    mode         VARCHAR NOT NULL,      -- replace | append
    is_demo      BOOLEAN NOT NULL,
    leads        BIGINT NOT NULL,
    stage_events BIGINT NOT NULL,
    activities   BIGINT NOT NULL,
    reps         BIGINT NOT NULL
);
