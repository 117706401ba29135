-- Replace one video's chat with the staged messages (words normalized as insert_chat.sql does); returns how many
-- were added. Its captions and words are left alone. Reads: chat_staging. Params: $video_id. Writes: chat.
DELETE FROM chat WHERE video_id = $video_id;
INSERT INTO chat BY NAME SELECT *, chat_words(text) AS words FROM chat_staging;
