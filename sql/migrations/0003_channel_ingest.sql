-- Migration 3: what `chatclone ingest youtube` and VOD classification keep per video.
-- Writes: videos.

ALTER TABLE videos ADD COLUMN categories VARCHAR[];          -- yt-dlp's categories (e.g. Gaming)
ALTER TABLE videos ADD COLUMN url VARCHAR;                   -- the VOD's page
ALTER TABLE videos ADD COLUMN source_url VARCHAR;            -- the configured channel URL it was listed from
ALTER TABLE videos ADD COLUMN fetch_status VARCHAR;          -- complete | incomplete | failed (gave up) | NULL: not fetched by ingest
ALTER TABLE videos ADD COLUMN fetch_attempts INTEGER DEFAULT 0;  -- failed fetches in a row
ALTER TABLE videos ADD COLUMN fetch_error VARCHAR;           -- why the last fetch was incomplete
ALTER TABLE videos ADD COLUMN fetched_at TIMESTAMP;
ALTER TABLE videos ADD COLUMN files_digest VARCHAR;          -- hash of the files last loaded: unchanged files are not reloaded
ALTER TABLE videos ADD COLUMN chat_source VARCHAR;           -- yt-dlp | chat-downloader
ALTER TABLE videos ADD COLUMN chat_clock VARCHAR;            -- offset (replay) | wall (live capture, aligned by timestampUsec)
