"""The persona's DuckDB warehouse: connection, versioned schema migrations, named SQL files.

SQL lives in `sql/*.sql` (migrations in `sql/migrations/NNNN_name.sql`); Python calls
`wh.run("segment", gap_minutes=10)` and binds parameters, never formats them in.
"""

from __future__ import annotations

import logging
import re
from contextlib import contextmanager
from functools import cache
from pathlib import Path

import duckdb
import pyarrow as pa

from chatclone.errors import WarehouseError

log = logging.getLogger(__name__)

_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
# DuckDB caches up to 80% of RAM by default; a fixed cap keeps a large import's memory flat
# (its staging table spills to <warehouse>.tmp/ instead).
DEFAULT_MEMORY_LIMIT = "256MB"


def sql_dir() -> Path:
    """Where the .sql files are: inside the installed package, else the repository's sql/."""
    packaged = Path(__file__).parent / "sql"
    return packaged if packaged.is_dir() else Path(__file__).resolve().parents[1] / "sql"


@cache
def load_sql(name: str) -> str:
    """The text of sql/NAME.sql; raise WarehouseError if there is no such file."""
    path = sql_dir() / f"{name}.sql"
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise WarehouseError(f"{path}: no such SQL file") from None


def split_statements(sql: str) -> list[str]:
    """Split SQL text into statements at top-level semicolons (quotes and -- comments respected)."""
    statements, current, i, n = [], [], 0, len(sql)
    while i < n:
        c = sql[i]
        if c == "'":
            end = i + 1
            while end < n and not (sql[end] == "'" and sql[end + 1 : end + 2] != "'"):
                end += 2 if sql[end] == "'" else 1
            current.append(sql[i : end + 1])
            i = end + 1
            continue
        if sql.startswith("--", i):
            end = sql.find("\n", i)
            i = n if end < 0 else end
            continue
        if c == ";":
            statements.append("".join(current))
            current = []
        else:
            current.append(c)
        i += 1
    statements.append("".join(current))
    return [s.strip() for s in statements if s.strip()]


def migrations() -> list[tuple[int, Path]]:
    """(version, path) of every migration, in order."""
    found = []
    for path in sorted((sql_dir() / "migrations").glob("*.sql")):
        version = int(path.name.split("_", 1)[0])
        found.append((version, path))
    return found


# 16M rows: a chunk of chat words stays well under the 2 GiB a string column's 32-bit offsets can address
ARROW_CHUNK_ROWS = 1 << 24


