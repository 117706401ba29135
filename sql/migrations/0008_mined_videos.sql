-- Migration 8: mining is incremental. A zatsu VOD is mined again only where its transcript words, its chat, the
-- [mining] settings or the mining SQL changed since it was last mined. Writes: mined_videos, and empties the tables
-- mining rebuilds (their rows have no fingerprint yet: the next `dataset build` mines every zatsu VOD again).

-- The zatsu VODs whose rows are in speech_words, speech_phrases, chat_aligned, reads and pairs, and what they were mined from.
CREATE TABLE mined_videos (
    video_id    VARCHAR NOT NULL,
    fingerprint UBIGINT NOT NULL,    -- hash of the mining version (settings and SQL), the VOD's transcript words and its chat
    mined_at    TIMESTAMP NOT NULL
);

DELETE FROM speech_words;
DELETE FROM speech_phrases;
DELETE FROM chat_aligned;
DELETE FROM reads;
DELETE FROM pairs;
