-- An empty staging table for one file's messages (temporary: this connection only, spills to disk).
-- Reads: messages (its columns). Writes: import_staging.
CREATE OR REPLACE TEMP TABLE import_staging AS
SELECT * EXCLUDE (import_id) FROM messages LIMIT 0;
