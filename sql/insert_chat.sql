-- Add a batch of live chat events, with their words normalized for matching (chat_words).
-- Reads: batch (Arrow). Writes: chat.
INSERT INTO chat BY NAME SELECT *, chat_words(text) AS words FROM batch;
