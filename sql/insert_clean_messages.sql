-- Add a batch of cleaned messages. Reads: batch (Arrow). Writes: clean_messages.
INSERT INTO clean_messages BY NAME SELECT * FROM batch;
