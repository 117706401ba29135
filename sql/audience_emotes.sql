-- Emotes of the chat the audience model learns, with how often each is used: the emotes the import recorded
-- per message (Twitch emotes, YouTube's custom emoji as :shortcut:), or, where a parser recorded none
-- (chat-downloader's output), the :shortcut: words of the text. Those used at least $min_count times, most
-- used first, at most $max_tokens. Reads: chat, videos.
WITH used AS (
    SELECT unnest(coalesce(c.emotes, regexp_extract_all(c.text, ':[A-Za-z0-9_-]{2,}:'))) AS emote
    FROM chat c JOIN videos v ON v.video_id = c.video_id
    WHERE list_contains($categories, v.category) AND NOT c.is_owner
)
SELECT emote, count(*) AS uses
FROM used
WHERE emote NOT LIKE '% %' AND emote <> ''
GROUP BY emote
HAVING count(*) >= $min_count
ORDER BY uses DESC, emote
LIMIT $max_tokens;
