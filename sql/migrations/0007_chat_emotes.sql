-- Migration 7: which words of a chat message are emotes (Twitch emote names, YouTube :shortcut: emoji), for
-- Twitch VOD chat (`chatclone import twitch`) and YouTube live chat. Writes: chat.

ALTER TABLE chat ADD COLUMN emotes VARCHAR[];   -- each emote of `text` once, as written there; [] none, NULL unknown (rows loaded before)
