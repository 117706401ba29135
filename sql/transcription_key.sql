-- The cache key of a VOD's last Whisper transcription (no row: never transcribed). Reads: transcriptions.
SELECT cache_key FROM transcriptions WHERE video_id = $video_id;
