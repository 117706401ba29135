-- Rebuild chat_aligned: each text or paid chat message of a zatsu VOD with its normalized words,
-- the phrase in progress when it arrived and the next phrase (ASOF joins, no row loops).
-- Reads: chat, videos, speech_phrases. Writes: chat_aligned.
DELETE FROM chat_aligned;
INSERT INTO chat_aligned
WITH messages AS (
    SELECT c.video_id, c.message_id, c.t_s, c.author_name, c.text, c.kind, norm_words(c.text) AS words
    FROM chat c JOIN videos v ON v.video_id = c.video_id
    WHERE v.category = 'zatsu' AND c.kind IN ('text', 'paid')
)
SELECT m.video_id, m.message_id, m.t_s, m.author_name, m.text, m.kind, m.words, cur.phrase_id, nxt.phrase_id
FROM messages m
ASOF LEFT JOIN speech_phrases cur ON cur.video_id = m.video_id AND m.t_s >= cur.start_s
ASOF LEFT JOIN speech_phrases nxt ON nxt.video_id = m.video_id AND m.t_s <= nxt.start_s
WHERE len(m.words) > 0;
