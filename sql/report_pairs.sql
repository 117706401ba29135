-- Mined zatsu pairs by method (read, hive), with their scores. Reads: pairs.
SELECT method, count(*) AS pairs, round(avg(score), 3) AS mean_score, round(min(score), 3) AS min_score
FROM pairs GROUP BY method ORDER BY method DESC;
