-- Add the `hive` pairs: a speech turn that no read explains (hive_answers.sql) is an answer to the chat of the
-- $hive_window_s before it. chatclone/hive_kernel.py chose the messages of each prompt (`batch`: vod, phrase_id, line,
-- mid, message_id, t_s, last, overlap) by this rule: of the messages not read aloud, those sharing a word of four letters or more with
-- the answer or sent by several people (the same words again within $hive_window_s), grouped by their words and
-- ranked by words shared with the answer + 0.5 per further sender + 0.5 for a super chat (the later group first among
-- equals); the best $hive_max_messages groups make one prompt of `chat: NAME: TEXT` lines, each group's latest
-- message, in time order. Scored below reads. A stretch of speech gives one hive pair at most, from its first turn with
-- chat to answer: a later turn's answer would be the end of the same words.
-- Reads: batch, hive_answers, chat, mine_videos. Writes: pairs.
INSERT INTO pairs (video_id, prompt, response, method, score, message_ids, prompt_t_s, answer_start_s, answer_end_s)
WITH vods AS (
    SELECT video_id, row_number() OVER (ORDER BY video_id) - 1 AS vod FROM mine_videos
), shown AS (
    -- the text only of the lines shown, not of every copy of them
    SELECT b.vod, b.phrase_id, string_agg('chat: ' || c.author_name || ': ' || c.text, chr(10) ORDER BY b.line) AS prompt
    FROM batch b JOIN chat c ON c.rowid = b.mid
    WHERE b.last
    GROUP BY b.vod, b.phrase_id
), prompts AS (
    SELECT v.video_id, b.phrase_id, any_value(s.prompt) AS prompt, list(b.message_id ORDER BY b.line, b.t_s) AS ids,
           max(b.overlap) AS overlap, min(b.t_s) AS first_t
    FROM batch b
    JOIN vods v ON v.vod = b.vod
    JOIN shown s ON s.vod = b.vod AND s.phrase_id = b.phrase_id
    GROUP BY v.video_id, b.phrase_id
)
SELECT a.video_id, p.prompt, a.response, 'hive', least(0.5, 0.2 + 0.1 * p.overlap), p.ids, p.first_t, a.answer_start_s, a.answer_end_s
FROM hive_answers a
JOIN prompts p ON p.video_id = a.video_id AND p.phrase_id = a.phrase_id
QUALIFY row_number() OVER (PARTITION BY a.video_id, a.stretch ORDER BY a.turn_s) = 1;

DROP TABLE hive_turns;
DROP TABLE hive_answers;
