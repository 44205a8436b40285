-- Replay: the handoffs of [from, to) (by as_of) judged under ONE set of terms, as if they had been in force for
-- the whole period -- the negotiation room's "what would this SLA have meant" (sla_review.metrics.proposals).
-- The terms come as parameters: $handoff_stage, $response_target_hours, $min_attempts, $window_days and $tiers
-- (first match by position, each override optional), so a draft is replayed without writing anything.
-- Every step is lead_facts' (sql/derived/020_lead_facts.sql) with the version's terms swapped for these: the
-- handoff is reached_at(handoff_stage) (DOMAIN.md: with one handoff stage), counted on the owner's team calendar;
-- the first response is the earliest activity at or after it; the window closes where B reaches B(handoff) +
-- window days x that calendar's net day length; the verdict is response_status (040_lead_scope.sql), in
-- integer microseconds. tests/metrics/test_proposals.py checks that the in-force terms replayed over a period
-- one version covers give the report's response and follow-up exactly.
-- Speed: where a lead's replayed handoff is the instant lead_facts already holds, its B(handoff), first response
-- and response time are lead_facts' own (the same definition, already computed at import), and where its window
-- is also the same length so are its window end and attempts; only the other leads go through the ASOF joins
-- and the activities (a proposal that changes targets or the threshold recomputes nothing per lead).
-- One pass, one row per grouping set: grain 'all' (the period), 'month' (the handoff's local month), 'tier'
-- and 'load' (a rep's handoffs in the ISO week of the handoff, bucketed at $load_edges; owned handoffs only).
WITH tiers AS (
    SELECT unnest($tiers::STRUCT(position INTEGER, name VARCHAR, source VARCHAR[], campaign VARCHAR[],
                                 persona VARCHAR[], icp_tier VARCHAR[], region VARCHAR[], team VARCHAR[],
                                 response_target_hours DOUBLE, min_attempts INTEGER,
                                 attempt_window_business_days DOUBLE)[], recursive := true)
),
handoffs AS (
    SELECT *
    FROM (SELECT lead_id, owner_id, source, campaign, persona, icp_tier, region, team, calendar,
                 CASE $handoff_stage WHEN 'inquiry' THEN inquiry_at WHEN 'mql' THEN mql_at WHEN 'sal' THEN sal_at
                      WHEN 'sql' THEN sql_at WHEN 'opportunity' THEN opportunity_at WHEN 'won' THEN won_at
                 END AS handoff_at,
                 handoff_at AS stored_handoff_at, handoff_us AS stored_handoff_us, window_us AS stored_window_us,
                 window_end_at AS stored_window_end_at, attempts_in_window AS stored_attempts,
                 first_response_at AS stored_first_response_at, response_us AS stored_response_us
          FROM lead_scope($source, $campaign, $persona, $icp_tier, $region, $team, $owner))
    WHERE handoff_at >= $from_ts AND handoff_at < $to_ts AND handoff_at <= $as_of
),
tier_pick AS (
    SELECT h.lead_id, min(t.position) AS position
    FROM handoffs h
    JOIN tiers t ON tier_matches(t.source, t.campaign, t.persona, t.icp_tier, t.region, t.team,
                                 h.source, h.campaign, h.persona, h.icp_tier, h.region, h.team)
    GROUP BY h.lead_id
),
terms AS (
    SELECT h.*, t.name AS tier,
           hours_to_us(coalesce(t.response_target_hours, $response_target_hours)) AS response_target_us,
           coalesce(t.min_attempts, $min_attempts) AS min_attempts,
           hours_to_us(coalesce(t.attempt_window_business_days, $window_days) * ch.day_hours) AS window_us,
           h.handoff_at = h.stored_handoff_at AS same_handoff
    FROM handoffs h
    LEFT JOIN tier_pick p USING (lead_id)
    LEFT JOIN tiers t ON t.position = p.position
    LEFT JOIN calendar_hours ch ON ch.calendar = h.calendar
),
handoff_b AS (
    SELECT h.*, h.stored_handoff_us AS handoff_us FROM terms h WHERE h.same_handoff
    UNION ALL
    SELECT h.*, business_us(h.handoff_at, d.open_ts, d.span_us, d.cum_before_us) AS handoff_us
    FROM (SELECT * FROM terms WHERE same_handoff IS NOT TRUE) h
    ASOF JOIN business_spans d ON h.calendar = d.calendar AND h.handoff_at >= d.open_ts
),
window_end AS (
    -- the window ends where B reaches B(handoff) + window, in the last open span starting before that point
    SELECT h.*, h.stored_window_end_at AS window_end_at,
           h.same_handoff AND h.window_us = h.stored_window_us AS same_window
    FROM handoff_b h WHERE h.same_handoff AND h.window_us = h.stored_window_us
    UNION ALL
    SELECT h.*, d.open_ts + to_microseconds(h.handoff_us + h.window_us - d.cum_before_us) AS window_end_at,
           false AS same_window
    FROM (SELECT * FROM handoff_b WHERE NOT (same_handoff AND window_us = stored_window_us) IS NOT FALSE) h
    ASOF JOIN (SELECT * FROM business_spans WHERE span_us > 0) d
        ON h.calendar = d.calendar AND h.handoff_us + h.window_us > d.cum_before_us
),
responses AS (
    -- the other leads' first response (a new handoff) and attempts in window (a new handoff or window)
    SELECT w.lead_id,
           min(a.occurred_at) FILTER (WHERE a.occurred_at >= w.handoff_at) AS first_response_at,
           count(*) FILTER (WHERE a.occurred_at BETWEEN w.handoff_at AND w.window_end_at) AS attempts_in_window
    FROM (SELECT * FROM window_end WHERE NOT same_window) w JOIN activities a USING (lead_id)
    GROUP BY w.lead_id
),
response_b AS (
    SELECT r.lead_id, r.attempts_in_window,
           CASE WHEN w.same_handoff THEN w.stored_first_response_at ELSE r.first_response_at END
               AS first_response_at,
           CASE WHEN w.same_handoff THEN w.stored_response_us
                ELSE business_us(r.first_response_at, d.open_ts, d.span_us, d.cum_before_us) - w.handoff_us
           END AS response_us
    FROM responses r
    JOIN window_end w USING (lead_id)
    ASOF LEFT JOIN business_spans d ON w.calendar = d.calendar AND r.first_response_at >= d.open_ts
),
as_of_b AS (
    SELECT c.calendar, business_us(c.t, d.open_ts, d.span_us, d.cum_before_us) AS b_us
    FROM (SELECT calendar, CAST($as_of AS TIMESTAMPTZ) AS t FROM calendar_hours) c
    ASOF JOIN business_spans d ON c.calendar = d.calendar AND c.t >= d.open_ts
),
judged AS (
    SELECT w.owner_id, w.tier, w.response_target_us, w.min_attempts, w.window_end_at,
           CASE WHEN w.same_window THEN w.stored_attempts ELSE coalesce(r.attempts_in_window, 0) END AS attempts,
           CASE WHEN w.same_window THEN
                    CASE WHEN w.stored_first_response_at <= $as_of THEN w.stored_response_us END
                WHEN r.first_response_at <= $as_of THEN r.response_us END AS hours_us,
           a.b_us - w.handoff_us AS elapsed_us,
           strftime(date_trunc('month', timezone($tz, w.handoff_at)), '%Y-%m') AS month,
           date_trunc('week', timezone($tz, w.handoff_at)) AS week
    FROM window_end w
    LEFT JOIN response_b r USING (lead_id)
    LEFT JOIN as_of_b a ON a.calendar = w.calendar
),
rep_weeks AS (
    -- a rep's handoffs in each ISO week: the load a handoff arrived in, and its bucket
    SELECT k.owner_id, k.week, k.load, e.low AS load_low
    FROM (SELECT owner_id, week, count(*) AS load FROM judged WHERE owner_id IS NOT NULL GROUP BY ALL) k
    ASOF JOIN (SELECT unnest($load_edges::BIGINT[]) AS low) e ON k.load >= e.low
),
bucketed AS (
    SELECT j.*, response_status(j.hours_us, j.elapsed_us, j.response_target_us) AS status,
           us_to_hours(j.hours_us) AS hours, k.load_low
    FROM judged j
    LEFT JOIN rep_weeks k ON k.owner_id = j.owner_id AND k.week = j.week
),
grouped AS (
    SELECT CASE WHEN grouping(month) = 0 THEN 'month' WHEN grouping(tier) = 0 THEN 'tier'
                WHEN grouping(load_low) = 0 THEN 'load' ELSE 'all' END AS grain,
           month, tier, load_low,
           count(*) AS handoffs,
           count(hours) AS responded,
           count(*) FILTER (WHERE status = 'within_target') AS within_target,
           count(*) FILTER (WHERE status = 'breached') AS breached,
           count(*) FILTER (WHERE status = 'pending') AS pending,
           attainment_of(status) AS attainment,
           quantile_cont(hours, 0.5) AS median_business_hours,
           quantile_cont(hours, 0.9) AS p90_business_hours,
           count(*) FILTER (WHERE window_end_at <= $as_of) AS due,
           count(*) FILTER (WHERE window_end_at <= $as_of AND attempts >= min_attempts) AS compliant,
           CASE WHEN count(*) FILTER (WHERE window_end_at <= $as_of) > 0
                THEN count(*) FILTER (WHERE window_end_at <= $as_of AND attempts >= min_attempts)
                     / count(*) FILTER (WHERE window_end_at <= $as_of)
           END AS rate
    FROM bucketed
    GROUP BY GROUPING SETS ((), (month), (tier), (load_low))
)
SELECT g.*,
       CASE WHEN g.grain = 'load' THEN (SELECT count(*) FROM rep_weeks k WHERE k.load_low = g.load_low) END
           AS rep_weeks,
       CASE WHEN g.grain = 'all' THEN (SELECT count(DISTINCT owner_id) FROM rep_weeks) END AS reps
FROM grouped g
