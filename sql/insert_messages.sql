-- Add a batch of parsed messages; a message already there (same natural key) is left alone.
-- Reads: batch (an Arrow table registered by the caller). Params: $import_id. Writes: messages.
INSERT OR IGNORE INTO messages BY NAME
SELECT *, $import_id AS import_id FROM batch;
