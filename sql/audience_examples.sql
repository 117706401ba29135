-- Audience examples: every chat message (text, paid or membership with text, not the channel owner's) of
-- the VODs whose category is in $categories, with the chat lines sent before it (at most $context_lines,
-- within $context_s) and what the streamer said just before it (the last $speech_words words of the chosen
-- transcript, spoken within $speech_s). One ASOF join finds the last word started before each message.
-- Ordered by VOD and time. Reads: chat, videos, transcript_words.
WITH msgs AS (
    SELECT c.video_id, c.message_id, c.t_s, c.text,
           list(c.text) OVER w AS before_texts, list(c.t_s) OVER w AS before_ts
    FROM chat c JOIN videos v ON v.video_id = c.video_id
    WHERE list_contains($categories, v.category) AND c.kind IN ('text', 'paid', 'membership')
      AND trim(c.text) <> '' AND NOT c.is_owner
    WINDOW w AS (PARTITION BY c.video_id ORDER BY c.t_s, c.message_id ROWS BETWEEN $context_lines PRECEDING AND 1 PRECEDING)
),
spoken AS (
    SELECT w.video_id, w.start_s,
           list(trim(w.word)) OVER s AS words, list(w.start_s) OVER s AS starts
    FROM transcript_words w JOIN videos v ON v.video_id = w.video_id
    WHERE list_contains($categories, v.category)
    WINDOW s AS (PARTITION BY w.video_id ORDER BY w.start_s, w.end_s ROWS BETWEEN $speech_words - 1 PRECEDING AND CURRENT ROW)
)
SELECT m.video_id, m.message_id, m.t_s, m.text,
       CASE WHEN $context_lines > 0
            THEN list_filter(m.before_texts, lambda t, i: m.before_ts[i] >= m.t_s - $context_s) ELSE [] END AS chat_before,
       CASE WHEN $speech_words > 0
            THEN coalesce(array_to_string(list_filter(s.words, lambda x, i: s.starts[i] >= m.t_s - $speech_s AND x <> ''), ' '), '')
            ELSE '' END AS speech_before
FROM msgs m
ASOF LEFT JOIN spoken s ON s.video_id = m.video_id AND m.t_s >= s.start_s
ORDER BY m.video_id, m.t_s, m.message_id;
