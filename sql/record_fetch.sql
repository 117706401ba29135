-- Note the outcome of fetching one VOD; return its fetch_status. Writes: videos.
-- A failed fetch counts up fetch_attempts and gives up ('failed') at $max_failures in a row;
-- a complete one resets the count. The row exists already when the fetch left files to import.
INSERT INTO videos (video_id, title, url, source_url, status, fetch_status, fetch_attempts, fetch_error, fetched_at)
VALUES ($video_id, $title, $url, $source_url, 'broken',
        CASE WHEN NOT $failed THEN 'complete' WHEN $max_failures <= 1 THEN 'failed' ELSE 'incomplete' END,
        CASE WHEN $failed THEN 1 ELSE 0 END, $error, $at)
ON CONFLICT (video_id) DO UPDATE SET
    title          = coalesce(videos.title, excluded.title),
    url            = excluded.url,
    source_url     = excluded.source_url,
    fetch_status   = CASE WHEN NOT $failed THEN 'complete'
                          WHEN coalesce(videos.fetch_attempts, 0) + 1 >= $max_failures THEN 'failed'
                          ELSE 'incomplete' END,
    fetch_attempts = CASE WHEN $failed THEN coalesce(videos.fetch_attempts, 0) + 1 ELSE 0 END,
    fetch_error    = excluded.fetch_error,
    fetched_at     = excluded.fetched_at
RETURNING fetch_status;
