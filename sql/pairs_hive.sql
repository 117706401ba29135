-- Add the `hive` pairs: a speech turn that no read explains is an answer to the chat of the $hive_window_s before it
-- (hive_turns.sql). chatclone/hive_kernel.py found them (`batch`: vod, phrase_id, overlap, first_t, ids, response,
-- answer_start_s, answer_end_s, prompt; the prompt's lines from hive_lines.sql) by this rule: the answer is the turn's
-- words up to the next read, the end of its stretch or $answer_max_s, if it has $min_answer_words or more; its prompt
-- is taken from the messages not read aloud that share a word of four letters or more with the answer or were sent by
-- several people (the same words again within $hive_window_s), grouped by their words and ranked by words shared with
-- the answer + 0.5 per further sender + 0.5 for a super chat (the later group first among equals); the best
-- $hive_max_messages groups make one prompt of `chat: NAME: TEXT` lines, each group's latest message, in time order.
-- Scored below reads. A stretch of speech gives one hive pair at most, from its first turn with chat to answer: a
-- later turn's answer would be the end of the same words. Reads: batch, mine_videos. Writes: pairs.
INSERT INTO pairs (video_id, prompt, response, method, score, message_ids, prompt_t_s, answer_start_s, answer_end_s)
SELECT v.video_id, b.prompt, b.response, 'hive', least(0.5, 0.2 + 0.1 * b.overlap), b.ids, b.first_t, b.answer_start_s, b.answer_end_s
FROM batch b
JOIN mine_videos v ON v.vod = b.vod;
