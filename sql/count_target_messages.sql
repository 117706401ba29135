-- How many kept messages the target speakers wrote. Reads: message_segments.
SELECT count(*) FROM message_segments WHERE is_target AND drop_reason IS NULL;
