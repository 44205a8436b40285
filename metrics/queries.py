"""Run the versioned SQL files: one query per file, values only as bound $parameters."""

from __future__ import annotations

import functools
import re
from pathlib import Path

import duckdb
import polars as pl

ROOT = Path(__file__).resolve().parent.parent
SQL_DIR = ROOT / "sql"
_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")


@functools.cache
def sql_text(name: str, folder: str = "metrics") -> str:
    """The text of sql/<folder>/<name>.sql (read once per process)."""
    return (SQL_DIR / folder / f"{name}.sql").read_text(encoding="utf-8")


def bind(text: str, params: dict[str, object]) -> dict[str, object]:
    """The parameters the query names; DuckDB refuses both missing and unused ones."""
    names = set(_PARAM.findall(text))
    missing = names - params.keys()
    if missing:
        raise KeyError(f"query needs parameters {sorted(missing)}")
    return {k: v for k, v in params.items() if k in names}


def run_sql(con: duckdb.DuckDBPyConnection, name: str, **params: object) -> pl.DataFrame:
    """Run sql/metrics/<name>.sql with bound parameters and return a polars frame."""
    text = sql_text(name)
    return con.sql(text, params=bind(text, params)).pl()
