-- The values each sidebar segment filter offers, most common first, with lead counts (built at import by
-- sql/derived/050_segment_values.sql). Owners carry their display name as the label (the filter keeps
-- owner_id, which lead_scope matches on).
SELECT segment, value, label, leads
FROM segment_values
ORDER BY segment, leads DESC, value
