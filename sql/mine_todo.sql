-- Which zatsu VODs mining must (re)build: a fingerprint of each one's inputs (the mining version $version, i.e. the
-- [mining] settings and the SQL of the steps; its transcript words; its chat) against the one it was mined with.
-- Order-free sums of row hashes, so a scan, not a sort. Chat words are normalized once: on import (insert_chat.sql), or
-- here for rows written without them. Reads: videos, transcript_words, chat, mined_videos. Writes: chat (words),
-- temp tables mine_videos (the VODs to mine, with their fingerprint and `vod`, their number 0, 1, ... in video_id order
-- by which the compiled kernels know them) and mine_stale (the VODs whose mined rows go:
-- those, and those no longer zatsu).
UPDATE chat SET words = chat_words(text) WHERE words IS NULL;

CREATE OR REPLACE TEMP TABLE mine_videos AS
WITH zatsu AS (
    SELECT video_id FROM videos WHERE category = 'zatsu'
), fingerprints AS (
    -- the words and chat of zatsu VODs only: a channel's solo and karaoke streams are not hashed
    SELECT z.video_id, hash($version, w.n, w.h, c.n, c.h) AS fingerprint
    FROM zatsu z
    LEFT JOIN (SELECT video_id, count(*) AS n, sum(hash(start_s, end_s, word)::HUGEINT) AS h
               FROM transcript_words SEMI JOIN zatsu USING (video_id) GROUP BY video_id) w ON w.video_id = z.video_id
    LEFT JOIN (SELECT video_id, count(*) AS n, sum(hash(message_id, t_s, kind, author_name, text, words)::HUGEINT) AS h
               FROM chat SEMI JOIN zatsu USING (video_id) GROUP BY video_id) c ON c.video_id = z.video_id
)
SELECT video_id, fingerprint, row_number() OVER (ORDER BY video_id) - 1 AS vod
FROM fingerprints f
ANTI JOIN mined_videos m USING (video_id, fingerprint);

CREATE OR REPLACE TEMP TABLE mine_stale AS
SELECT video_id FROM mine_videos
UNION
SELECT m.video_id FROM mined_videos m ANTI JOIN videos v ON v.video_id = m.video_id AND v.category = 'zatsu';

-- how many VODs to mine, and how many to drop or mine again
SELECT (SELECT count(*) FROM mine_videos), (SELECT count(*) FROM mine_stale);
