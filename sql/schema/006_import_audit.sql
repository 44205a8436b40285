-- The audit trail (issue 15): who made each import or terms change, through what, from which files. One row per
-- imports row, written in the same transaction as the import on the Data page, the SLA terms page and an adoption
-- (the command line writes it right after its import commits). Imports made before this migration have none.
CREATE TABLE import_audit (
    import_id BIGINT NOT NULL PRIMARY KEY,
    author    VARCHAR,                       -- the signed-in e-mail; NULL in single-user mode
    via       VARCHAR NOT NULL,              -- data_page | command_line | terms_page | adoption | demo
    files     VARCHAR NOT NULL DEFAULT '[]', -- JSON: [{"name": …, "bytes": …, "sha256": …}] of the files read
    warnings  BIGINT NOT NULL DEFAULT 0,     -- the preview's notes the import was made with (accepted)
    notes     VARCHAR NOT NULL DEFAULT '[]'  -- JSON: the first of those notes, in English
);
