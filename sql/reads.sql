-- Rebuild reads: chat messages the streamer read aloud. chatclone/read_kernel.py finds them, compiled, in the chat of
-- mine_chat.sql and the speech and phrases of align_speech.sql; this inserts what it found (`batch`:
-- vod, message_id, phrase_id, first_idx, read_last_idx, start_s, end_s, score). The rule it applies:
-- A message is compared with a phrase only where it arrived between $read_back_s before and $read_ahead_s after the
-- phrase started and either two of its probe words (those of $probe_min_letters letters or more, the rarer and more
-- telling ones; one where it has fewer than three) are among the phrase's first $probe_span_words words (and within
-- the message's length and three more of its start), or a word of its author's name is among the phrase's first three
-- (a "NAME says" lead-in: the words read may all be misheard). Each such pair is scored against the phrase's words
-- from the first of the message's words among its first four (room for a lead-in, recognised or not: the ASR mishears
-- names, "Aki says" as "a kiss as"), as many as the message has: the share of its distinct words found there (a word
-- of four letters or more also where one spoken is close to it: Jaro-Winkler of 0.88 or more, "listen" ~
-- "listening"), times 0.7 + 0.3 x the share of its word pairs found there (for order); plus 0.1 for a lead-in naming
-- its author, 0.05 for "says"/"asks", and 0.05 for super chats; less 0.2 where the phrase starts with other words and
-- no lead-in explains them ("no, I do not drink coffee" answers "do you drink coffee", it does not read it). Among
-- equals the earliest message (the one others copied) wins. Each phrase keeps its best message and each message its
-- best phrase; a pair that is both, scoring at least $min_read_score, is a read, from the phrase start to the last of
-- its words found there.
-- Reads: batch, mine_videos, mine_stale. Writes: reads.
DELETE FROM reads WHERE video_id IN (SELECT video_id FROM mine_stale);
INSERT INTO reads
SELECT v.video_id, b.message_id, b.phrase_id, b.first_idx, b.read_last_idx, b.start_s, b.end_s, b.score
FROM batch b JOIN mine_videos v ON v.vod = b.vod;
