-- The segment filter every metric applies: a NULL list means "all"; otherwise the value must be listed.
CREATE OR REPLACE MACRO in_segments(source, campaign, persona, icp_tier, region, team, owner_id,
                                    p_source, p_campaign, p_persona, p_icp_tier, p_region, p_team, p_owner) AS
    (p_source IS NULL OR list_contains(p_source, source))
    AND (p_campaign IS NULL OR list_contains(p_campaign, campaign))
    AND (p_persona IS NULL OR list_contains(p_persona, persona))
    AND (p_icp_tier IS NULL OR list_contains(p_icp_tier, icp_tier))
    AND (p_region IS NULL OR list_contains(p_region, region))
    AND (p_team IS NULL OR list_contains(p_team, team))
    AND (p_owner IS NULL OR list_contains(p_owner, owner_id));

CREATE OR REPLACE MACRO lead_scope(p_source, p_campaign, p_persona, p_icp_tier, p_region, p_team, p_owner) AS TABLE
SELECT * FROM lead_facts
WHERE in_segments(source, campaign, persona, icp_tier, region, team, owner_id,
                  p_source, p_campaign, p_persona, p_icp_tier, p_region, p_team, p_owner);

-- The same filter on closed-loop events (side_events carries its lead's segments).
CREATE OR REPLACE MACRO side_scope(p_source, p_campaign, p_persona, p_icp_tier, p_region, p_team, p_owner) AS TABLE
SELECT * FROM side_events
WHERE in_segments(source, campaign, persona, icp_tier, region, team, owner_id,
                  p_source, p_campaign, p_persona, p_icp_tier, p_region, p_team, p_owner);

-- The one verdict on a handoff (DOMAIN.md's response), in integer microseconds: within_target when answered (by
-- as_of) within the target; breached when answered late, or unanswered and already past the target at as_of;
-- else pending. handoffs_judged below and the proposal replay (sql/metrics/replay.sql) both call it.
CREATE OR REPLACE MACRO response_status(hours_us, elapsed_us, target_us) AS
    CASE WHEN hours_us IS NOT NULL AND hours_us <= target_us THEN 'within_target'
         WHEN hours_us IS NOT NULL OR elapsed_us > target_us THEN 'breached'
         ELSE 'pending' END;

-- Attainment of a group of judged handoffs (an aggregate; `status` as response_status gives it): within_target /
-- (within_target + breached), NULL when none is judged yet. The report, the breakdowns and the replay share it.
CREATE OR REPLACE MACRO attainment_of(status) AS
    CASE WHEN count(*) FILTER (WHERE status <> 'pending') > 0
         THEN count(*) FILTER (WHERE status = 'within_target') / count(*) FILTER (WHERE status <> 'pending') END;

-- Handoffs in [from, to) (by as_of), judged once for every response query (DOMAIN.md's response):
-- hours = business hours to the first response seen by as_of; elapsed = business hours from the handoff to
-- as_of on the handoff's own calendar; status = within_target (answered within the target) / breached (answered late, or unanswered and
-- already past the target at as_of) / pending, decided in integer microseconds (exact at the target).
CREATE OR REPLACE MACRO handoffs_judged(p_from_ts, p_to_ts, p_as_of, p_source, p_campaign, p_persona, p_icp_tier,
                                        p_region, p_team, p_owner) AS TABLE
WITH as_of_b AS (
    -- B(as_of) on each calendar: a handoff's elapsed time is counted on its own calendar
    SELECT c.calendar, business_us(c.t, d.open_ts, d.span_us, d.cum_before_us) AS b_us
    FROM (SELECT calendar, CAST(p_as_of AS TIMESTAMPTZ) AS t FROM calendar_hours) c
    ASOF JOIN business_spans d ON c.calendar = d.calendar AND c.t >= d.open_ts
),
judged AS (
    SELECT f.*,
           CASE WHEN f.first_response_at <= p_as_of THEN f.response_us END AS hours_us,
           a.b_us - f.handoff_us AS elapsed_us
    FROM lead_scope(p_source, p_campaign, p_persona, p_icp_tier, p_region, p_team, p_owner) f
    LEFT JOIN as_of_b a ON a.calendar = f.calendar
    WHERE f.handoff_at >= p_from_ts AND f.handoff_at < p_to_ts AND f.handoff_at <= p_as_of
)
SELECT *,
       us_to_hours(hours_us) AS hours,
       us_to_hours(elapsed_us) AS elapsed,
       response_status(hours_us, elapsed_us, response_target_us) AS status
FROM judged;
