-- Move the staged messages that are new into messages; returns how many were added.
-- A message already in the warehouse (same source, conversation and message id) is left alone.
-- Parsers give each message of a file its own id, so the staged rows need no de-duplication.
-- Reads: import_staging, messages. Params: $import_id. Writes: messages.
INSERT INTO messages BY NAME
SELECT s.*, $import_id AS import_id
FROM import_staging s
ANTI JOIN messages m USING (source, conversation_id, message_id);
