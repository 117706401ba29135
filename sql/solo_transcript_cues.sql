-- The chosen transcript's cues of every solo VOD, by video and in time order: what the CPT corpus is cut from.
-- Reads: videos, transcript_cues (view over cues). Writes: nothing.
SELECT c.video_id, c.start_s, c.end_s, c.text
FROM transcript_cues c
JOIN videos v ON v.video_id = c.video_id
WHERE v.category = 'solo'
ORDER BY c.video_id, c.start_s, c.end_s;
