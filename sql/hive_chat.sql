-- The chat the hive takes its prompts from (chatclone/hive_kernel.py): the text and super chat messages with words of
-- the VODs to mine that were not read aloud, by VOD (`vod`: 0, 1, ... in video_id order, as in hive_answers.sql), in
-- no order (the kernel sorts them by time). Reads: chat, reads, mine_videos.
WITH vods AS (
    SELECT video_id, row_number() OVER (ORDER BY video_id) - 1 AS vod FROM mine_videos
)
SELECT c.rowid AS mid, c.message_id, v.vod, c.t_s, c.kind = 'paid' AS paid, c.words
FROM chat c
JOIN vods v ON v.video_id = c.video_id
ANTI JOIN reads r ON r.video_id = c.video_id AND r.message_id = c.message_id
WHERE c.kind IN ('text', 'paid') AND len(c.words) > 0;
