-- Has a file with this content already been imported? Reads: imports. Params: $source, $sha256.
SELECT import_id FROM imports WHERE source = $source AND sha256 = $sha256 AND status = 'ok' LIMIT 1;
