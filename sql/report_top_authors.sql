-- The most frequent authors, to help a user name the target speakers. Reads: messages.
SELECT author_name, author_id, count(*) AS messages
FROM messages GROUP BY ALL ORDER BY messages DESC LIMIT $limit;
