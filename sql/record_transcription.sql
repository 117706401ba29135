-- Record one VOD's Whisper transcription and the auto-subs' word error rate against it.
-- Writes: transcriptions, videos.
INSERT OR REPLACE INTO transcriptions (video_id, cache_key, audio_sha256, model, settings, language, duration_s,
                                       segments, words, elapsed_s, created_at)
VALUES ($video_id, $cache_key, $audio_sha256, $model, $settings, $language, $duration_s, $segments, $words, $elapsed_s, $at);
UPDATE videos SET whisper_wer = $wer WHERE video_id = $video_id;
