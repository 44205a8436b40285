-- What kinds of data the database holds at all: "no data is not zero" (DOMAIN.md). Without any activity no
-- response or follow-up can be measured; without any `rejected` event there is no closed-loop data.
SELECT EXISTS (SELECT 1 FROM activities) AS has_activities,
       EXISTS (SELECT 1 FROM side_events WHERE stage = 'rejected') AS has_rejections
