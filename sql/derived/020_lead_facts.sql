-- One row per lead with every milestone the metrics need, built once per import.
-- reached_at(S) = earliest entered_at among ladder stages at or after S (a lead may skip stages);
-- <S>_entered_at = the first entered_at of S itself (DOMAIN.md's entered_at(S), NULL when the lead skipped S):
-- right for "reached", a skipped stage filled with the next one's entry would make a skipped step take 0 days,
-- so stage velocity (sql/metrics/stage_velocity.sql) reads the entered_at columns.
-- Business time is B(t2) - B(t1) in integer microseconds on the calendar of the lead's owner's team ([teams],
-- else [calendar]), B read from business_spans by an ASOF join on (calendar, open_ts) (005_exact.sql); the
-- *_hours columns are those micros / 3.6e9, for display and quantiles. A handoff's target, attempts and window
-- come from the first tier of its version it matches (sla_tiers, by position), else from the version.
CREATE OR REPLACE TABLE lead_facts AS
WITH first_entry AS (
    SELECT lead_id,
           min(entered_at) FILTER (WHERE stage = 'inquiry')     AS e_inquiry,
           min(entered_at) FILTER (WHERE stage = 'mql')         AS e_mql,
           min(entered_at) FILTER (WHERE stage = 'sal')         AS e_sal,
           min(entered_at) FILTER (WHERE stage = 'sql')         AS e_sql,
           min(entered_at) FILTER (WHERE stage = 'opportunity') AS e_opportunity,
           min(entered_at) FILTER (WHERE stage = 'won')         AS e_won,
           min(entered_at) FILTER (WHERE stage = 'lost')        AS lost_at,
           min(entered_at) FILTER (WHERE stage = 'rejected')    AS rejected_at,
           min(entered_at) FILTER (WHERE stage = 'recycled')    AS recycled_at,
           min(entered_at) FILTER (WHERE stage = 'disqualified') AS disqualified_at
    FROM stage_events
    GROUP BY lead_id
),
reached AS (
    SELECT lead_id,
           least(e_inquiry, e_mql, e_sal, e_sql, e_opportunity, e_won) AS inquiry_at,
           least(e_mql, e_sal, e_sql, e_opportunity, e_won)            AS mql_at,
           least(e_sal, e_sql, e_opportunity, e_won)                   AS sal_at,
           least(e_sql, e_opportunity, e_won)                          AS sql_at,
           least(e_opportunity, e_won)                                 AS opportunity_at,
           e_won                                                       AS won_at,
           lost_at, rejected_at, recycled_at, disqualified_at,
           e_inquiry, e_mql, e_sal, e_sql, e_opportunity
    FROM first_entry
),
scored AS (
    -- the score uses the weights in force at created_at (a range join against a handful of versions; an
    -- ASOF join here sorted every lead: 16 of the 173 thread-seconds of this file at 10M leads); the owner's
    -- team, and the calendar that team's hours are counted on
    SELECT l.*, v.name AS created_version,
           exact_decimal(v.fit_weight) * exact_decimal(l.fit_score)
               + exact_decimal(v.engagement_weight) * exact_decimal(l.engagement_score) AS score,
           rp.name AS owner_name, rp.team, coalesce(tc.calendar, '') AS calendar
    FROM leads l
    LEFT JOIN versions_in_force v ON l.created_at >= v.valid_from_ts AND l.created_at < v.valid_to_ts
    LEFT JOIN reps rp ON rp.rep_id = l.owner_id
    LEFT JOIN team_calendars tc ON tc.team = rp.team
),
entries AS (
    -- the first entered_at of each ladder stage: the handoff candidates (DOMAIN.md "Handoff across versions")
    SELECT lead_id, list_position(['e_inquiry', 'e_mql', 'e_sal', 'e_sql', 'e_opportunity', 'e_won'], stage) AS rank,
           t
    FROM (UNPIVOT (SELECT lead_id, e_inquiry, e_mql, e_sal, e_sql, e_opportunity, e_won FROM first_entry)
          ON e_inquiry, e_mql, e_sal, e_sql, e_opportunity, e_won INTO NAME stage VALUE t)
),
handoff AS (
    -- handed off at the earliest entry into a stage at or past the handoff stage of the version in force at
    -- that entry; with one handoff stage this is reached_at(handoff_stage)
    SELECT c.lead_id,
           min(c.t) AS handoff_at,
           arg_min(v.name, c.t) AS handoff_version,
           arg_min(v.effective_from, c.t) AS version_from,
           arg_min(v.response_target_hours, c.t) AS version_target_hours,
           arg_min(v.min_attempts, c.t) AS version_min_attempts,
           arg_min(v.attempt_window_business_days, c.t) AS version_window_days
    FROM entries c
    JOIN versions_in_force v ON c.t >= v.valid_from_ts AND c.t < v.valid_to_ts
    WHERE c.rank >= v.handoff_rank
      AND c.rank >= (SELECT min(handoff_rank) FROM versions_in_force)
    GROUP BY c.lead_id
),
handoff_segments AS (
    -- the handoffs with what a tier may match on and the calendar that counts their hours (narrow: only these
    -- columns; joining the wide `scored` here made DuckDB materialise every lead's row a second time)
    SELECT h.*, l.source, l.campaign, l.persona, l.icp_tier, l.region, rp.team, coalesce(tc.calendar, '') AS calendar
    FROM handoff h
    JOIN leads l USING (lead_id)
    LEFT JOIN reps rp ON rp.rep_id = l.owner_id
    LEFT JOIN team_calendars tc ON tc.team = rp.team
),
tier_pick AS (
    -- the first tier (lowest position) of the handoff's version whose every listed segment holds
    SELECT h.lead_id, min(t.position) AS position
    FROM handoff_segments h
    JOIN sla_tiers t ON t.effective_from = h.version_from
    WHERE tier_matches(t.match_source, t.match_campaign, t.match_persona, t.match_icp_tier, t.match_region,
                       t.match_team, h.source, h.campaign, h.persona, h.icp_tier, h.region, h.team)
    GROUP BY h.lead_id
),
terms AS (
    -- the handoff's terms: its tier's where the tier sets them, else its version's; the window in business
    -- hours of the handoff's own calendar; targets in integer microseconds, as business time is counted
    SELECT h.lead_id, h.handoff_at, h.handoff_version, h.calendar, t.name AS tier,
           coalesce(t.response_target_hours, h.version_target_hours) AS response_target_hours,
           hours_to_us(coalesce(t.response_target_hours, h.version_target_hours)) AS response_target_us,
           coalesce(t.min_attempts, h.version_min_attempts) AS min_attempts,
           coalesce(t.attempt_window_business_days, h.version_window_days) AS attempt_window_business_days,
           coalesce(t.attempt_window_business_days, h.version_window_days) * ch.day_hours AS window_hours,
           hours_to_us(coalesce(t.attempt_window_business_days, h.version_window_days) * ch.day_hours) AS window_us
    FROM handoff_segments h
    LEFT JOIN tier_pick p USING (lead_id)
    LEFT JOIN sla_tiers t ON t.effective_from = h.version_from AND t.position = p.position
    LEFT JOIN calendar_hours ch ON ch.calendar = h.calendar
),
handoff_b AS (
    SELECT h.*, business_us(h.handoff_at, d.open_ts, d.span_us, d.cum_before_us) AS handoff_us
    FROM terms h ASOF JOIN business_spans d ON h.calendar = d.calendar AND h.handoff_at >= d.open_ts
),
window_end AS (
    -- the instant the attempt window closes: where B reaches B(handoff) + window (integer microseconds), in
    -- the last open span whose start is before that point; exactly at a close (or a break) it ends there
    SELECT h.*,
           d.open_ts + to_microseconds(h.handoff_us + h.window_us - d.cum_before_us) AS window_end_at
    FROM handoff_b h
    ASOF JOIN (SELECT * FROM business_spans WHERE span_us > 0) d
        ON h.calendar = d.calendar AND h.handoff_us + h.window_us > d.cum_before_us
),
responses AS (
    SELECT w.lead_id, any_value(w.calendar) AS calendar,
           min(a.occurred_at) FILTER (WHERE a.occurred_at >= w.handoff_at) AS first_response_at,
           arg_min(a.rep_id, a.occurred_at) FILTER (WHERE a.occurred_at >= w.handoff_at) AS first_response_rep,
           arg_min(a.channel, a.occurred_at) FILTER (WHERE a.occurred_at >= w.handoff_at) AS first_response_channel,
           count(*) FILTER (WHERE a.occurred_at BETWEEN w.handoff_at AND w.window_end_at) AS attempts_in_window
    FROM window_end w JOIN activities a USING (lead_id)
    GROUP BY w.lead_id
),
response_b AS (
    SELECT r.*, business_us(r.first_response_at, d.open_ts, d.span_us, d.cum_before_us) AS response_b_us
    FROM responses r ASOF JOIN business_spans d
        ON r.calendar = d.calendar AND r.first_response_at >= d.open_ts
    WHERE r.first_response_at IS NOT NULL
)
SELECT s.lead_id, s.created_at,
       CAST(timezone($tz, s.created_at) AS DATE) AS created_day,
       s.source, s.campaign, s.persona, s.icp_tier, s.region, s.company, s.owner_id,
       s.owner_name, s.team, s.calendar,
       s.fit_score, s.engagement_score, s.score, s.created_version,
       r.inquiry_at, r.mql_at, r.sal_at, r.sql_at, r.opportunity_at, r.won_at,
       r.lost_at, r.rejected_at, r.recycled_at, r.disqualified_at,
       r.e_inquiry AS inquiry_entered_at, r.e_mql AS mql_entered_at, r.e_sal AS sal_entered_at,
       r.e_sql AS sql_entered_at, r.e_opportunity AS opportunity_entered_at, r.won_at AS won_entered_at,
       CAST(date_trunc('month', timezone($tz, r.mql_at)) AS DATE) AS mql_month,
       w.handoff_at, w.handoff_version, w.tier, w.response_target_hours, w.response_target_us, w.min_attempts,
       w.attempt_window_business_days, w.window_hours, w.window_us, w.handoff_us, w.window_end_at,
       isodow(timezone($tz, w.handoff_at)) AS handoff_isodow,
       hour(timezone($tz, w.handoff_at)) AS handoff_hour,
       resp.first_response_at, resp.first_response_rep, resp.first_response_channel,
       rb.response_b_us - w.handoff_us AS response_us,
       us_to_hours(rb.response_b_us - w.handoff_us) AS response_business_hours,
       coalesce(resp.attempts_in_window, 0) AS attempts_in_window
FROM scored s
LEFT JOIN reached r USING (lead_id)
LEFT JOIN window_end w USING (lead_id)
LEFT JOIN responses resp USING (lead_id)
LEFT JOIN response_b rb USING (lead_id)
-- stored in creation order: every page filters a period on created_at, mql_at or handoff_at (all within weeks of
-- creation), and DuckDB skips the row groups whose min/max lie outside it. Unordered, the joins above scatter the
-- rows (at 1M leads the default six-month view touched 9 of 9 row groups, ordered 3) and every scan doubled.
ORDER BY s.created_at;
