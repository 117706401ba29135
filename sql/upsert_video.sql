-- Insert or update one video's row after an import attempt. Writes: videos.
-- Metadata missing this time (NULL) keeps what an earlier import stored; category is left to
-- classification. A failed attempt ($failed) counts up `attempts`; a load resets it to 0.
INSERT INTO videos (video_id, channel_id, channel, title, description, upload_date, duration_s, live_status, tags,
                    categories, url, has_info, has_auto_subs, has_manual_subs, has_live_chat, has_audio,
                    chat_source, chat_clock, files_digest, audio_path, status, attempts, loaded_at)
VALUES ($video_id, $channel_id, $channel, $title, $description, $upload_date, $duration_s, $live_status, $tags,
        $categories, $url, $has_info, $has_auto_subs, $has_manual_subs, $has_live_chat, $has_audio,
        $chat_source, $chat_clock, $files_digest, $audio_path, $status,
        CASE WHEN $failed THEN 1 ELSE 0 END, CASE WHEN $failed THEN NULL ELSE $at END)
ON CONFLICT (video_id) DO UPDATE SET
    channel_id      = coalesce(excluded.channel_id, videos.channel_id),
    channel         = coalesce(excluded.channel, videos.channel),
    title           = coalesce(excluded.title, videos.title),
    description     = coalesce(excluded.description, videos.description),
    upload_date     = coalesce(excluded.upload_date, videos.upload_date),
    duration_s      = coalesce(excluded.duration_s, videos.duration_s),
    live_status     = coalesce(excluded.live_status, videos.live_status),
    tags            = coalesce(excluded.tags, videos.tags),
    categories      = coalesce(excluded.categories, videos.categories),
    url             = coalesce(videos.url, excluded.url),
    has_info        = excluded.has_info,
    has_auto_subs   = excluded.has_auto_subs,
    has_manual_subs = excluded.has_manual_subs,
    has_live_chat   = excluded.has_live_chat,
    has_audio       = excluded.has_audio,
    chat_source     = excluded.chat_source,
    chat_clock      = excluded.chat_clock,
    files_digest    = excluded.files_digest,
    audio_path      = excluded.audio_path,
    status          = excluded.status,
    attempts        = CASE WHEN $failed THEN videos.attempts + 1 ELSE 0 END,
    loaded_at       = CASE WHEN $failed THEN videos.loaded_at ELSE excluded.loaded_at END;
