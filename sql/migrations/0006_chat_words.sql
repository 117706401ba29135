-- Migration 6: chat words normalized once, when the chat is loaded, not on every mining rebuild;
-- chat_aligned keeps only the alignment; speech_words knows where answers must end. Writes: chat, chat_aligned, speech_words.

-- A message's words as matching compares them: norm_words, then chat spelling as said aloud (chat_speak).
CREATE MACRO chat_words(t) AS chat_speak(norm_words(t));

ALTER TABLE chat ADD COLUMN words VARCHAR[];   -- chat_words(text)
UPDATE chat SET words = chat_words(text);

-- Each text or paid chat message of a zatsu VOD with the phrase in progress when it arrived and the next one.
DROP TABLE chat_aligned;
CREATE TABLE chat_aligned (
    video_id       VARCHAR NOT NULL,
    message_id     VARCHAR NOT NULL,
    t_s            DOUBLE NOT NULL,
    current_phrase BIGINT,   -- the phrase being spoken when it arrived (NULL: before any speech)
    next_phrase    BIGINT    -- the first phrase starting at or after it (NULL: after all speech)
);

-- speech_words gains the pause before each word, its phrase, and the stretch of speech without a pause of
-- [mining] answer_pause_s it is in.
DROP TABLE speech_words;
CREATE TABLE speech_words (
    video_id VARCHAR NOT NULL,
    idx      BIGINT NOT NULL,    -- 1, 2, ... within the VOD
    start_s  DOUBLE NOT NULL,
    end_s    DOUBLE NOT NULL,
    word     VARCHAR NOT NULL,   -- as transcribed (case, punctuation)
    norm     VARCHAR NOT NULL,   -- lower case, letters and digits only
    pause_before DOUBLE,         -- seconds since the previous word ended (NULL: the first word)
    phrase_id BIGINT NOT NULL,   -- the speech_phrases row it is in
    stretch  BIGINT NOT NULL     -- 1, 2, ... within the VOD: a new one after each pause of answer_pause_s (an answer never crosses one)
);
