-- Rebuild chat_aligned: each text or paid chat message of a zatsu VOD (with words) attached to the phrase
-- in progress when it arrived and the next phrase. One ASOF join finds the phrase in progress; as phrases
-- are numbered 1, 2, ... in time order, the next one is the one after it (or itself, for a message that
-- arrived exactly as it started), and a row before each VOD's first phrase gives the messages before any speech
-- the first phrase as their next one, without a second join. Only the VODs of mine_videos (mine_todo.sql).
-- Reads: chat, speech_phrases, mine_videos, mine_stale. Writes: chat_aligned.
DELETE FROM chat_aligned WHERE video_id IN (SELECT video_id FROM mine_stale);
INSERT INTO chat_aligned
WITH counts AS (
    SELECT video_id, count(*) AS phrases FROM speech_phrases SEMI JOIN mine_videos USING (video_id) GROUP BY video_id
), phrases AS (
    SELECT p.video_id, p.phrase_id, p.start_s, n.phrases
    FROM speech_phrases p JOIN counts n ON n.video_id = p.video_id
    UNION ALL
    -- a phrase-less row before each VOD's first phrase, so that the ASOF join alone knows how many phrases a VOD has
    SELECT video_id, NULL, '-infinity'::DOUBLE, phrases FROM counts
)
SELECT m.video_id, m.message_id, m.t_s, cur.phrase_id,
       CASE WHEN cur.phrase_id IS NULL THEN CASE WHEN cur.phrases > 0 THEN 1 END
            WHEN cur.start_s = m.t_s THEN cur.phrase_id
            WHEN cur.phrase_id < cur.phrases THEN cur.phrase_id + 1 END
FROM (SELECT c.video_id, c.message_id, c.t_s
      FROM chat c SEMI JOIN mine_videos v ON v.video_id = c.video_id
      WHERE c.kind IN ('text', 'paid') AND len(c.words) > 0) m
ASOF LEFT JOIN phrases cur ON cur.video_id = m.video_id AND m.t_s >= cur.start_s;
