-- Remove the staging table of a finished or failed Twitch chat import. Writes: chat_staging.
DROP TABLE IF EXISTS chat_staging;
