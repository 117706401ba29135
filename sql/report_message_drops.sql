-- Messages per drop reason ('kept' for those kept). Reads: message_segments.
SELECT coalesce(drop_reason, 'kept') AS reason, count(*) AS n
FROM message_segments GROUP BY ALL ORDER BY n DESC;
