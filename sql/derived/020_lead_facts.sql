-- One row per lead with every milestone the metrics need, built once per import.
-- reached_at(S) = earliest entered_at among ladder stages at or after S (a lead may skip stages).
-- Business hours are B(t2) - B(t1), B read from business_days by an ASOF join on the local day.
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
           lost_at, rejected_at, recycled_at, disqualified_at
    FROM first_entry
),
scored AS (
    -- the score uses the weights in force at created_at (a range join against a handful of versions; an
    -- ASOF join here sorted every lead: 16 of the 173 thread-seconds of this file at 10M leads)
    SELECT l.*, v.name AS created_version,
           v.fit_weight * l.fit_score + v.engagement_weight * l.engagement_score AS score
    FROM leads l
    LEFT JOIN versions_in_force v ON l.created_at >= v.valid_from_ts AND l.created_at < v.valid_to_ts
),
candidates AS (
    -- the handoff is reached_at(handoff_stage) of the version in force at that instant
    SELECT r.lead_id, s.stage,
           CASE s.stage WHEN 'inquiry' THEN r.inquiry_at WHEN 'mql' THEN r.mql_at WHEN 'sal' THEN r.sal_at
                        WHEN 'sql' THEN r.sql_at WHEN 'opportunity' THEN r.opportunity_at
                        ELSE r.won_at END AS t
    FROM reached r CROSS JOIN (SELECT DISTINCT handoff_stage AS stage FROM sla_versions) s
),
handoff AS (
    SELECT c.lead_id,
           min(c.t) AS handoff_at,
           arg_min(v.name, c.t) AS handoff_version,
           arg_min(v.response_target_hours, c.t) AS response_target_hours,
           arg_min(v.min_attempts, c.t) AS min_attempts,
           arg_min(v.window_hours, c.t) AS window_hours
    FROM candidates c ASOF JOIN versions_in_force v ON c.t >= v.valid_from_ts
    WHERE c.t IS NOT NULL AND v.handoff_stage = c.stage
    GROUP BY c.lead_id
),
handoff_b AS (
    SELECT h.*,
           d.cum_before + least(greatest(epoch(h.handoff_at) - epoch(d.open_ts), 0), d.hours * 3600) / 3600
               AS handoff_b
    FROM handoff h ASOF JOIN business_days d ON h.handoff_at >= d.day_start_ts
),
window_end AS (
    -- the instant the attempt window closes: where B reaches B(handoff) + window_hours
    SELECT h.*,
           d.open_ts + to_microseconds(CAST(round((h.handoff_b + h.window_hours - d.cum_before) * 3600e6) AS BIGINT))
               AS window_end_at
    FROM handoff_b h
    ASOF JOIN (SELECT * FROM business_days WHERE is_business) d
        ON h.handoff_b + h.window_hours > d.cum_before
),
responses AS (
    SELECT w.lead_id,
           min(a.occurred_at) FILTER (WHERE a.occurred_at >= w.handoff_at) AS first_response_at,
           arg_min(a.rep_id, a.occurred_at) FILTER (WHERE a.occurred_at >= w.handoff_at) AS first_response_rep,
           arg_min(a.channel, a.occurred_at) FILTER (WHERE a.occurred_at >= w.handoff_at) AS first_response_channel,
           count(*) FILTER (WHERE a.occurred_at BETWEEN w.handoff_at AND w.window_end_at) AS attempts_in_window
    FROM window_end w JOIN activities a USING (lead_id)
    GROUP BY w.lead_id
),
response_b AS (
    SELECT r.*,
           d.cum_before + least(greatest(epoch(r.first_response_at) - epoch(d.open_ts), 0), d.hours * 3600) / 3600
               AS response_b
    FROM responses r ASOF JOIN business_days d ON r.first_response_at >= d.day_start_ts
    WHERE r.first_response_at IS NOT NULL
)
SELECT s.lead_id, s.created_at,
       CAST(timezone($tz, s.created_at) AS DATE) AS created_day,
       s.source, s.campaign, s.persona, s.icp_tier, s.region, s.company, s.owner_id,
       rp.name AS owner_name, rp.team,
       s.fit_score, s.engagement_score, s.score, s.created_version,
       r.inquiry_at, r.mql_at, r.sal_at, r.sql_at, r.opportunity_at, r.won_at,
       r.lost_at, r.rejected_at, r.recycled_at, r.disqualified_at,
       CAST(date_trunc('month', timezone($tz, r.mql_at)) AS DATE) AS mql_month,
       w.handoff_at, w.handoff_version, w.response_target_hours, w.min_attempts, w.window_hours,
       w.handoff_b, w.window_end_at,
       isodow(timezone($tz, w.handoff_at)) AS handoff_isodow,
       hour(timezone($tz, w.handoff_at)) AS handoff_hour,
       resp.first_response_at, resp.first_response_rep, resp.first_response_channel,
       rb.response_b - w.handoff_b AS response_business_hours,
       coalesce(resp.attempts_in_window, 0) AS attempts_in_window
FROM scored s
LEFT JOIN reached r USING (lead_id)
LEFT JOIN window_end w USING (lead_id)
LEFT JOIN responses resp USING (lead_id)
LEFT JOIN response_b rb USING (lead_id)
LEFT JOIN reps rp ON rp.rep_id = s.owner_id;
