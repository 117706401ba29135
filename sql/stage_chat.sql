-- Add a batch of parsed chat messages to the staging table. Reads: batch (Arrow). Writes: chat_staging.
INSERT INTO chat_staging BY NAME SELECT * FROM batch;
