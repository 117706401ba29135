-- An empty staging table for one Twitch chat file's messages (temporary: this connection only, spills to disk).
-- Reads: chat (its columns). Writes: chat_staging.
CREATE OR REPLACE TEMP TABLE chat_staging AS
SELECT * EXCLUDE (words) FROM chat LIMIT 0;
