-- The transcript words of the VODs to mine, by VOD (numbered as in mine_chat.sql) and position, for read_kernel.py.
-- Reads: speech_words, mine_videos.
WITH vods AS (
    SELECT video_id, row_number() OVER (ORDER BY video_id) - 1 AS vod FROM mine_videos
)
SELECT v.vod, w.idx, w.norm
FROM speech_words w JOIN vods v ON v.video_id = w.video_id
ORDER BY v.vod, w.idx;
