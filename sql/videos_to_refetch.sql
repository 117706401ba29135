-- VODs of one channel whose last fetch left files missing: fetched again on the next run
-- (and those given up on, when $retry_failed). Reads: videos.
SELECT video_id, url, title
FROM videos
WHERE source_url = $source_url
  AND url IS NOT NULL
  AND (fetch_status = 'incomplete' OR ($retry_failed AND fetch_status = 'failed'))
ORDER BY video_id;
