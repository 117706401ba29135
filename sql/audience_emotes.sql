-- Emotes of the chat the audience model learns, with how often each is used: YouTube's custom emoji, which
-- the live-chat parser writes as :shortcut:, and the emotes the import recorded per message (Twitch).
-- Those used at least $min_count times, most used first, at most $max_tokens. Reads: chat, videos.
WITH used AS (
    SELECT unnest(regexp_extract_all(c.text, ':[A-Za-z0-9_-]{2,}:')) AS emote
    FROM chat c JOIN videos v ON v.video_id = c.video_id
    WHERE list_contains($categories, v.category) AND NOT c.is_owner
)
SELECT emote, count(*) AS uses
FROM used
GROUP BY emote
HAVING count(*) >= $min_count
ORDER BY uses DESC, emote
LIMIT $max_tokens;
