-- The fetch state of every VOD `ingest youtube` has seen (complete | incomplete | failed). Reads: videos.
SELECT video_id, fetch_status FROM videos WHERE fetch_status IS NOT NULL;
