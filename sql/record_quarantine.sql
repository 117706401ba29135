-- Record a file that failed to parse (the newest error wins on a rerun). Writes: quarantine.
INSERT OR REPLACE INTO quarantine (path, source, sha256, error, quarantined_to, quarantined_at)
VALUES ($path, $source, $sha256, $error, $quarantined_to, $at);
