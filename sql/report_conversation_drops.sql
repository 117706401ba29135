-- Conversations (and their kept messages) per drop reason ('exported' for those kept). Reads: conversations.
SELECT coalesce(drop_reason, 'exported') AS reason, count(*) AS conversations, sum(n_messages) AS messages
FROM conversations GROUP BY ALL ORDER BY conversations DESC;
