-- Rebuild the speech of zatsu VODs from their chosen transcript (transcript_words): numbered words,
-- then phrases split at pauses of $phrase_pause_s, after sentence ends, and before a "NAME says/asks"
-- lead-in (a read may follow a thank-you without a pause). Turn starts at pauses of $turn_pause_s.
-- Reads: transcript_words, videos. Writes: speech_words, speech_phrases.
DELETE FROM speech_words;
INSERT INTO speech_words
SELECT video_id, row_number() OVER (PARTITION BY video_id ORDER BY start_s, end_s, word) AS idx, start_s, end_s, word, norm
FROM (
    SELECT w.video_id, w.start_s, w.end_s, w.word, array_to_string(norm_words(w.word), '') AS norm
    FROM transcript_words w JOIN videos v ON v.video_id = w.video_id
    WHERE v.category = 'zatsu'
)
WHERE norm <> '';

DELETE FROM speech_phrases;
INSERT INTO speech_phrases
WITH gaps AS (
    SELECT video_id, idx, start_s, end_s, norm,
           start_s - lag(end_s) OVER (PARTITION BY video_id ORDER BY idx) AS gap,
           coalesce(regexp_matches(lag(word) OVER (PARTITION BY video_id ORDER BY idx), '[.?!。？！]["'')\]]*$'), false)
               OR coalesce(lead(norm) OVER (PARTITION BY video_id ORDER BY idx) IN ('says', 'asks', 'asked', 'writes', 'wrote'), false) AS after_sentence
    FROM speech_words
), numbered AS (
    SELECT *, sum(CASE WHEN gap IS NULL OR gap >= $phrase_pause_s OR after_sentence THEN 1 ELSE 0 END)
                  OVER (PARTITION BY video_id ORDER BY idx) AS phrase_id,
              gap IS NULL OR gap >= $turn_pause_s AS after_turn_pause
    FROM gaps
)
SELECT video_id, phrase_id, min(idx), max(idx), min(start_s), max(end_s), arg_min(after_turn_pause, idx)
FROM numbered
GROUP BY video_id, phrase_id;
