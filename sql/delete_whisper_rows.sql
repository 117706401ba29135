-- Remove one VOD's Whisper cues and words before a new transcription replaces them. Writes: cues, words.
DELETE FROM cues WHERE video_id = $video_id AND source = 'whisper';
DELETE FROM words WHERE video_id = $video_id AND source = 'whisper';
