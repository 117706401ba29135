-- Imported messages, conversations and authors per source. Reads: messages.
SELECT source, count(*) AS messages, count(DISTINCT conversation_id) AS channels,
       count(DISTINCT author_id) AS authors, min(ts) AS first_ts, max(ts) AS last_ts
FROM messages GROUP BY source ORDER BY source;
