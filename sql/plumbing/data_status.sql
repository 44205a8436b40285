-- What the dashboard needs before anything else: is there data, is it the built-in demo, which import.
SELECT (SELECT count(*) FROM leads) AS leads,
       coalesce((SELECT is_demo FROM imports ORDER BY import_id DESC LIMIT 1), false) AS is_demo,
       coalesce((SELECT max(import_id) FROM imports), 0) AS import_id,
       (SELECT source FROM imports ORDER BY import_id DESC LIMIT 1) AS import_source,
       (SELECT min(created_at) FROM leads) AS first_created,
       (SELECT max(created_at) FROM leads) AS last_created
