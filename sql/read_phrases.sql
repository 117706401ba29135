-- The phrases of the VODs to mine, where a read may start, by VOD (as numbered in mine_videos) and in time order,
-- for read_kernel.py. Reads: speech_phrases, mine_videos.
SELECT v.vod, p.phrase_id, p.first_idx, p.start_s
FROM speech_phrases p JOIN mine_videos v ON v.video_id = p.video_id
ORDER BY v.vod, p.start_s, p.phrase_id;
