-- Turns of every exported conversation, in order, for the dataset export.
-- Reads: turns, conversations. Writes: nothing.
SELECT t.conversation_key, c.n_authors, t.turn_no, t.author_name, t.is_target, t.text
FROM turns t
JOIN conversations c USING (conversation_key)
WHERE c.drop_reason IS NULL
ORDER BY t.conversation_key, t.turn_no;
