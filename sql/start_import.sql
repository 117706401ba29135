-- Record the start of a file import; returns its import_id. Writes: imports.
INSERT INTO imports (source, path, sha256, size_bytes, status, started_at)
VALUES ($source, $path, $sha256, $size_bytes, 'running', $started_at)
RETURNING import_id;
