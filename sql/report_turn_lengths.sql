-- Length in characters of every exported turn, by whether a target speaker said it.
-- Reads: turns, conversations.
SELECT t.is_target, length(t.text) AS chars
FROM turns t JOIN conversations c USING (conversation_key)
WHERE c.drop_reason IS NULL;
