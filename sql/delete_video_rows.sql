-- Remove one video's rows that a youtube-dir import reloads (auto and manual captions, chat;
-- whisper rows are kept). Writes: cues, words, chat.
DELETE FROM cues WHERE video_id = $video_id AND source IN ('auto', 'manual');
DELETE FROM words WHERE video_id = $video_id AND source IN ('auto', 'manual');
DELETE FROM chat WHERE video_id = $video_id;
