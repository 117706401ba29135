-- Pick each VOD's transcript for mining: the first source in $prefer (e.g. ['whisper', 'manual', 'auto'])
-- it has cues of; NULL where it has none. Writes: videos.
UPDATE videos SET transcript_source = chosen.source
FROM (
    SELECT v.video_id, arg_min(c.source, list_position($prefer, c.source)) AS source
    FROM videos v LEFT JOIN (SELECT DISTINCT video_id, source FROM cues) c
        ON c.video_id = v.video_id AND list_position($prefer, c.source) IS NOT NULL
    GROUP BY v.video_id
) AS chosen
WHERE videos.video_id = chosen.video_id;
