-- The leads behind a number (sla_review/metrics/drill.py names every number that can be opened): the rows the
-- figure counted, picked through the same scope macro as the figure's own query (lead_scope, handoffs_judged,
-- side_scope: sql/derived/040_lead_scope.sql) and the same condition, named beside each branch, so the list's
-- length is the figure by construction. One row per lead; per handoff for response and follow-up numbers (a lead
-- has at most one handoff); per event for closed-loop numbers (an event count counts events). $kind and every
-- name that picks a column ($stage, $view, $segment, $dim, $part, $status) come from drill.py's fixed lists;
-- the values ($value, $key, $month, $bin, ...) are bound. Dates are local ($tz) and judged as of $as_of.
WITH leads AS (
    SELECT *,
           CASE $stage WHEN 'inquiry' THEN inquiry_at WHEN 'mql' THEN mql_at WHEN 'sal' THEN sal_at
                       WHEN 'sql' THEN sql_at WHEN 'opportunity' THEN opportunity_at WHEN 'won' THEN won_at
                       END AS stage_at,
           coalesce(CASE $segment WHEN 'source' THEN source WHEN 'campaign' THEN campaign WHEN 'persona' THEN persona
                                  WHEN 'icp_tier' THEN icp_tier WHEN 'region' THEN region WHEN 'team' THEN team
                                  WHEN 'owner' THEN coalesce(owner_name, owner_id) END, '(none)') AS segment_value,
           created_at >= $from_ts AND created_at < $to_ts AND created_at <= $as_of AS created_in,
           mql_at >= $from_ts AND mql_at < $to_ts AND mql_at <= $as_of AS mql_in
    FROM lead_scope($source, $campaign, $persona, $icp_tier, $region, $team, $owner)
    WHERE $kind IN ('funnel', 'funnel_segment', 'mql_cohort', 'cohort_month', 'conversion_segment')
),
handoffs AS (
    SELECT *,
           CASE $dim WHEN 'owner' THEN coalesce(owner_name, owner_id) WHEN 'team' THEN team
                     WHEN 'channel' THEN CASE WHEN first_response_at <= $as_of THEN first_response_channel END
                     WHEN 'weekday' THEN CAST(handoff_isodow AS VARCHAR)
                     WHEN 'hour' THEN lpad(CAST(handoff_hour AS VARCHAR), 2, '0')
                     WHEN 'source' THEN source WHEN 'campaign' THEN campaign END AS dim_key,
           window_end_at <= $as_of AS due
    FROM handoffs_judged($from_ts, $to_ts, $as_of, $source, $campaign, $persona, $icp_tier, $region, $team, $owner)
    WHERE $kind IN ('response', 'hist_bin', 'response_row', 'follow_up', 'attempts')
),
events AS (
    SELECT *,
           coalesce(CASE $dim WHEN 'reason' THEN reason WHEN 'source' THEN source WHEN 'campaign' THEN campaign
                              WHEN 'band' THEN lpad(CAST(CAST(least(floor(score / 10) * 10, 90) AS INTEGER) AS VARCHAR), 3, '0')
                              WHEN 'month' THEN strftime(entered_day, '%Y-%m') END, '(none)') AS dim_key
    FROM side_scope($source, $campaign, $persona, $icp_tier, $region, $team, $owner)
    WHERE $kind = 'closed_loop'
      AND entered_at >= $from_ts AND entered_at < $to_ts AND entered_at <= $as_of
),
picked AS (
    SELECT lead_id, NULL::TIMESTAMPTZ AS event_at, NULL::VARCHAR AS reason
    FROM leads
    WHERE CASE $kind
        -- funnel_cohort.sql: created in the period, reached the stage by as_of; funnel_flow.sql: reached in it
        WHEN 'funnel' THEN CASE $view WHEN 'cohort' THEN created_in AND stage_at <= $as_of
                                      ELSE stage_at >= $from_ts AND stage_at < $to_ts AND stage_at <= $as_of END
        -- funnel_by_segment.sql: the cohort's leads of one segment value ($stage 'leads': all of them)
        WHEN 'funnel_segment' THEN created_in AND segment_value = $value
                                   AND ($stage = 'leads' OR stage_at <= $as_of)
        -- mql_to_sql.sql: the MQL cohort; converted = reached sql by as_of; rejected = rejected by as_of
        WHEN 'mql_cohort' THEN mql_in AND CASE $part WHEN 'converted' THEN sql_at <= $as_of
                                                     WHEN 'rejected' THEN rejected_at <= $as_of ELSE true END
        -- mql_to_sql_by_month.sql: one monthly cohort
        WHEN 'cohort_month' THEN mql_in AND strftime(mql_month, '%Y-%m') = $month
        -- mql_to_sql_by_segment.sql: the MQLs of one segment value
        WHEN 'conversion_segment' THEN mql_in AND segment_value = $value
    END
    UNION ALL
    SELECT lead_id, NULL::TIMESTAMPTZ, NULL::VARCHAR
    FROM handoffs
    WHERE CASE $kind
        -- response.sql: handoffs by verdict ('judged' = within_target + breached: attainment's denominator)
        WHEN 'response' THEN CASE $status WHEN 'all' THEN true
                                          WHEN 'judged' THEN status <> 'pending' ELSE status = $status END
        -- response_histogram.sql: one bin of answered handoffs (within = own version's target, over = the rest)
        WHEN 'hist_bin' THEN hours IS NOT NULL
             AND least(CAST((response_us + hours_to_us(CAST($bin_hours AS DOUBLE)) - 1)
                            // hours_to_us(CAST($bin_hours AS DOUBLE)) AS INTEGER), CAST($max_bin AS INTEGER))
                 = CAST($bin AS INTEGER)
             AND CASE $part WHEN 'within' THEN status = 'within_target' WHEN 'over' THEN status <> 'within_target'
                            ELSE true END
        -- response_by_dimension.sql: one group's handoffs (a NULL key is its own group)
        WHEN 'response_row' THEN dim_key IS NOT DISTINCT FROM $key
        -- follow_up.sql: due = window closed by as_of; compliant = at least its version's minimum attempts
        WHEN 'follow_up' THEN due AND ($part = 'due' OR attempts_in_window >= min_attempts)
        -- follow_up_attempts.sql: due handoffs with this many attempts ($max_attempts and more share a bar)
        WHEN 'attempts' THEN due AND least(attempts_in_window, CAST($max_attempts AS INTEGER)) = CAST($attempts AS INTEGER)
    END
    UNION ALL
    -- closed_loop_by_dimension.sql: events of one stage and one group ($dim 'all': every event of the stage)
    SELECT lead_id, entered_at, reason
    FROM events
    WHERE stage = $closed_stage AND ($dim = 'all' OR dim_key = $key)
),
page AS (
    -- counted and ordered on the picked ids alone, then cut to the $shown rows a screen draws (NULL: all, for
    -- the CSV): the output columns below are joined and formatted for those rows only, not for every lead
    SELECT lead_id, event_at, reason, count(*) OVER () AS total
    FROM picked
    ORDER BY lead_id, event_at, reason
    LIMIT $shown
)
SELECT p.total, p.lead_id, f.company, coalesce(f.owner_name, f.owner_id) AS owner, f.team, f.source,
       CAST(f.score AS DOUBLE) AS score,  -- exact in lead_facts; shown and exported as a plain number
       CASE WHEN f.won_at <= $as_of THEN 'won' WHEN f.opportunity_at <= $as_of THEN 'opportunity'
            WHEN f.sql_at <= $as_of THEN 'sql' WHEN f.sal_at <= $as_of THEN 'sal'
            WHEN f.mql_at <= $as_of THEN 'mql' WHEN f.inquiry_at <= $as_of THEN 'inquiry' END AS stage,
       strftime(timezone($tz, f.created_at), '%Y-%m-%d %H:%M') AS created,
       CASE WHEN f.mql_at <= $as_of THEN strftime(timezone($tz, f.mql_at), '%Y-%m-%d %H:%M') END AS mql_at,
       CASE WHEN f.sal_at <= $as_of THEN strftime(timezone($tz, f.sal_at), '%Y-%m-%d %H:%M') END AS sal_at,
       CASE WHEN f.sql_at <= $as_of THEN strftime(timezone($tz, f.sql_at), '%Y-%m-%d %H:%M') END AS sql_at,
       CASE WHEN f.opportunity_at <= $as_of THEN strftime(timezone($tz, f.opportunity_at), '%Y-%m-%d %H:%M')
            END AS opportunity_at,
       CASE WHEN f.won_at <= $as_of THEN strftime(timezone($tz, f.won_at), '%Y-%m-%d %H:%M') END AS won_at,
       strftime(timezone($tz, h.handoff_at), '%Y-%m-%d %H:%M') AS handoff_at,
       h.hours AS response_hours,
       h.status AS response,
       CASE WHEN f.rejected_at <= $as_of THEN strftime(timezone($tz, f.rejected_at), '%Y-%m-%d %H:%M')
            END AS rejected_at,
       strftime(timezone($tz, p.event_at), '%Y-%m-%d %H:%M') AS event_at,
       p.reason
FROM page p
JOIN lead_facts f USING (lead_id)
LEFT JOIN handoffs_judged('-infinity'::TIMESTAMPTZ, 'infinity'::TIMESTAMPTZ, $as_of,
                          NULL, NULL, NULL, NULL, NULL, NULL, NULL) h USING (lead_id)
ORDER BY p.lead_id, p.event_at, p.reason
