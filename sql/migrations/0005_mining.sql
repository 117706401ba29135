-- Migration 5: zatsu pair mining (`dataset build`): speech aligned with chat, reads, pairs.
-- Writes: speech_words, speech_phrases, chat_aligned, reads, pairs.

-- The chosen transcript's words of each zatsu VOD, numbered in time order, normalized for matching.
CREATE TABLE speech_words (
    video_id VARCHAR NOT NULL,
    idx      BIGINT NOT NULL,    -- 1, 2, ... within the VOD
    start_s  DOUBLE NOT NULL,
    end_s    DOUBLE NOT NULL,
    word     VARCHAR NOT NULL,   -- as transcribed (case, punctuation)
    norm     VARCHAR NOT NULL    -- lower case, letters and digits only
);

-- Runs of words without a pause of [mining] phrase_pause_s: where a read can start.
CREATE TABLE speech_phrases (
    video_id   VARCHAR NOT NULL,
    phrase_id  BIGINT NOT NULL,
    first_idx  BIGINT NOT NULL,
    last_idx   BIGINT NOT NULL,
    start_s    DOUBLE NOT NULL,
    end_s      DOUBLE NOT NULL,
    turn_start BOOLEAN NOT NULL  -- the pause before it is at least turn_pause_s: a new speech turn
);

-- Each chat message of a zatsu VOD with its normalized words, the phrase in progress and the next one.
CREATE TABLE chat_aligned (
    video_id       VARCHAR NOT NULL,
    message_id     VARCHAR NOT NULL,
    t_s            DOUBLE NOT NULL,
    author_name    VARCHAR NOT NULL,
    text           VARCHAR NOT NULL,
    kind           VARCHAR NOT NULL,
    words          VARCHAR[] NOT NULL,
    current_phrase BIGINT,   -- the phrase being spoken when it arrived (NULL: before any speech)
    next_phrase    BIGINT    -- the first phrase starting at or after it (NULL: after all speech)
);

-- Chat messages the streamer read aloud: where, and how sure.
CREATE TABLE reads (
    video_id      VARCHAR NOT NULL,
    message_id    VARCHAR NOT NULL,
    phrase_id     BIGINT NOT NULL,
    read_first_idx BIGINT NOT NULL,
    read_last_idx BIGINT NOT NULL,   -- the last word of the read-aloud part
    read_start_s  DOUBLE NOT NULL,
    read_end_s    DOUBLE NOT NULL,
    score         DOUBLE NOT NULL
);

ALTER TABLE pairs ADD COLUMN message_ids VARCHAR[];
ALTER TABLE pairs ADD COLUMN prompt_t_s DOUBLE;       -- when the (first) prompt message arrived
ALTER TABLE pairs ADD COLUMN answer_start_s DOUBLE;
ALTER TABLE pairs ADD COLUMN answer_end_s DOUBLE;

-- The words of a text as matching compares them: lower case, apostrophes dropped, split at anything not a letter or digit.
CREATE MACRO norm_words(t) AS
    list_filter(string_split_regex(lower(regexp_replace(regexp_replace(t, '[''’]', '', 'g'), '[^\p{L}\p{N}]+', ' ', 'g')), ' '), lambda w: w <> '');

-- Chat spelling as it is said aloud: "u" is read "you", "pls" "please".
CREATE MACRO chat_speak(words) AS
    list_transform(words, lambda w: CASE w WHEN 'u' THEN 'you' WHEN 'ur' THEN 'your' WHEN 'r' THEN 'are' WHEN 'pls' THEN 'please'
                                         WHEN 'plz' THEN 'please' WHEN 'ya' THEN 'you' WHEN 'tho' THEN 'though' WHEN 'thx' THEN 'thanks'
                                         WHEN 'bc' THEN 'because' WHEN 'rn' THEN 'now' WHEN 'fav' THEN 'favorite' WHEN 'fave' THEN 'favorite'
                                         WHEN 'wanna' THEN 'want' WHEN 'gonna' THEN 'going' ELSE w END);
