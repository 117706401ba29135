-- Start a cleaning pass afresh. Writes: clean_messages.
DELETE FROM clean_messages;
