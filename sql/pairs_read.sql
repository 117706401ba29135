-- Rebuild the `read` pairs: the message read aloud, and the speech after the read part until the next
-- read, a pause of $answer_pause_s, or $answer_max_s. Only the VODs of mine_videos (mine_todo.sql); all their pairs
-- (read and hive) go first. Reads: reads, speech_words, chat, mine_videos, mine_stale. Writes: pairs.
DELETE FROM pairs WHERE video_id IN (SELECT video_id FROM mine_stale);
INSERT INTO pairs (video_id, prompt, response, method, score, message_ids, prompt_t_s, answer_start_s, answer_end_s)
WITH bounds AS MATERIALIZED (
    -- with the stretch of the word after the read, so that the answer's words are joined on it, not on the VOD alone;
    -- and the prompt: the message, found here for the few reads (joined after the answers, the whole chat was the build side)
    SELECT r.*, f.stretch, 'chat: ' || m.author_name || ': ' || m.text AS prompt, m.t_s AS prompt_t_s
    FROM (SELECT *, lead(read_first_idx) OVER (PARTITION BY video_id ORDER BY read_first_idx) AS next_read_idx
          FROM reads SEMI JOIN mine_videos USING (video_id)) r
    JOIN speech_words f ON f.video_id = r.video_id AND f.idx = r.read_last_idx + 1
    JOIN chat m ON m.video_id = r.video_id AND m.message_id = r.message_id
), answer_words AS (
    -- the words after the read part in its stretch (up to the next pause of answer_pause_s)
    SELECT b.video_id, b.message_id, b.score, w.idx, w.start_s, w.end_s, w.word
    FROM bounds b
    JOIN speech_words w ON w.video_id = b.video_id AND w.stretch = b.stretch AND w.idx > b.read_last_idx
        AND w.idx < coalesce(b.next_read_idx, 9223372036854775807) AND w.start_s <= b.read_end_s + $answer_max_s
), answers AS (
    SELECT video_id, message_id, any_value(score) AS score, string_agg(word, ' ' ORDER BY idx) AS response,
           count(*) AS n_words, min(start_s) AS answer_start_s, max(end_s) AS answer_end_s
    FROM answer_words
    GROUP BY video_id, message_id
)
SELECT a.video_id, b.prompt, a.response, 'read', a.score, [a.message_id], b.prompt_t_s, a.answer_start_s, a.answer_end_s
FROM answers a JOIN bounds b ON b.video_id = a.video_id AND b.message_id = a.message_id
WHERE a.n_words >= $min_answer_words;
