-- The chat the compiled kernels look at (chatclone/kernel_chat.py): the text and super chat messages with words of the
-- VODs to mine (mine_todo.sql), with their VOD (`vod`, as numbered in mine_videos), in no order (the kernels sort them
-- by time); each with the hash of its author's name (their names' words: read_authors.sql). The reads come from it
-- (read_kernel.py), and the hive's prompts from those not read (hive_kernel.py). Reads: chat, mine_videos.
SELECT c.rowid AS mid, c.message_id, v.vod, c.t_s, c.kind = 'paid' AS paid, hash(c.author_name) AS author, c.words
FROM chat c
JOIN mine_videos v ON v.video_id = c.video_id
WHERE c.kind IN ('text', 'paid') AND len(c.words) > 0;
