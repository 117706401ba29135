-- Record how a file import ended. Writes: imports.
UPDATE imports
SET status = $status, rows_read = $rows_read, rows_added = $rows_added,
    skipped = $skipped::JSON, error = $error, finished_at = $finished_at
WHERE import_id = $import_id;
