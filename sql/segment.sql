-- Segment cleaned messages into conversations and turns, applying the message and
-- conversation filters of [cleaning] in persona.toml.
-- Reads: clean_messages.
-- Params: $gap_minutes, $reply_join_hours, $turn_merge_minutes, $drop_bots, $drop_single_pings,
--   $drop_non_responses, $non_response_re, $drop_enders, $ender_re, $ender_max_chars,
--   $drop_low_quality, $min_conversation_messages, $min_longest_message_chars,
--   $speaker_ids (VARCHAR[]), $speaker_names (VARCHAR[], lower-cased).
-- Writes: message_segments, conversations, turns.

-- 1. Sessions: a silence longer than the gap (per channel or thread) starts a new conversation,
--    unless the message replies to one at most $reply_join_hours old (an explicit link, e.g.
--    DiscordChatExporter's reference.messageId, outweighs the silence).
CREATE OR REPLACE TEMP TABLE seg_sessions AS
SELECT *,
       source || ':' || conversation_id || ':' ||
         sum(new_session) OVER (PARTITION BY source, conversation_id ORDER BY ts, message_id
                                ROWS UNBOUNDED PRECEDING) AS conversation_key
FROM (
    SELECT m.*,
           CASE WHEN lag(m.ts) OVER w IS NULL THEN 1
                WHEN epoch(m.ts) - epoch(lag(m.ts) OVER w) <= $gap_minutes * 60 THEN 0
                WHEN r.ts IS NOT NULL AND epoch(m.ts) - epoch(r.ts) <= $reply_join_hours * 3600 THEN 0
                ELSE 1 END AS new_session
    FROM clean_messages m
    LEFT JOIN clean_messages r
      ON r.source = m.source AND r.conversation_id = m.conversation_id AND r.message_id = m.reply_to
    WINDOW w AS (PARTITION BY m.source, m.conversation_id ORDER BY m.ts, m.message_id)
);

-- 2. Message filters, first matching reason wins.
CREATE OR REPLACE TEMP TABLE seg_judged AS
SELECT *,
       list_contains($speaker_ids::VARCHAR[], author_id)
         OR list_contains($speaker_names::VARCHAR[], lower(author_name)) AS is_target,
       CASE
         WHEN $drop_bots AND is_bot THEN 'bot'
         WHEN trim(text) = '' THEN 'empty'
         WHEN $drop_single_pings AND ping_only THEN 'single_ping'
         WHEN $drop_non_responses
              AND regexp_full_match(regexp_replace(lower(text), '[^\p{L}\p{N}]+', '', 'g'), $non_response_re)
              THEN 'non_response'
         WHEN $drop_enders AND length(text) <= $ender_max_chars
              AND regexp_matches(lower(text), $ender_re) THEN 'ender'
       END AS drop_reason
FROM seg_sessions;

-- 3. Turns: consecutive kept messages of one author, each within the merge window of the last.
CREATE OR REPLACE TEMP TABLE seg_kept AS
SELECT *,
       sum(new_turn) OVER (PARTITION BY conversation_key ORDER BY ts, message_id
                           ROWS UNBOUNDED PRECEDING) AS turn_no
FROM (
    SELECT *,
           CASE WHEN lag(author_id) OVER w IS DISTINCT FROM author_id
                  OR epoch(ts) - epoch(lag(ts) OVER w) > $turn_merge_minutes * 60 THEN 1 ELSE 0 END AS new_turn
    FROM seg_judged
    WHERE drop_reason IS NULL
    WINDOW w AS (PARTITION BY conversation_key ORDER BY ts, message_id)
);

DELETE FROM message_segments;
INSERT INTO message_segments
SELECT j.source, j.conversation_id, j.message_id, j.conversation_key, k.turn_no, j.is_target, j.drop_reason
FROM seg_judged j
LEFT JOIN seg_kept k USING (source, conversation_id, message_id);

-- 4. Conversations, with the conversation-level filters.
DELETE FROM conversations;
INSERT INTO conversations
SELECT conversation_key,
       any_value(source),
       any_value(conversation_id),
       any_value(conversation_name),
       min(ts),
       max(ts),
       count(*),
       count(DISTINCT author_id),
       count(*) FILTER (WHERE is_target),
       CASE
         WHEN $drop_low_quality AND count(*) < $min_conversation_messages
              AND max(length(text)) < $min_longest_message_chars THEN 'low_quality'
         WHEN count(*) FILTER (WHERE is_target) = 0 THEN 'no_target_speaker'
       END
FROM seg_kept
GROUP BY conversation_key;

DELETE FROM turns;
INSERT INTO turns
SELECT conversation_key,
       turn_no,
       arg_min(author_id, ts),
       arg_min(author_name, ts),
       bool_or(is_target),
       string_agg(text, chr(10) ORDER BY ts, message_id),
       min(ts),
       max(ts),
       count(*)
FROM seg_kept
GROUP BY conversation_key, turn_no;

DROP TABLE seg_sessions;
DROP TABLE seg_judged;
DROP TABLE seg_kept;
