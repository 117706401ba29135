-- The messages found read aloud in one VOD, with their answer's span (NULL where no answer was cut). Reads: reads, pairs.
SELECT r.message_id, p.answer_start_s, p.answer_end_s
FROM reads r LEFT JOIN pairs p ON p.video_id = r.video_id AND p.method = 'read' AND p.message_ids[1] = r.message_id
WHERE r.video_id = $video_id;
