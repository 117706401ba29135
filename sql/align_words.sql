-- The transcript words (transcript_words) of the VODs to mine for chatclone/speech_kernel.py, with their VOD (as
-- numbered in mine_videos) and norm, in no order (the kernel puts them in time order): a word's norm is
-- norm_words(word) joined, lower case, letters and digits only; words without any are left out.
-- Reads: transcript_words, mine_videos.
WITH normalized AS MATERIALIZED (
    -- materialized, or the filter below would compute each norm a second time
    SELECT v.vod, w.start_s, w.end_s, w.word, lower(regexp_replace(w.word, '[^\p{L}\p{N}]+', '', 'g')) AS norm
    FROM transcript_words w JOIN mine_videos v ON v.video_id = w.video_id
)
SELECT * FROM normalized WHERE norm <> '';
