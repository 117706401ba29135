-- Add a batch of timed words. Reads: batch (Arrow). Writes: words.
INSERT INTO words BY NAME SELECT * FROM batch;
