-- Add a batch of live chat events, with their words normalized for matching (norm_words, chat_speak).
-- Reads: batch (Arrow). Writes: chat.
INSERT INTO chat BY NAME SELECT *, chat_speak(norm_words(text)) AS words FROM batch;
