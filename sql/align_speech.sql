-- Rebuild the speech of zatsu VODs from their chosen transcript (transcript_words): the words numbered in
-- time order with the pause before each, phrases split at pauses of $phrase_pause_s, after sentence ends and
-- before a "NAME says/asks" lead-in (a read may follow a thank-you without a pause), numbered 1, 2, ...;
-- stretches split at pauses of $answer_pause_s (an answer ends at one). A phrase after a pause of
-- $turn_pause_s starts a speech turn. Only the VODs of mine_videos (mine_todo.sql); the rows of mine_stale go first.
-- Reads: transcript_words, mine_videos, mine_stale. Writes: speech_words, speech_phrases.
DELETE FROM speech_words WHERE video_id IN (SELECT video_id FROM mine_stale);
INSERT INTO speech_words
WITH numbered AS (
    -- a word's norm is norm_words(word) joined: lower case, letters and digits only
    SELECT video_id, row_number() OVER w AS idx, start_s, end_s, word, norm, start_s - lag(end_s) OVER w AS pause_before,
           coalesce(regexp_matches(lag(word) OVER w, '[.?!。？！]["'')\]]*$'), false)
               OR coalesce(lead(norm) OVER w IN ('says', 'asks', 'asked', 'writes', 'wrote'), false) AS after_sentence
    FROM (
        SELECT w.video_id, w.start_s, w.end_s, w.word, lower(regexp_replace(w.word, '[^\p{L}\p{N}]+', '', 'g')) AS norm
        FROM transcript_words w SEMI JOIN mine_videos v ON v.video_id = w.video_id
    )
    WHERE norm <> ''
    WINDOW w AS (PARTITION BY video_id ORDER BY start_s, end_s, word)
), bounds AS (
    -- the words where a phrase or a stretch starts, with their running counts: every other word takes those of
    -- the last one before it (an ASOF join), so the running sums go over these few rows, not every word
    SELECT video_id, idx,
           sum(CASE WHEN pause_before IS NULL OR pause_before >= $phrase_pause_s OR after_sentence THEN 1 ELSE 0 END) OVER b AS phrase_id,
           sum(CASE WHEN pause_before >= $answer_pause_s THEN 1 ELSE 0 END) OVER b + 1 AS stretch
    FROM numbered
    WHERE pause_before IS NULL OR pause_before >= $phrase_pause_s OR after_sentence OR pause_before >= $answer_pause_s
    WINDOW b AS (PARTITION BY video_id ORDER BY idx ROWS UNBOUNDED PRECEDING)
)
SELECT n.video_id, n.idx, n.start_s, n.end_s, n.word, n.norm, n.pause_before, b.phrase_id, b.stretch
FROM numbered n
ASOF JOIN bounds b ON b.video_id = n.video_id AND n.idx >= b.idx;

DELETE FROM speech_phrases WHERE video_id IN (SELECT video_id FROM mine_stale);
INSERT INTO speech_phrases
SELECT video_id, phrase_id, min(idx), max(idx), min(start_s), max(end_s), arg_min(coalesce(pause_before, 'infinity'::DOUBLE), idx) >= $turn_pause_s
FROM speech_words SEMI JOIN mine_videos USING (video_id)
GROUP BY video_id, phrase_id;
