-- Every video with what classification looks at: title, tags, categories, import and fetch
-- status, which files it has. Reads: videos. Writes: nothing.
SELECT video_id, title, tags, categories, status, attempts, fetch_status, fetch_attempts, fetch_error,
       has_auto_subs, has_manual_subs, has_live_chat
FROM videos
ORDER BY video_id;
