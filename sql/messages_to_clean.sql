-- Every imported message with the fields cleaning needs. Reads: messages.
SELECT source, conversation_id, message_id, ts, author_id, author_name, conversation_name,
       is_bot, reply_to, text, attachments, mentions
FROM messages
ORDER BY source, conversation_id, ts, message_id;
