-- How many messages were imported. Reads: messages.
SELECT count(*) FROM messages;
