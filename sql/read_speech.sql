-- The transcript words of the VODs to mine for the kernels (read_kernel.py, hive_kernel.py), with their VOD (as
-- numbered in mine_videos) and position, in no order: the kernels place each word by them.
-- Reads: speech_words, mine_videos.
SELECT v.vod, w.idx, w.norm, w.word, w.start_s, w.end_s, w.stretch
FROM speech_words w JOIN mine_videos v ON v.video_id = w.video_id;
