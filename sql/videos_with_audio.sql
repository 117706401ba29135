-- VODs with an audio file, for `chatclone transcribe`: id, audio path, whether they have auto or
-- manual subtitles, category, duration. Reads: videos.
SELECT video_id, audio_path, coalesce(has_auto_subs OR has_manual_subs, false) AS has_subs, category, duration_s
FROM videos
WHERE audio_path IS NOT NULL
ORDER BY video_id;