class Warehouse:
    """An open warehouse file, migrated to the newest schema. Use as a context manager."""

    def __init__(self, path: Path | str, read_only: bool = False, memory_limit: str = DEFAULT_MEMORY_LIMIT):
        self.path = Path(path)
        try:
            self.con = duckdb.connect(str(self.path), read_only=read_only, config={"memory_limit": memory_limit})
        except duckdb.Error as e:
            raise WarehouseError(f"{self.path}: cannot open warehouse: {e}") from None
        if not read_only:
            self.migrate()

    def __enter__(self) -> "Warehouse":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self.con.close()

    def schema_version(self) -> int:
        """The newest migration applied (0 for an empty file)."""
        self.con.execute("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name VARCHAR, applied_at TIMESTAMP DEFAULT now())")
        return self.con.execute("SELECT coalesce(max(version), 0) FROM schema_migrations").fetchall()[0][0]

    def migrate(self) -> list[int]:
        """Apply the migrations this file has not had yet, each in a transaction; return their versions."""
        current = self.schema_version()
        applied = []
        for version, path in migrations():
            if version <= current:
                continue
            log.info("warehouse %s: applying migration %s", self.path, path.name)
            try:
                self.con.execute("BEGIN")
                self.con.execute(path.read_text(encoding="utf-8"))
                self.con.execute("INSERT INTO schema_migrations (version, name) VALUES (?, ?)", [version, path.stem])
                self.con.execute("COMMIT")
            except duckdb.Error as e:
                self.con.execute("ROLLBACK")
                raise WarehouseError(f"{path}: migration failed: {e}") from None
            applied.append(version)
        return applied

    def query(self, sql: str) -> duckdb.DuckDBPyConnection:
        """Execute a user's SQL text as written (no parameter binding); return the cursor."""
        try:
            return self.con.execute(sql)
        except duckdb.Error as e:
            raise WarehouseError(f"query: {str(e).splitlines()[0]}") from None

    def run(self, name: str, **params) -> list[tuple]:
        """Execute sql/NAME.sql with `$name` parameters bound from `params`; return all result rows."""
        return self.execute(load_sql(name), params, origin=f"sql/{name}.sql").fetchall()

    def arrow(self, name: str, **params) -> pa.Table:
        """Execute sql/NAME.sql like run(); return the result of its last statement as an Arrow table, in chunks of
        ARROW_CHUNK_ROWS rows (few: the compiled kernels read columns as flat arrays, and joining chunks copies them)."""
        *first, last = split_statements(load_sql(name))
        if first:
            self.execute(";\n".join(first), params, origin=f"sql/{name}.sql")
        bound = {k: v for k, v in params.items() if k in set(_PARAM.findall(last))}
        try:
            return self.con.sql(last, params=bound or None).to_arrow_table(batch_size=ARROW_CHUNK_ROWS)
        except duckdb.Error as e:
            raise WarehouseError(f"sql/{name}.sql: {str(e).splitlines()[0]}") from None

    def stream(self, name: str, batch_rows: int = 50_000, **params):
        """Yield the result of sql/NAME.sql as Arrow record batches.

        Reads on its own cursor, so the caller may write on this warehouse between batches.
        """
        cursor = self.con.cursor()
        try:
            sql = load_sql(name)
            bound = {k: v for k, v in params.items() if k in set(_PARAM.findall(sql))}
            try:
                reader = cursor.sql(sql, params=bound or None).to_arrow_reader(batch_rows)
            except duckdb.Error as e:
                raise WarehouseError(f"sql/{name}.sql: {str(e).splitlines()[0]}") from None
            yield from reader
        finally:
            cursor.close()

    def execute(self, sql: str, params: dict | None = None, origin: str = "query") -> duckdb.DuckDBPyConnection:
        """Execute SQL text statement by statement, binding the `$name` parameters each uses.

        Returns the cursor of the last statement.
        """
        params = params or {}
        missing = set(_PARAM.findall(sql)) - set(params)
        if missing:
            raise WarehouseError(f"{origin}: missing parameters {sorted(missing)}")
        cursor = self.con
        for statement in split_statements(sql):
            bound = {k: v for k, v in params.items() if k in set(_PARAM.findall(statement))}
            try:
                cursor = self.con.execute(statement, bound) if bound else self.con.execute(statement)
            except duckdb.Error as e:
                raise WarehouseError(f"{origin}: {str(e).splitlines()[0]}") from None
        return cursor

    def insert_arrow(self, sql_name: str, table: pa.Table | dict[str, pa.Table], **params) -> int:
        """Run sql/NAME.sql with `table` visible as `batch` (or each of a dict of tables as its name); return the
        number of rows its last statement changed."""
        with self.registered(table if isinstance(table, dict) else {"batch": table}):
            rows = self.run(sql_name, **params)
        return rows[0][0] if rows else 0

    @contextmanager
    def registered(self, tables: dict[str, pa.Table]):
        """Arrow tables visible to SQL by name (a dict: name -> table) for the duration of the with block."""
        for name, rows in tables.items():
            self.con.register(name, rows)
        try:
            yield self
        finally:
            for name in tables:
                self.con.unregister(name)

    def table_counts(self) -> dict[str, int]:
        """Row count of every base table, by name."""
        names = [r[0] for r in self.con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' AND table_type = 'BASE TABLE' ORDER BY 1"
        ).fetchall()]
        return {n: self.con.execute(f'SELECT count(*) FROM "{n}"').fetchall()[0][0] for n in names}
