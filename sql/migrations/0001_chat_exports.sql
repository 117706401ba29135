-- Migration 1: the tables of chat-export import.
-- Writes: imports, quarantine, messages, pairs (filled by zatsu mining, issue 6).

CREATE SEQUENCE IF NOT EXISTS import_id_seq;

-- One row per file import attempt; a file whose hash has an 'ok' row is skipped on rerun.
CREATE TABLE imports (
    import_id   BIGINT PRIMARY KEY DEFAULT nextval('import_id_seq'),
    source      VARCHAR NOT NULL,
    path        VARCHAR NOT NULL,
    sha256      VARCHAR NOT NULL,
    size_bytes  BIGINT NOT NULL,
    status      VARCHAR NOT NULL,          -- ok | quarantined
    rows_read   BIGINT NOT NULL DEFAULT 0,
    rows_added  BIGINT NOT NULL DEFAULT 0,
    skipped     JSON,                      -- counts of records deliberately not loaded, by reason
    error       VARCHAR,
    started_at  TIMESTAMP NOT NULL,
    finished_at TIMESTAMP
);

-- Files that failed to parse: the error, and where a copy of the file was put.
CREATE TABLE quarantine (
    path            VARCHAR NOT NULL,
    source          VARCHAR NOT NULL,
    sha256          VARCHAR NOT NULL,
    error           VARCHAR NOT NULL,
    quarantined_to  VARCHAR,
    quarantined_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (path, sha256)
);

CREATE TABLE messages (
    source            VARCHAR NOT NULL,     -- discord | messenger | twitch | telegram | whatsapp
    conversation_id   VARCHAR NOT NULL,     -- channel, thread or chat id
    message_id        VARCHAR NOT NULL,
    ts                TIMESTAMP NOT NULL,   -- UTC where the export says the zone, else as written
    author_id         VARCHAR NOT NULL,
    author_name       VARCHAR NOT NULL,
    text              VARCHAR NOT NULL,     -- as exported (links kept; cleaning makes placeholders)
    conversation_name VARCHAR,
    reply_to          VARCHAR,              -- message_id this one replies to
    is_bot            BOOLEAN NOT NULL DEFAULT false,
    edited_ts         TIMESTAMP,
    attachments       VARCHAR[],
    mentions          VARCHAR[],
    reactions         INTEGER NOT NULL DEFAULT 0,
    import_id         BIGINT                -- which import added it
    -- Natural key (source, conversation_id, message_id), kept unique by the importer's
    -- anti-join (sql/merge_staged_messages.sql) rather than an index: a primary-key index
    -- costs a third of the import time and memory that grows with the table.
);

CREATE TABLE pairs (
    video_id  VARCHAR NOT NULL,
    prompt    VARCHAR NOT NULL,
    response  VARCHAR NOT NULL,
    method    VARCHAR NOT NULL,   -- read | hive
    score     DOUBLE
);

-- Derived by `dataset build` (cleaning, then sql/segment.sql); rebuilt on each build.
CREATE TABLE clean_messages (
    source          VARCHAR NOT NULL,
    conversation_id VARCHAR NOT NULL,
    message_id      VARCHAR NOT NULL,
    ts              TIMESTAMP NOT NULL,
    author_id       VARCHAR NOT NULL,
    author_name     VARCHAR NOT NULL,
    conversation_name VARCHAR,
    is_bot          BOOLEAN NOT NULL,
    reply_to        VARCHAR,
    text            VARCHAR NOT NULL,     -- mentions stripped, placeholders, PII scrubbed
    ping_only       BOOLEAN NOT NULL,     -- nothing but mentions of other people
    n_link INTEGER, n_attachment INTEGER, n_mention INTEGER,
    n_email INTEGER, n_phone INTEGER, n_ip INTEGER, n_secret INTEGER, n_invite INTEGER
);

CREATE TABLE message_segments (
    source           VARCHAR NOT NULL,
    conversation_id  VARCHAR NOT NULL,
    message_id       VARCHAR NOT NULL,
    conversation_key VARCHAR NOT NULL,
    turn_no          INTEGER,             -- NULL where the message was dropped
    is_target        BOOLEAN NOT NULL,
    drop_reason      VARCHAR              -- bot | empty | single_ping | non_response | ender | NULL (kept)
);

CREATE TABLE conversations (
    conversation_key  VARCHAR PRIMARY KEY,   -- source:conversation_id:session number
    source            VARCHAR NOT NULL,
    conversation_id   VARCHAR NOT NULL,
    conversation_name VARCHAR,
    start_ts          TIMESTAMP NOT NULL,
    end_ts            TIMESTAMP NOT NULL,
    n_messages        INTEGER NOT NULL,      -- kept messages
    n_authors         INTEGER NOT NULL,
    n_target_messages INTEGER NOT NULL,
    drop_reason       VARCHAR                -- low_quality | no_target_speaker | NULL (exported)
);

CREATE TABLE turns (
    conversation_key VARCHAR NOT NULL,
    turn_no          INTEGER NOT NULL,
    author_id        VARCHAR NOT NULL,
    author_name      VARCHAR NOT NULL,
    is_target        BOOLEAN NOT NULL,
    text             VARCHAR NOT NULL,
    start_ts         TIMESTAMP NOT NULL,
    end_ts           TIMESTAMP NOT NULL,
    n_messages       INTEGER NOT NULL,
    PRIMARY KEY (conversation_key, turn_no)
);
