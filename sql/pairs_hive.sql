-- Add the `hive` pairs: a speech turn that no read explains (hive_answers.sql) is an answer to the chat of the
-- $hive_window_s before it. chatclone/hive_kernel.py chose each prompt's messages (`batch`: vod, phrase_id, overlap,
-- first_t, ids, shown) by this rule: of the messages not read aloud, those sharing a word of four letters or more with
-- the answer or sent by several people (the same words again within $hive_window_s), grouped by their words and
-- ranked by words shared with the answer + 0.5 per further sender + 0.5 for a super chat (the later group first among
-- equals); the best $hive_max_messages groups make one prompt of `chat: NAME: TEXT` lines, each group's latest
-- message (`shown`), in time order. Scored below reads. A stretch of speech gives one hive pair at most, from its first
-- turn with chat to answer: a later turn's answer would be the end of the same words.
-- Reads: batch, hive_answers, chat, mine_videos. Writes: pairs.
INSERT INTO pairs (video_id, prompt, response, method, score, message_ids, prompt_t_s, answer_start_s, answer_end_s)
WITH vods AS (
    SELECT video_id, row_number() OVER (ORDER BY video_id) - 1 AS vod FROM mine_videos
), firsts AS (
    -- each stretch's first turn with a prompt, chosen on narrow rows before the prompts are built
    SELECT v.vod, a.video_id, arg_min(a.phrase_id, a.turn_s) AS phrase_id
    FROM hive_answers a
    JOIN vods v ON v.video_id = a.video_id
    SEMI JOIN batch b ON b.vod = v.vod AND b.phrase_id = a.phrase_id
    GROUP BY v.vod, a.video_id, a.stretch
), shown AS (
    SELECT b.vod, b.phrase_id, unnest(b.shown) AS mid, generate_subscripts(b.shown, 1) AS line
    FROM batch b SEMI JOIN firsts f ON f.vod = b.vod AND f.phrase_id = b.phrase_id
), lines AS (
    -- the text only of the lines shown, put in order by a sort of each prompt's small list of lines
    SELECT s.vod, s.phrase_id,
           array_to_string(list_select(list('chat: ' || c.author_name || ': ' || c.text), list_grade_up(list(s.line))), chr(10)) AS prompt
    FROM shown s JOIN chat c ON c.rowid = s.mid
    GROUP BY s.vod, s.phrase_id
)
SELECT a.video_id, l.prompt, a.response, 'hive', least(0.5, 0.2 + 0.1 * b.overlap), b.ids, b.first_t, a.answer_start_s, a.answer_end_s
FROM firsts f
JOIN hive_answers a ON a.video_id = f.video_id AND a.phrase_id = f.phrase_id
JOIN batch b ON b.vod = f.vod AND b.phrase_id = f.phrase_id
JOIN lines l ON l.vod = f.vod AND l.phrase_id = f.phrase_id;

DROP TABLE hive_turns;
DROP TABLE hive_answers;
