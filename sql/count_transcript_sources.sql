-- How many VODs read each transcript source (NULL: none). Reads: videos.
SELECT transcript_source, count(*) FROM videos GROUP BY ALL ORDER BY ALL;
