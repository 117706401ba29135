-- The phrases of the VODs to mine, where a read may start, by VOD (numbered as in mine_chat.sql) and in time order,
-- for read_kernel.py. Reads: speech_phrases, mine_videos.
WITH vods AS (
    SELECT video_id, row_number() OVER (ORDER BY video_id) - 1 AS vod FROM mine_videos
)
SELECT v.vod, p.phrase_id, p.first_idx, p.start_s
FROM speech_phrases p JOIN vods v ON v.video_id = p.video_id
ORDER BY v.vod, p.start_s, p.phrase_id;
