-- VODs per category, with the transcripts their mining reads. Reads: videos.
SELECT category, count(*) AS videos, string_agg(DISTINCT coalesce(transcript_source, 'none'), ', ' ORDER BY coalesce(transcript_source, 'none')) AS transcripts
FROM videos GROUP BY category ORDER BY category;
