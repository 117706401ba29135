-- The speech turns no read explains, for chatclone/hive_kernel.py to cut their answers and choose their prompts (the
-- rule: pairs_hive.sql): turns that start after the last read and its answer; each runs up to the next read
-- (`next_read_idx`, its first word; the largest BIGINT where none follows) and its answer ends at the end of its
-- stretch (a pause of $answer_pause_s). With their VOD (`vod`: as numbered in mine_videos), by VOD and time. Only the VODs of mine_videos (mine_todo.sql).
-- Reads: reads, pairs, speech_phrases, speech_words, mine_videos.
WITH spans AS (
    SELECT r.video_id, r.read_start_s AS s, coalesce(p.answer_end_s, r.read_end_s) AS e
    FROM reads r LEFT JOIN pairs p ON p.video_id = r.video_id AND p.method = 'read' AND p.message_ids[1] = r.message_id
    SEMI JOIN mine_videos m ON m.video_id = r.video_id
)
SELECT v.vod, t.phrase_id, t.first_idx, t.start_s AS turn_s, coalesce(n.read_first_idx, 9223372036854775807) AS next_read_idx, f.stretch
FROM speech_phrases t
JOIN mine_videos v ON v.video_id = t.video_id
ASOF LEFT JOIN spans s ON s.video_id = t.video_id AND t.start_s >= s.s
ASOF LEFT JOIN reads n ON n.video_id = t.video_id AND n.read_first_idx > t.first_idx
JOIN speech_words f ON f.video_id = t.video_id AND f.idx = t.first_idx
WHERE t.turn_start AND (s.e IS NULL OR t.start_s > s.e)
ORDER BY v.vod, t.start_s;
