-- The auto-caption text of one VOD in time order, to compare with Whisper's. Reads: cues.
SELECT text FROM cues WHERE video_id = $video_id AND source = 'auto' ORDER BY start_s, end_s;
