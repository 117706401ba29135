-- The spans of one VOD's hive answers. Reads: pairs.
SELECT answer_start_s, answer_end_s FROM pairs WHERE video_id = $video_id AND method = 'hive' ORDER BY answer_start_s;
