-- A few mined pairs for the report: the best reads and hive pairs, in stream order. Reads: pairs.
SELECT video_id, method, round(score, 2), prompt, response
FROM (SELECT *, row_number() OVER (PARTITION BY method ORDER BY score DESC, answer_start_s) AS rank FROM pairs)
WHERE rank <= $limit / 2
ORDER BY video_id, answer_start_s
LIMIT $limit;
