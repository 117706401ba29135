-- The raw text of the target speakers' kept messages that hold a link, newest first (links are what the
-- double may give back for `<link>`). Reads: message_segments, messages.
SELECT m.text
FROM message_segments s
JOIN messages m ON m.source = s.source AND m.conversation_id = s.conversation_id AND m.message_id = s.message_id
WHERE s.is_target AND s.drop_reason IS NULL AND (m.text ILIKE '%http%' OR m.text ILIKE '%www.%')
ORDER BY m.ts DESC
LIMIT $limit;
