-- The transcript words of the VODs to mine for the kernels (read_kernel.py, hive_kernel.py), with their VOD (numbered as in mine_chat.sql) and
-- position, in no order: the kernels place each word by them.
-- Reads: speech_words, mine_videos.
WITH vods AS (
    SELECT video_id, row_number() OVER (ORDER BY video_id) - 1 AS vod FROM mine_videos
)
SELECT v.vod, w.idx, w.norm, w.word, w.start_s, w.end_s, w.stretch
FROM speech_words w JOIN vods v ON v.video_id = w.video_id;
