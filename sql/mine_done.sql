-- Record the VODs just mined with their fingerprint, forget those no longer zatsu, drop the temp tables of
-- mine_todo.sql. Reads: mine_videos, mine_stale. Writes: mined_videos.
DELETE FROM mined_videos WHERE video_id IN (SELECT video_id FROM mine_stale);
INSERT INTO mined_videos SELECT video_id, fingerprint, now() FROM mine_videos;
DROP TABLE mine_videos;
DROP TABLE mine_stale;
