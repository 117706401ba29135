"""Prefect flows: composition of tasks only; the CLI and deployments run these."""
