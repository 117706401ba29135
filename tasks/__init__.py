"""Prefect tasks: thin wrappers over chatclone.pipeline that add retries, names and logging."""
