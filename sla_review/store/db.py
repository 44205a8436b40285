"""Connect, migrate and rebuild: the database's life cycle in one place.

Schema files in sql/schema/ are append-only; each applied file's checksum is recorded, and a changed or
missing applied file stops the program rather than leaving data in a shape no query expects.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from pathlib import Path

import duckdb

from sla_review.store.sql import ROOT, SQL_DIR, bind

DEFAULT_DB = ROOT / "data" / "sla.duckdb"


class MigrationError(RuntimeError):
    """An applied migration file changed or disappeared: the database and the code disagree."""


def resolve_db_path(arg: str | os.PathLike[str] | None = None) -> Path:
    """--db PATH, else $SLA_DB, else data/sla.duckdb."""
    return Path(arg or os.environ.get("SLA_DB") or DEFAULT_DB)


def connect(path: str | os.PathLike[str] | None = None, read_only: bool = False,
            create: bool = True) -> duckdb.DuckDBPyConnection:
    """Open and migrate a database (created if `create`); ':memory:' works for tests. A read-write
    connection also rebuilds the derived tables when sql/derived/ changed since they were built."""
    target = str(path) if path is not None else str(resolve_db_path())
    if target != ":memory:" and not read_only and create:
        Path(target).parent.mkdir(parents=True, exist_ok=True)
    if (read_only or not create) and target != ":memory:" and not Path(target).exists():
        raise FileNotFoundError(f"No database at {target}: build one with `python -m sla_review demo --db {target}` "
                                "or load data with `python -m sla_review import`.")
    con = duckdb.connect(target, read_only=read_only, config={"memory_limit": memory_limit()})
    if not read_only:
        migrate(con)
        stored = con.execute("SELECT max_by(checksum, built_at) FROM derived_state").fetchall()[0][0]
        if stored != derived_checksum():
            # first open (an empty database still answers every query, with zeros) or an upgrade
            tz = con.execute("SELECT any_value(timezone) FROM calendar_settings").fetchall()[0][0]
            con.execute("BEGIN")
            try:
                rebuild_derived(con, tz or "UTC")
                con.execute("COMMIT")
            except Exception:
                con.execute("ROLLBACK")
                raise
    return con


def derived_checksum() -> str:
    """One hash over every sql/derived/ file: what the derived tables were built from."""
    digest = hashlib.sha256()
    for path in sorted((SQL_DIR / "derived").glob("*.sql")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def memory_limit() -> str:
    """DuckDB's cap on its buffer memory: $SLA_MEMORY_LIMIT, else 6 GB or half the RAM if less. DuckDB's own
    default (80% of RAM) let a 10M-lead import peak at 13 GB RSS; capped, it spills and peaks near the cap."""
    wanted = os.environ.get("SLA_MEMORY_LIMIT", "").strip()
    if wanted:
        if not re.fullmatch(r"\d+(\.\d+)?\s*[KMGT]i?B", wanted, re.I):
            raise ValueError(f'SLA_MEMORY_LIMIT="{wanted}" is not a size like 4GB or 512MB')
        return wanted
    try:
        ram = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError):
        return "6GB"
    return f"{max(1, min(6 * 1024, ram // 2 // 1024**2))}MB"


def migration_files(folder: Path = SQL_DIR / "schema") -> list[Path]:
    return sorted(folder.glob("[0-9][0-9][0-9]_*.sql"))


def _checksum(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def migrate(con: duckdb.DuckDBPyConnection, folder: Path = SQL_DIR / "schema") -> list[str]:
    """Apply pending migrations in order; refuse if an applied one no longer matches its checksum."""
    con.execute("""CREATE TABLE IF NOT EXISTS schema_migrations (
        version VARCHAR NOT NULL, checksum VARCHAR NOT NULL, applied_at TIMESTAMPTZ NOT NULL)""")
    applied = dict(con.execute("SELECT version, checksum FROM schema_migrations").fetchall())
    files = {p.name: p for p in migration_files(folder)}
    for version, checksum in applied.items():
        if version not in files:
            raise MigrationError(f"applied migration {version} is missing from {folder}")
        if _checksum(files[version]) != checksum:
            raise MigrationError(
                f"migration {version} was changed after it was applied; schema files are append-only: "
                "add a new numbered file instead")
    done = []
    for name, path in files.items():
        if name in applied:
            continue
        con.execute("BEGIN")
        try:
            con.execute(path.read_text(encoding="utf-8"))
            con.execute("INSERT INTO schema_migrations VALUES ($v, $c, $t)",
                        {"v": name, "c": _checksum(path), "t": dt.datetime.now(dt.UTC)})
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
        done.append(name)
    return done


def rebuild_derived(con: duckdb.DuckDBPyConnection, timezone: str) -> None:
    """Recreate every table/view in sql/derived/, in file order (call inside the import's transaction)."""
    for path in sorted((SQL_DIR / "derived").glob("*.sql")):
        text = path.read_text(encoding="utf-8")
        con.execute(text, bind(text, {"tz": timezone}))
    con.execute("DELETE FROM derived_state")
    con.execute("INSERT INTO derived_state VALUES ($c, $t)", {"c": derived_checksum(), "t": dt.datetime.now(dt.UTC)})


def data_version(con: duckdb.DuckDBPyConnection) -> int:
    """The id of the latest import: the key every cache uses, so an import invalidates them all."""
    row = con.execute("SELECT coalesce(max(import_id), 0) FROM imports").fetchall()
    return int(row[0][0])
