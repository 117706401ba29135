-- Migration 2: the tables of YouTube channel import (`chatclone import youtube-dir`).
-- Writes: videos, cues, words, chat.

-- One row per video seen in a channel folder; category is set by classification, not by import.
CREATE TABLE videos (
    video_id        VARCHAR PRIMARY KEY,
    channel_id      VARCHAR,
    channel         VARCHAR,
    title           VARCHAR,
    description     VARCHAR,
    upload_date     DATE,
    duration_s      DOUBLE,
    live_status     VARCHAR,               -- yt-dlp's: not_live | was_live | is_live | post_live | ...
    tags            VARCHAR[],
    category        VARCHAR DEFAULT 'unclassified',
    category_reason VARCHAR,
    has_info        BOOLEAN,
    has_auto_subs   BOOLEAN,
    has_manual_subs BOOLEAN,
    has_live_chat   BOOLEAN,
    has_audio       BOOLEAN,
    status          VARCHAR,               -- loaded | broken (a file of it failed to parse)
    attempts        INTEGER DEFAULT 0,     -- failed imports in a row; 0 once it loads
    loaded_at       TIMESTAMP
);

-- Captions, one row per cue (auto captions: each spoken line once, rolling window undone).
CREATE TABLE cues (
    video_id VARCHAR NOT NULL,
    start_s  DOUBLE NOT NULL,
    end_s    DOUBLE NOT NULL,
    text     VARCHAR NOT NULL,
    source   VARCHAR NOT NULL,   -- auto | manual | whisper
    lang     VARCHAR             -- the subtitle file's language code, as yt-dlp names it
);

-- Word timings of auto captions (and whisper).
CREATE TABLE words (
    video_id VARCHAR NOT NULL,
    start_s  DOUBLE NOT NULL,
    end_s    DOUBLE NOT NULL,
    word     VARCHAR NOT NULL,
    source   VARCHAR NOT NULL,   -- auto | whisper
    lang     VARCHAR
);

-- Live chat replay of a stream.
CREATE TABLE chat (
    video_id     VARCHAR NOT NULL,
    message_id   VARCHAR NOT NULL,
    t_s          DOUBLE NOT NULL,    -- seconds from the start of the video
    ts_usec      BIGINT,             -- wall-clock time, microseconds since the epoch, where given
    author_id    VARCHAR NOT NULL,
    author_name  VARCHAR NOT NULL,
    text         VARCHAR NOT NULL,
    kind         VARCHAR NOT NULL,   -- text | paid | sticker | membership
    amount       DOUBLE,
    currency     VARCHAR,
    is_owner     BOOLEAN NOT NULL DEFAULT false,
    is_moderator BOOLEAN NOT NULL DEFAULT false
);
