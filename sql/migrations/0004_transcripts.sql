-- Migration 4: Whisper re-transcription (`chatclone transcribe`) and the choice of transcript per VOD.
-- Writes: videos, words, transcriptions, transcript_cues (view), transcript_words (view).

ALTER TABLE videos ADD COLUMN audio_path VARCHAR;          -- the VOD's audio file, where one was fetched or found
ALTER TABLE videos ADD COLUMN transcript_source VARCHAR;   -- the cues mining reads: whisper | manual | auto ([transcribe] prefer)
ALTER TABLE videos ADD COLUMN whisper_wer DOUBLE;          -- word error rate of the auto-subs, taking whisper as the reference
ALTER TABLE words ADD COLUMN probability DOUBLE;           -- whisper's confidence in the word

-- One row per VOD transcribed: what was transcribed with what, so the same audio and settings are never done twice.
CREATE TABLE transcriptions (
    video_id     VARCHAR PRIMARY KEY,
    cache_key    VARCHAR NOT NULL,   -- sha256 of the audio's sha256, the model and the settings
    audio_sha256 VARCHAR NOT NULL,
    model        VARCHAR NOT NULL,
    settings     VARCHAR NOT NULL,   -- JSON
    language     VARCHAR,
    duration_s   DOUBLE,
    segments     INTEGER,
    words        INTEGER,
    elapsed_s    DOUBLE,
    created_at   TIMESTAMP
);

-- The cues and words of each VOD's chosen transcript: what zatsu mining and the CPT corpus read.
CREATE VIEW transcript_cues AS
SELECT c.* FROM cues c JOIN videos v ON v.video_id = c.video_id AND c.source = v.transcript_source;

CREATE VIEW transcript_words AS
SELECT w.* FROM words w JOIN videos v ON v.video_id = w.video_id AND w.source = v.transcript_source;
