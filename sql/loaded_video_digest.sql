-- The files digest of a video whose last import loaded (no row: never loaded, or broken). Reads: videos.
SELECT files_digest FROM videos WHERE video_id = $video_id AND status = 'loaded' AND files_digest IS NOT NULL;
