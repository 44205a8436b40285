-- What an import left out, and only because the user asked (issue 10: the Data page's "Import without these N
-- rows", the CLI's --leave-out-problem-rows). Imports stay all-or-nothing by default; an import that goes on
-- without rows of the user's files says how many (imports.left_out_rows: 0 when none, NULL for imports recorded
-- before this file) and which ones, each with its reason in every language of the catalogue.
ALTER TABLE imports ADD COLUMN left_out_rows BIGINT;

CREATE TABLE import_left_out (
    import_id   BIGINT NOT NULL,    -- imports.import_id
    file        VARCHAR NOT NULL,   -- the user's file, as uploaded
    row         BIGINT NOT NULL,    -- the row as a spreadsheet shows it (the header is row 1)
    column_name VARCHAR,            -- the user's column header the reason is about
    value       VARCHAR,            -- the value as read
    kind        VARCHAR NOT NULL,   -- the reason's catalogue key, e.g. import.empty_time, import.duplicate_lead
    reason_en   VARCHAR NOT NULL,
    reason_ja   VARCHAR NOT NULL
);
