-- The answers no read explains, for chatclone/hive_kernel.py to choose their prompts from the chat before them (the
-- rule: pairs_hive.sql). A speech turn that starts after the last read and its answer runs up to the next read; its
-- answer is its words up to the next pause of $answer_pause_s or $answer_max_s, kept where it has $min_answer_words or
-- more. Temp tables hive_turns and hive_answers (read again by pairs_hive.sql); returns each answer with its VOD
-- (`vod`: numbered as in mine_chat.sql), time and distinct words of four letters or more, by VOD and time.
-- Only the VODs of mine_videos (mine_todo.sql). Reads: reads, pairs, speech_phrases, speech_words, mine_videos.

-- turn starts outside the last read and its answer before them; they run up to the next read. With their stretch,
-- so that their words are joined on it (not on the VOD alone, with a range filter over every word)
CREATE OR REPLACE TEMP TABLE hive_turns AS
WITH spans AS (
    SELECT r.video_id, r.read_start_s AS s, coalesce(p.answer_end_s, r.read_end_s) AS e
    FROM reads r LEFT JOIN pairs p ON p.video_id = r.video_id AND p.method = 'read' AND p.message_ids[1] = r.message_id
    SEMI JOIN mine_videos m ON m.video_id = r.video_id
)
SELECT t.video_id, t.phrase_id, t.first_idx, t.start_s, n.read_first_idx AS next_read_idx, f.stretch
FROM speech_phrases t
SEMI JOIN mine_videos m ON m.video_id = t.video_id
ASOF LEFT JOIN spans s ON s.video_id = t.video_id AND t.start_s >= s.s
ASOF LEFT JOIN reads n ON n.video_id = t.video_id AND n.read_first_idx > t.first_idx
JOIN speech_words f ON f.video_id = t.video_id AND f.idx = t.first_idx
WHERE t.turn_start AND (s.e IS NULL OR t.start_s > s.e);

-- the answers: each turn's words in its stretch (up to the next pause of answer_pause_s), put in order by a sort of
-- each turn's small list of positions, not by an ordered aggregate (a sort of all rows)
CREATE OR REPLACE TEMP TABLE hive_answers AS
SELECT t.video_id, t.phrase_id, any_value(t.start_s) AS turn_s, any_value(t.stretch) AS stretch,
       array_to_string(list_select(list(w.word), list_grade_up(list(w.idx))), ' ') AS response,
       list_distinct(list(w.norm) FILTER (WHERE length(w.norm) > 3)) AS norms, count(*) AS n_words,
       min(w.start_s) AS answer_start_s, max(w.end_s) AS answer_end_s
FROM hive_turns t
JOIN speech_words w ON w.video_id = t.video_id AND w.stretch = t.stretch AND w.idx >= t.first_idx
    AND w.idx < coalesce(t.next_read_idx, 9223372036854775807) AND w.start_s <= t.start_s + $answer_max_s
GROUP BY t.video_id, t.phrase_id
HAVING count(*) >= $min_answer_words;

WITH vods AS (
    SELECT video_id, row_number() OVER (ORDER BY video_id) - 1 AS vod FROM mine_videos
)
SELECT v.vod, a.phrase_id, a.turn_s, a.norms
FROM hive_answers a JOIN vods v ON v.video_id = a.video_id
ORDER BY v.vod, a.turn_s;
