-- Add a batch of parsed messages to the staging table. Reads: batch (Arrow). Writes: import_staging.
INSERT INTO import_staging BY NAME SELECT * FROM batch;
