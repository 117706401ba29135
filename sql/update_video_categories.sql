-- Store a batch of classification results (video_id, category, category_reason); rows whose
-- values are unchanged are left alone, so the count returned is of videos that changed.
-- Reads: batch (Arrow). Writes: videos.
UPDATE videos
SET category = batch.category, category_reason = batch.category_reason
FROM batch
WHERE videos.video_id = batch.video_id
  AND (videos.category IS DISTINCT FROM batch.category OR videos.category_reason IS DISTINCT FROM batch.category_reason);
