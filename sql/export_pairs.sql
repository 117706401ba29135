-- The mined zatsu pairs to export as SFT examples, in stream order. Reads: pairs.
SELECT video_id, prompt, response, method FROM pairs ORDER BY video_id, answer_start_s, method;
