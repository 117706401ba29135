-- Rebuild reads: chat messages the streamer read aloud. For every phrase, each message that arrived
-- between $read_back_s before and $read_ahead_s after its start is compared with the words that start
-- the phrase (as many as the message has, three more after a lead-in naming the author or "says",
-- "asks"...): the share of its words, and of its word pairs (for order), found there; a little more for
-- a lead-in naming its author, for "says"/"asks", and for super chats. Among equals, the earliest
-- message (the one others copied) wins. Each phrase keeps its best message
-- and each message its best phrase; a pair that is both, scoring at least $min_read_score, is a read.
-- Reads: speech_words, speech_phrases, chat_aligned. Writes: reads.
DELETE FROM reads;
INSERT INTO reads
WITH video_words AS (
    SELECT video_id, list(norm ORDER BY idx) AS norms FROM speech_words GROUP BY video_id
), candidates AS (
    SELECT p.video_id, p.phrase_id, p.first_idx, p.start_s, m.message_id, m.t_s, m.kind,
           list_distinct(chat_speak(m.words)) AS msg, chat_speak(m.words) AS msg_seq, norm_words(m.author_name) AS author,
           vw.norms[p.first_idx : p.first_idx + len(m.words) + 3] AS phrase_start
    FROM speech_phrases p
    JOIN chat_aligned m ON m.video_id = p.video_id
        AND m.t_s BETWEEN p.start_s - $read_back_s AND p.start_s + $read_ahead_s
    JOIN video_words vw ON vw.video_id = p.video_id
    WHERE len(m.words) >= $min_read_words
), lead_ins AS (
    SELECT *,
           len(list_intersect(phrase_start[1:3], author)) > 0 AS author_named,
           len(list_intersect(phrase_start[1:4], ['says', 'said', 'asks', 'asked', 'writes', 'wrote', 'question'])) > 0 AS marker
    FROM candidates
), windows AS (
    SELECT *, phrase_start[1 : len(msg_seq) + CASE WHEN author_named OR marker THEN 3 ELSE 0 END] AS win FROM lead_ins
), scored AS (
    SELECT *,
           -- a word counts as found where the speech has it, or one close to it ("listen" ~ "listening")
           len(list_filter(msg, lambda m: list_contains(win, m)
                                OR (length(m) >= 4 AND len(list_filter(win, lambda w: length(w) >= 4 AND jaro_winkler_similarity(m, w) >= 0.88)) > 0)))
               / len(msg) AS word_share,
           CASE WHEN len(msg_seq) < 2 THEN 1.0 ELSE
               len(list_filter(generate_series(1, len(msg_seq) - 1),
                               lambda i: list_contains(list_transform(generate_series(1, len(win) - 1), lambda j: win[j] || ' ' || win[j + 1]),
                                                       msg_seq[i] || ' ' || msg_seq[i + 1]))) / (len(msg_seq) - 1)
           END AS pair_share
    FROM windows
), ranked AS (
    SELECT *,
           word_share * (0.7 + 0.3 * pair_share) + CASE WHEN author_named THEN 0.1 ELSE 0 END + CASE WHEN marker THEN 0.05 ELSE 0 END
               + CASE WHEN kind = 'paid' THEN 0.05 ELSE 0 END AS score
    FROM scored
), best AS (
    SELECT *,
           row_number() OVER (PARTITION BY video_id, phrase_id ORDER BY score DESC, t_s, message_id) AS phrase_rank,
           row_number() OVER (PARTITION BY video_id, message_id ORDER BY score DESC, start_s, phrase_id) AS message_rank
    FROM ranked
    WHERE score >= $min_read_score
)
SELECT b.video_id, b.message_id, b.phrase_id, b.first_idx,
       b.first_idx - 1 + list_max(list_filter(generate_series(1, len(b.win)), lambda i: list_contains(b.msg, b.win[i]))) AS read_last_idx,
       b.start_s, e.end_s, b.score
FROM best b
JOIN speech_words e ON e.video_id = b.video_id
    AND e.idx = b.first_idx - 1 + list_max(list_filter(generate_series(1, len(b.win)), lambda i: list_contains(b.msg, b.win[i])))
WHERE b.phrase_rank = 1 AND b.message_rank = 1;
