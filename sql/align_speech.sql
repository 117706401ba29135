-- Rebuild the speech of zatsu VODs from their chosen transcript. chatclone/speech_kernel.py numbers and cuts the words
-- of align_words.sql; this stores what it returns (`batch`: the words, vod, start_s, end_s, word, norm, idx,
-- pause_before, phrase_id, stretch; `phrases`: vod, phrase_id, first_idx, last_idx, start_s, end_s, turn_start).
-- The rule it applies: a VOD's words are numbered 1, 2, ... (idx) in time order (start_s, end_s, then word), each
-- with the pause before it (NULL for the first). Phrases are split at pauses of $phrase_pause_s, after a word that
-- ends a sentence (. ? ! 。 ？ ！, closing quotes and brackets aside) and before a "NAME says/asks" lead-in (says,
-- asks, asked, writes, wrote: a read may follow a thank-you without a pause), numbered 1, 2, ...; stretches are split
-- at pauses of $answer_pause_s (an answer ends at one). A phrase after a pause of $turn_pause_s (or the first) starts
-- a speech turn. Only the VODs of mine_videos (mine_todo.sql); the rows of mine_stale go first.
-- Reads: batch, phrases, mine_videos, mine_stale. Writes: speech_words, speech_phrases.
DELETE FROM speech_words WHERE video_id IN (SELECT video_id FROM mine_stale);
INSERT INTO speech_words
SELECT v.video_id, b.idx, b.start_s, b.end_s, b.word, b.norm, b.pause_before, b.phrase_id, b.stretch
FROM batch b JOIN mine_videos v ON v.vod = b.vod;

DELETE FROM speech_phrases WHERE video_id IN (SELECT video_id FROM mine_stale);
INSERT INTO speech_phrases
SELECT v.video_id, p.phrase_id, p.first_idx, p.last_idx, p.start_s, p.end_s, p.turn_start
FROM phrases p JOIN mine_videos v ON v.vod = p.vod;
