-- Add a batch of caption cues. Reads: batch (Arrow). Writes: cues.
INSERT INTO cues BY NAME SELECT * FROM batch;
