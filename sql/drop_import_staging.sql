-- Remove the staging table of a finished or failed file import. Writes: import_staging.
DROP TABLE IF EXISTS import_staging;
