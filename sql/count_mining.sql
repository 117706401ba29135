-- Row counts of the mining tables, pairs by method, and the zatsu VODs mined.
-- Reads: speech_words, speech_phrases, chat_aligned, reads, pairs, mined_videos.
SELECT 'speech_words', count(*) FROM speech_words
UNION ALL SELECT 'speech_phrases', count(*) FROM speech_phrases
UNION ALL SELECT 'chat_aligned', count(*) FROM chat_aligned
UNION ALL SELECT 'reads', count(*) FROM reads
UNION ALL SELECT method, count(*) FROM pairs GROUP BY method
UNION ALL SELECT 'vods', count(*) FROM mined_videos;
