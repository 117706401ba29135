-- Add a batch of live chat events. Reads: batch (Arrow). Writes: chat.
INSERT INTO chat BY NAME SELECT * FROM batch;
