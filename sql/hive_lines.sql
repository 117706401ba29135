-- The prompt lines of the hive pairs for chatclone/hive_kernel.py: `chat: NAME: TEXT` for each message a prompt shows
-- (`shown`: the row ids pick_hive() chose), by row id. Reads: shown, chat.
SELECT c.rowid AS mid, 'chat: ' || c.author_name || ': ' || c.text AS line
FROM chat c SEMI JOIN shown s ON s.mid = c.rowid;
