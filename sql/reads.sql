-- Rebuild reads: chat messages the streamer read aloud. A message is compared with a phrase only where it
-- arrived between $read_back_s before and $read_ahead_s after the phrase started and two of its probe words
-- (those of $probe_min_letters letters or more, the rarer and more telling ones; one where it has fewer than three)
-- are among the phrase's first $probe_span_words words: an equality join on (VOD, time bucket, word), so
-- a message is never compared with every phrase near it. Each such pair is scored against the words that
-- start the phrase (as many as the message has, three more after a lead-in naming the author or "says",
-- "asks"...): the share of its words, and of its word pairs (for order), found there; a little more for a
-- lead-in naming its author, for "says"/"asks", and for super chats. Among equals, the earliest message
-- (the one others copied) wins. Each phrase keeps its best message and each message its best phrase; a
-- pair that is both, scoring at least $min_read_score, is a read.
-- Only the VODs of mine_videos (mine_todo.sql). Reads: speech_words, speech_phrases, chat, mine_videos, mine_stale. Writes: reads.
DELETE FROM reads WHERE video_id IN (SELECT video_id FROM mine_stale);
INSERT INTO reads
WITH head_words AS MATERIALIZED (
    -- both sides restricted to the VODs to mine: with the phrases alone, DuckDB built its hash table on their 22M head rows
    SELECT p.video_id, p.phrase_id, p.first_idx, p.start_s, p.k, w.norm
    FROM (SELECT video_id, phrase_id, first_idx, start_s, k, first_idx + k AS at_idx
          FROM speech_phrases SEMI JOIN mine_videos USING (video_id), range($probe_span_words + 6) r(k)) p
    JOIN (SELECT video_id, idx, norm FROM speech_words SEMI JOIN mine_videos USING (video_id)) w ON w.video_id = p.video_id AND w.idx = p.at_idx
), messages AS (
    SELECT c.rowid AS mid, c.video_id, c.t_s, c.words,
           least($probe_min_letters, list_max(list_transform(c.words, lambda w: length(w)))) AS probe_letters
    FROM chat c SEMI JOIN mine_videos v ON v.video_id = c.video_id
    WHERE c.kind IN ('text', 'paid') AND len(c.words) >= $min_read_words
), message_probes AS (
    -- probes: its words of $probe_min_letters or more letters (its longest, where it has none that long)
    SELECT video_id, mid, t_s, norm, n_probes, n_words, floor(t_s / ($read_back_s + $read_ahead_s))::BIGINT AS bucket
    FROM (SELECT video_id, mid, t_s, probe_letters, len(words) AS n_words, unnest(words) AS norm,
                 len(list_filter(words, lambda w: length(w) >= probe_letters)) AS n_probes
          FROM messages)
    WHERE length(norm) >= probe_letters
), phrase_probes AS (
    -- a phrase in the (at most two) buckets of the times its messages can have: fewer rows than the messages' probes
    SELECT video_id, phrase_id, start_s, norm, k, floor((start_s - $read_back_s) / ($read_back_s + $read_ahead_s))::BIGINT AS bucket
    FROM head_words WHERE k < $probe_span_words AND length(norm) >= 3
    UNION ALL
    SELECT video_id, phrase_id, start_s, norm, k, floor((start_s + $read_ahead_s) / ($read_back_s + $read_ahead_s))::BIGINT
    FROM head_words WHERE k < $probe_span_words AND length(norm) >= 3
        AND floor((start_s + $read_ahead_s) / ($read_back_s + $read_ahead_s)) <> floor((start_s - $read_back_s) / ($read_back_s + $read_ahead_s))
), pairs AS (
    -- two probes found (one where the message has fewer than three): a read has most of its words spoken
    -- where the score can see them: within the message's length (and a lead-in) from the phrase start
    SELECT m.video_id, m.mid, p.phrase_id
    FROM message_probes m
    JOIN phrase_probes p ON p.video_id = m.video_id AND p.bucket = m.bucket AND p.norm = m.norm
    WHERE m.t_s BETWEEN p.start_s - $read_back_s AND p.start_s + $read_ahead_s AND p.k < m.n_words + 3
    GROUP BY m.video_id, m.mid, p.phrase_id
    HAVING count(*) >= CASE WHEN any_value(m.n_probes) >= 3 THEN 2 ELSE 1 END
), heads AS (
    -- words put in order by a sort of each phrase's small list of positions, not by an ordered aggregate (a sort of all rows)
    SELECT video_id, phrase_id, any_value(first_idx) AS first_idx, any_value(start_s) AS start_s,
           list_select(list(norm), list_grade_up(list(k))) AS head
    FROM head_words SEMI JOIN pairs USING (video_id, phrase_id)
    GROUP BY video_id, phrase_id
), candidates AS (
    -- the messages' other columns straight from chat: the narrow `messages` is all the probes need
    SELECT h.video_id, h.phrase_id, h.first_idx, h.start_s, m.message_id, m.t_s, m.kind,
           list_distinct(m.words) AS msg, m.words AS msg_seq, m.author_name,
           h.head[1 : len(m.words) + 3] AS phrase_start
    FROM pairs c
    JOIN heads h ON h.video_id = c.video_id AND h.phrase_id = c.phrase_id
    JOIN chat m ON m.rowid = c.mid
), authors AS (
    -- each name normalized once, not once per candidate
    SELECT author_name, norm_words(author_name) AS author FROM (SELECT DISTINCT author_name FROM candidates)
), lead_ins AS (
    SELECT c.*,
           list_has_any(c.phrase_start[1:3], a.author) AS author_named,
           list_has_any(c.phrase_start[1:4], ['says', 'said', 'asks', 'asked', 'writes', 'wrote', 'question']) AS marker
    FROM candidates c JOIN authors a USING (author_name)
), windows AS (
    SELECT *, phrase_start[1 : len(msg_seq) + CASE WHEN author_named OR marker THEN 3 ELSE 0 END] AS win FROM lead_ins
), exact AS (
    SELECT *, len(list_intersect(msg, win)) AS found,
           list_filter(msg, lambda m: length(m) >= 4 AND NOT list_contains(win, m)) AS unfound_long,
           CASE WHEN author_named THEN 0.1 ELSE 0 END + CASE WHEN marker THEN 0.05 ELSE 0 END + CASE WHEN kind = 'paid' THEN 0.05 ELSE 0 END AS bonus
    FROM windows
), scored AS (
    -- a word counts as found where the speech has it, or one close to it ("listen" ~ "listening"); the score is at most
    -- word_share + bonus, so a pair that could not make a read even with every long word close to one spoken goes no further
    SELECT *,
           (found + CASE WHEN len(unfound_long) = 0 THEN 0
                         ELSE len(list_filter(unfound_long, lambda m: list_bool_or(list_transform(win, lambda w: jaro_winkler_similarity(m, w) >= 0.88)))) END)
               / len(msg) AS word_share
    FROM exact
    WHERE (found + len(unfound_long)) / len(msg) + bonus >= $min_read_score
), paired AS (
    SELECT *,
           CASE WHEN len(msg_seq) < 2 THEN 1.0
                WHEN word_share + bonus < $min_read_score THEN 0.0
                ELSE len(list_intersect(list_transform(generate_series(1, len(msg_seq) - 1), lambda i: msg_seq[i] || ' ' || msg_seq[i + 1]),
                                        list_transform(generate_series(1, len(win) - 1), lambda j: win[j] || ' ' || win[j + 1])))
                     / (len(msg_seq) - 1) END AS pair_share
    FROM scored
), ranked AS (
    SELECT *,
           word_share * (0.7 + 0.3 * pair_share) + bonus AS score
    FROM paired
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
