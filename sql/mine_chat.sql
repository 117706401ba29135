-- The chat the compiled kernels look at (chatclone/kernel_chat.py): the text and super chat messages with words of the
-- VODs to mine (mine_todo.sql), by VOD (`vod`: 0, 1, ... in video_id order, as in read_speech.sql, read_phrases.sql
-- and hive_turns.sql), in no order (the kernels sort them by time); each with the hash of its author's name (their
-- names' words: read_authors.sql). The reads come from it (read_kernel.py), and the hive's prompts from those not read
-- (hive_kernel.py). Reads: chat, mine_videos.
WITH vods AS (
    SELECT video_id, row_number() OVER (ORDER BY video_id) - 1 AS vod FROM mine_videos
)
SELECT c.rowid AS mid, c.message_id, v.vod, c.t_s, c.kind = 'paid' AS paid, hash(c.author_name) AS author, c.words
FROM chat c
JOIN vods v ON v.video_id = c.video_id
WHERE c.kind IN ('text', 'paid') AND len(c.words) > 0;
