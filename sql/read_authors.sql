-- The words of the names of the chat's authors in the VODs to mine, by the hash of the name (as mine_chat.sql gives
-- it), for read_kernel.py to see a lead-in naming the author of a message ("Mika says ..."). Reads: chat, mine_videos.
SELECT hash(author_name) AS author, norm_words(author_name) AS words
FROM (SELECT DISTINCT author_name FROM chat SEMI JOIN mine_videos USING (video_id) WHERE kind IN ('text', 'paid'));
