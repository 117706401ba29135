-- The VODs for `chatclone videos`, newest first; $category NULL lists all. Reads: videos.
SELECT video_id, upload_date, title, category, category_reason, fetch_status, fetch_attempts, fetch_error,
       status, attempts, has_auto_subs, has_manual_subs, has_live_chat, has_audio, transcript_source, whisper_wer, url
FROM videos
WHERE $category IS NULL OR category = $category
ORDER BY upload_date DESC NULLS LAST, video_id;
