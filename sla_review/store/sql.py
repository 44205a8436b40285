"""Run the versioned SQL files: one query per file, values only as bound $parameters."""

from __future__ import annotations

import functools
import re
from pathlib import Path

import duckdb
import polars as pl

ROOT = Path(__file__).resolve().parents[2]
SQL_DIR = ROOT / "sql"
_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
# A string literal (kept: '$x' inside quotes is text, and a '--' there starts no comment) or a comment (dropped).
_LITERAL_OR_COMMENT = re.compile(r"('(?:[^']|'')*')|--[^\n]*|/\*.*?\*/", re.S)


QUERY_FOLDERS = ("metrics", "plumbing")
"""sql/metrics/: one query per measure, named by what it measures; sql/plumbing/: the queries that serve the
program (data status, filter options, cache keys). Names are unique across both."""


@functools.cache
def sql_path(name: str) -> Path:
    """Where the query `name` lives (sql/metrics/ or sql/plumbing/)."""
    for folder in QUERY_FOLDERS:
        path = SQL_DIR / folder / f"{name}.sql"
        if path.exists():
            return path
    raise FileNotFoundError(f"no query {name}.sql in sql/{' or sql/'.join(QUERY_FOLDERS)}")


@functools.cache
def sql_text(name: str) -> str:
    """The text of the query `name` (read once per process)."""
    return sql_path(name).read_text(encoding="utf-8")


def bind(text: str, params: dict[str, object]) -> dict[str, object]:
    """The parameters the query names outside comments and string literals; DuckDB refuses both missing and
    unused ones, so a `$name` mentioned in a comment must not be bound."""
    code = _LITERAL_OR_COMMENT.sub(lambda m: "''" if m.group(1) else " ", text)
    names = set(_PARAM.findall(code))
    missing = names - params.keys()
    if missing:
        raise KeyError(f"query needs parameters {sorted(missing)}")
    return {k: v for k, v in params.items() if k in names}


def run_sql(con: duckdb.DuckDBPyConnection, name: str, **params: object) -> pl.DataFrame:
    """Run sql/metrics/<name>.sql with bound parameters and return a polars frame."""
    text = sql_text(name)
    return con.sql(text, params=bind(text, params)).pl()
