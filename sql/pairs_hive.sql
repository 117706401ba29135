-- Add the `hive` pairs: a speech turn that no read explains is an answer to the chat of the
-- $hive_window_s before it. Those messages (not read aloud) are de-duplicated by their words, ranked
-- by words shared with the answer, how many people sent them and super chats, and the best
-- $hive_max_messages merged into one prompt of `chat: NAME: TEXT` lines. Scored below reads.
-- Reads: reads, pairs, speech_phrases, speech_words, chat_aligned. Writes: pairs.
INSERT INTO pairs (video_id, prompt, response, method, score, message_ids, prompt_t_s, answer_start_s, answer_end_s)
WITH spans AS (
    SELECT r.video_id, r.read_start_s AS s, coalesce(p.answer_end_s, r.read_end_s) AS e
    FROM reads r LEFT JOIN pairs p ON p.video_id = r.video_id AND p.method = 'read' AND p.message_ids[1] = r.message_id
), turns AS (
    SELECT t.video_id, t.phrase_id, t.first_idx, t.start_s,
           (SELECT min(r.read_first_idx) FROM reads r WHERE r.video_id = t.video_id AND r.read_first_idx > t.first_idx) AS next_read_idx
    FROM speech_phrases t
    WHERE t.turn_start AND NOT EXISTS (SELECT 1 FROM spans s WHERE s.video_id = t.video_id AND t.start_s BETWEEN s.s AND s.e)
), answer_words AS (
    SELECT t.video_id, t.phrase_id, t.start_s AS turn_s, w.idx, w.word, w.norm, w.start_s, w.end_s,
           w.start_s - lag(w.end_s) OVER (PARTITION BY t.video_id, t.phrase_id ORDER BY w.idx) AS gap
    FROM turns t
    JOIN speech_words w ON w.video_id = t.video_id AND w.idx >= t.first_idx
        AND w.idx < coalesce(t.next_read_idx, 9223372036854775807) AND w.start_s <= t.start_s + $answer_max_s
), cut AS (
    SELECT *, sum(CASE WHEN gap >= $answer_pause_s THEN 1 ELSE 0 END) OVER (PARTITION BY video_id, phrase_id ORDER BY idx) AS pauses_before
    FROM answer_words
), answers AS (
    SELECT video_id, phrase_id, any_value(turn_s) AS turn_s, string_agg(word, ' ' ORDER BY idx) AS response,
           list_distinct(list(norm)) AS norms, count(*) AS n_words, min(start_s) AS answer_start_s, max(end_s) AS answer_end_s
    FROM cut WHERE pauses_before = 0
    GROUP BY video_id, phrase_id
), window_messages AS (
    SELECT a.video_id, a.phrase_id, m.message_id, m.author_name, m.text, m.kind, m.t_s, array_to_string(m.words, ' ') AS same_words,
           len(list_intersect(list_distinct(list_filter(m.words, lambda w: length(w) > 3)), a.norms)) AS overlap
    FROM answers a
    JOIN chat_aligned m ON m.video_id = a.video_id AND m.t_s BETWEEN a.turn_s - $hive_window_s AND a.turn_s
    WHERE NOT EXISTS (SELECT 1 FROM reads r WHERE r.video_id = m.video_id AND r.message_id = m.message_id)
), grouped AS (
    SELECT video_id, phrase_id, same_words, count(*) AS senders, max(overlap) AS overlap, bool_or(kind = 'paid') AS paid,
           arg_max(author_name, t_s) AS author_name, arg_max(text, t_s) AS text, list(message_id ORDER BY t_s) AS ids, min(t_s) AS first_t
    FROM window_messages
    GROUP BY video_id, phrase_id, same_words
), ranked AS (
    SELECT *, row_number() OVER (PARTITION BY video_id, phrase_id
                                 ORDER BY overlap + 0.5 * (senders - 1) + CASE WHEN paid THEN 0.5 ELSE 0 END DESC, first_t DESC) AS rank
    FROM grouped
    WHERE overlap > 0 OR senders >= 2
)
SELECT a.video_id, string_agg('chat: ' || r.author_name || ': ' || r.text, chr(10) ORDER BY r.first_t), a.response, 'hive',
       least(0.5, 0.2 + 0.1 * max(r.overlap)), flatten(list(r.ids ORDER BY r.first_t)), min(r.first_t), a.answer_start_s, a.answer_end_s
FROM answers a JOIN ranked r ON r.video_id = a.video_id AND r.phrase_id = a.phrase_id
WHERE r.rank <= $hive_max_messages AND a.n_words >= $min_answer_words
GROUP BY a.video_id, a.phrase_id, a.response, a.answer_start_s, a.answer_end_s;
