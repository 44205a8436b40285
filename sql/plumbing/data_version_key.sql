-- What identifies the data behind a cached what-if grid: the database file and its latest import.
-- (imported_at tells apart two databases that are both at import #1, e.g. in-memory ones in tests.)
SELECT (SELECT path FROM duckdb_databases() WHERE database_name = current_database()) AS db_path,
       coalesce(max(import_id), 0) AS import_id,
       CAST(max(imported_at) AS VARCHAR) AS imported_at
FROM imports
