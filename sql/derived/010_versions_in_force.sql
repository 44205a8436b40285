-- SLA versions with the span each is in force. The earliest version also covers everything before its
-- effective date, so a lead older than the first agreement still gets a score and targets.
-- [valid_from_ts, valid_to_ts) lets a plain range join find the version of an instant.
CREATE OR REPLACE TABLE versions_in_force AS
SELECT *,
       CASE WHEN row_number() OVER (ORDER BY effective_from) = 1
            THEN '-infinity'::TIMESTAMPTZ ELSE effective_from_ts END AS valid_from_ts,
       CASE WHEN row_number() OVER (ORDER BY effective_from) = 1
            THEN DATE '0001-01-01' ELSE effective_from END AS valid_from_day,
       coalesce(lead(effective_from_ts) OVER (ORDER BY effective_from), 'infinity'::TIMESTAMPTZ) AS valid_to_ts,
       -- the handoff stage's place on the ladder (a lead is handed off at a stage at or past it)
       list_position(['inquiry', 'mql', 'sal', 'sql', 'opportunity', 'won'], handoff_stage) AS handoff_rank
FROM sla_versions;

-- Each calendar's business-day length net of breaks: the unit of attempt_window_business_days on that calendar
-- ('' = [calendar]). A handoff's window is its days x the length of the calendar that counts its hours.
CREATE OR REPLACE TABLE calendar_hours AS
SELECT '' AS calendar, day_hours FROM calendar_settings
UNION ALL
SELECT name, day_hours FROM named_calendars;

-- Does a tier's match hold for a handoff's segments? Each listed segment must hold one of its values (NULL = not
-- listed); the first tier (lowest position) that holds gives the handoff its terms. lead_facts (020) and the
-- proposal replay (sql/metrics/replay.sql) both ask this.
CREATE OR REPLACE MACRO tier_matches(m_source, m_campaign, m_persona, m_icp_tier, m_region, m_team,
                                     source, campaign, persona, icp_tier, region, team) AS
    (m_source IS NULL OR list_contains(m_source, source))
    AND (m_campaign IS NULL OR list_contains(m_campaign, campaign))
    AND (m_persona IS NULL OR list_contains(m_persona, persona))
    AND (m_icp_tier IS NULL OR list_contains(m_icp_tier, icp_tier))
    AND (m_region IS NULL OR list_contains(m_region, region))
    AND (m_team IS NULL OR list_contains(m_team, team));
