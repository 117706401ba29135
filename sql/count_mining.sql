-- Row counts of the mining tables, and pairs by method. Reads: speech_words, speech_phrases, chat_aligned, reads, pairs.
SELECT 'speech_words', count(*) FROM speech_words
UNION ALL SELECT 'speech_phrases', count(*) FROM speech_phrases
UNION ALL SELECT 'chat_aligned', count(*) FROM chat_aligned
UNION ALL SELECT 'reads', count(*) FROM reads
UNION ALL SELECT method, count(*) FROM pairs GROUP BY method;
