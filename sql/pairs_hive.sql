-- Add the `hive` pairs: a speech turn that no read explains is an answer to the chat of the
-- $hive_window_s before it. Those messages (not read aloud) are de-duplicated by their words, ranked
-- by words shared with the answer, how many people sent them and super chats, and the best
-- $hive_max_messages merged into one prompt of `chat: NAME: TEXT` lines. Scored below reads. A stretch of speech gives
-- one hive pair at most, from its first turn with chat to answer: a later turn's answer would be the end of the same words.
-- The turns, their answers and the unread chat are temp tables, not CTEs of the one INSERT: as one query DuckDB's two threads
-- spent much of it waiting on each other (18.4 s against 12.1 s at benchmarks/mining_speed.py's full size).
-- Only the VODs of mine_videos (mine_todo.sql). Reads: reads, pairs, speech_phrases, speech_words, chat, mine_videos. Writes: pairs.

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

-- the chat not read aloud, narrow (its words are read from chat where needed); messages with the same words are one group (`same`)
CREATE OR REPLACE TEMP TABLE hive_chat AS
SELECT c.rowid AS mid, c.video_id, c.message_id, c.t_s, c.kind = 'paid' AS paid, hash(c.words) AS same, floor(c.t_s / $hive_window_s)::BIGINT AS bucket
FROM chat c SEMI JOIN mine_videos v ON v.video_id = c.video_id
ANTI JOIN reads r ON r.video_id = c.video_id AND r.message_id = c.message_id
WHERE c.kind IN ('text', 'paid') AND len(c.words) > 0;

INSERT INTO pairs (video_id, prompt, response, method, score, message_ids, prompt_t_s, answer_start_s, answer_end_s)
WITH echoed AS (
    -- messages another message with the same words came within hive_window_s of; a message sent alone can only be
    -- chosen for words it shares with the answer. Only groups of two or more need the window, on narrow rows.
    SELECT mid FROM (
        SELECT mid, coalesce(t_s - lag(t_s) OVER w <= $hive_window_s, false) OR coalesce(lead(t_s) OVER w - t_s <= $hive_window_s, false) AS echoed
        FROM hive_chat SEMI JOIN (SELECT video_id, same FROM hive_chat GROUP BY video_id, same HAVING count(*) > 1) g USING (video_id, same)
        WINDOW w AS (PARTITION BY video_id, same ORDER BY t_s)
    ) WHERE echoed
), turn_buckets AS (
    SELECT video_id, phrase_id, turn_s, norms,
           unnest(list_distinct([floor((turn_s - $hive_window_s) / $hive_window_s), floor(turn_s / $hive_window_s)]))::BIGINT AS bucket
    FROM hive_answers
), shared AS (
    -- messages in a turn's window sharing a word of four letters or more with its answer: an equality join on the word,
    -- narrow rows straight from chat (read messages leave at the join with hive_chat, after this one, which leaves few rows;
    -- a word a message repeats is counted once)
    SELECT t.video_id, t.phrase_id, m.mid, count(DISTINCT t.word) AS overlap
    FROM (SELECT video_id, phrase_id, turn_s, bucket, unnest(norms) AS word FROM turn_buckets) t
    JOIN (SELECT * FROM (SELECT c.video_id, c.rowid AS mid, c.t_s, floor(c.t_s / $hive_window_s)::BIGINT AS bucket, unnest(c.words) AS word
                         FROM chat c SEMI JOIN mine_videos v ON v.video_id = c.video_id
                         WHERE c.kind IN ('text', 'paid'))
          WHERE length(word) > 3) m
        ON m.video_id = t.video_id AND m.bucket = t.bucket AND m.word = t.word AND m.t_s BETWEEN t.turn_s - $hive_window_s AND t.turn_s
    GROUP BY t.video_id, t.phrase_id, m.mid
), echoes AS (
    -- messages in a turn's window sent by several people
    SELECT t.video_id, t.phrase_id, m.mid, 0 AS overlap
    FROM turn_buckets t
    JOIN (SELECT * FROM hive_chat SEMI JOIN echoed USING (mid)) m
        ON m.video_id = t.video_id AND m.bucket = t.bucket AND m.t_s BETWEEN t.turn_s - $hive_window_s AND t.turn_s
), window_messages AS (
    -- the chat of the $hive_window_s before each turn that shares a word with the answer or was sent by several people
    SELECT w.video_id, w.phrase_id, w.mid, any_value(m.message_id) AS message_id, any_value(m.t_s) AS t_s, any_value(m.paid) AS paid,
           any_value(m.same) AS same, max(w.overlap) AS overlap
    FROM (SELECT * FROM shared UNION ALL SELECT * FROM echoes) w
    JOIN hive_chat m ON m.mid = w.mid
    GROUP BY w.video_id, w.phrase_id, w.mid
), grouped AS (
    SELECT video_id, phrase_id, same, count(*) AS senders, max(overlap) AS overlap, bool_or(paid) AS paid,
           arg_max(mid, t_s) AS last_mid, min(t_s) AS first_t, list_select(list(message_id), list_grade_up(list(t_s))) AS ids
    FROM window_messages
    GROUP BY video_id, phrase_id, same
), ranked AS (
    SELECT * FROM (
        SELECT *, row_number() OVER (PARTITION BY video_id, phrase_id
                                     ORDER BY overlap + 0.5 * (senders - 1) + CASE WHEN paid THEN 0.5 ELSE 0 END DESC, first_t DESC) AS rank
        FROM grouped
        WHERE overlap > 0 OR senders >= 2
    ) WHERE rank <= $hive_max_messages
), prompts AS (
    -- per turn, before the join with its answer (no grouping by the answer's text); lines in time order by a sort of positions
    SELECT r.video_id, r.phrase_id, list_grade_up(list(r.first_t)) AS order_t,
           array_to_string(list_select(list('chat: ' || m.author_name || ': ' || m.text), order_t), chr(10)) AS prompt,
           flatten(list_select(list(r.ids), order_t)) AS ids, max(r.overlap) AS overlap, min(r.first_t) AS first_t
    FROM ranked r
    JOIN chat m ON m.rowid = r.last_mid
    GROUP BY r.video_id, r.phrase_id
)
SELECT a.video_id, p.prompt, a.response, 'hive', least(0.5, 0.2 + 0.1 * p.overlap), p.ids, p.first_t, a.answer_start_s, a.answer_end_s
FROM hive_answers a
JOIN prompts p ON p.video_id = a.video_id AND p.phrase_id = a.phrase_id
QUALIFY row_number() OVER (PARTITION BY a.video_id, a.stretch ORDER BY a.turn_s) = 1;

DROP TABLE hive_turns;
DROP TABLE hive_answers;
DROP TABLE hive_chat;
