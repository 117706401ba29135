-- Conversations that pass every filter and are exported. Reads: conversations.
SELECT count(*) FROM conversations WHERE drop_reason IS NULL;
