"""The audit trail (issue 15): who imported what, from which files (name, size, SHA-256), through which door,
and which notes they accepted; read back for the audit page and the banner. One row per `imports` row
(sql/schema/006_import_audit.sql)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl

from sla_review.core.problems import Problem
from sla_review.ingest.importer import TERMS_MODE

VIA = ("data_page", "command_line", "terms_page", "adoption", "demo")
MAX_NOTES = 20
_CHUNK = 1 << 20


@dataclass(frozen=True)
class FileDigest:
    name: str
    bytes: int
    sha256: str


@dataclass(frozen=True)
class Record:
    """What the audit row of one import says beyond the imports row itself."""

    via: str
    author: str | None = None
    files: tuple[FileDigest, ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)
    warnings: int = 0

    def __post_init__(self) -> None:
        if self.via not in VIA:
            raise ValueError(f"via must be one of {VIA}, not {self.via!r}")


def digest(path: Path) -> FileDigest:
    """A file's size and SHA-256, read in 1 MiB chunks (a 200 MB upload is never held twice)."""
    h = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(_CHUNK):
            h.update(chunk)
    return FileDigest(path.name, path.stat().st_size, h.hexdigest())


def with_notes(record: Record, warnings: Iterable[Problem]) -> Record:
    """The record with the preview's notes (warnings) the person imported with."""
    notes = [str(p) for p in warnings]
    return Record(record.via, record.author, record.files, tuple(notes[:MAX_NOTES]), len(notes))


def write(con: duckdb.DuckDBPyConnection, import_id: int, record: Record) -> None:
    """The audit row (inside the import's transaction when called from its `record` hook)."""
    con.execute("INSERT INTO import_audit VALUES ($id, $author, $via, $files, $warnings, $notes)",
                {"id": import_id, "author": record.author, "via": record.via,
                 "files": json.dumps([vars(f) for f in record.files], ensure_ascii=False),
                 "warnings": record.warnings, "notes": json.dumps(list(record.notes), ensure_ascii=False)})


_HISTORY_SQL = """
SELECT i.import_id, i.imported_at, i.mode, i.is_demo, i.source, a.author, a.via, a.files, a.warnings, a.notes,
       i.leads, i.stage_events, i.activities, i.reps
FROM imports i LEFT JOIN import_audit a USING (import_id)
ORDER BY i.import_id DESC
LIMIT $n
"""


def history(con: duckdb.DuckDBPyConnection, n: int = 200) -> pl.DataFrame:
    """The newest `n` imports and terms changes with their audit rows (NULL where an import predates the trail)."""
    return con.sql(_HISTORY_SQL, params={"n": n}).pl()


def latest_data_import(con: duckdb.DuckDBPyConnection) -> dict | None:
    """The import the view is built on: the newest one that loaded data (a terms change moves no data)."""
    frame = con.sql(_HISTORY_SQL.replace("ORDER BY", "WHERE i.mode <> $terms ORDER BY"),
                    params={"n": 1, "terms": TERMS_MODE}).pl()
    return frame.row(0, named=True) if frame.height else None


def files_of(row: dict) -> list[FileDigest]:
    return [FileDigest(**f) for f in json.loads(row.get("files") or "[]")]
