-- Rebuild the `read` pairs: the message read aloud, and the speech after the read part until the next
-- read, a pause of $answer_pause_s, or $answer_max_s. Reads: reads, speech_words, chat_aligned.
-- Writes: pairs.
DELETE FROM pairs;
INSERT INTO pairs (video_id, prompt, response, method, score, message_ids, prompt_t_s, answer_start_s, answer_end_s)
WITH bounds AS (
    SELECT *, lead(read_first_idx) OVER (PARTITION BY video_id ORDER BY read_first_idx) AS next_read_idx
    FROM reads
), answer_words AS (
    SELECT b.video_id, b.message_id, b.score, b.read_end_s, w.idx, w.start_s, w.end_s, w.word,
           w.start_s - lag(w.end_s) OVER (PARTITION BY b.video_id, b.message_id ORDER BY w.idx) AS gap
    FROM bounds b
    JOIN speech_words w ON w.video_id = b.video_id AND w.idx > b.read_last_idx
        AND w.idx < coalesce(b.next_read_idx, 9223372036854775807) AND w.start_s <= b.read_end_s + $answer_max_s
), cut AS (
    SELECT *, sum(CASE WHEN gap >= $answer_pause_s THEN 1 ELSE 0 END)
                  OVER (PARTITION BY video_id, message_id ORDER BY idx) AS pauses_before
    FROM answer_words
), answers AS (
    SELECT video_id, message_id, any_value(score) AS score, string_agg(word, ' ' ORDER BY idx) AS response,
           count(*) AS n_words, min(start_s) AS answer_start_s, max(end_s) AS answer_end_s
    FROM cut
    WHERE pauses_before = 0
    GROUP BY video_id, message_id
)
SELECT a.video_id, 'chat: ' || m.author_name || ': ' || m.text, a.response, 'read', a.score, [a.message_id], m.t_s,
       a.answer_start_s, a.answer_end_s
FROM answers a JOIN chat_aligned m ON m.video_id = a.video_id AND m.message_id = a.message_id
WHERE a.n_words >= $min_answer_words;
