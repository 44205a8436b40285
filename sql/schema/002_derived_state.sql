-- Which version of sql/derived/ built the derived tables: when the files change (an upgrade), the next
-- read-write connection rebuilds them, so an old database keeps working without a re-import.
CREATE TABLE derived_state (
    checksum VARCHAR NOT NULL,
    built_at TIMESTAMPTZ NOT NULL
);
