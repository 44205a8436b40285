"""Shared by the browser tests: the dashboard served by sla_review.devtools.serve, Debian's Chromium and its flags."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from sla_review.devtools.serve import CHROMIUM, CHROMIUM_ARGS
from sla_review.devtools.serve import streamlit_server as _serve

ARGS = CHROMIUM_ARGS
__all__ = ["ARGS", "CHROMIUM", "demo_database", "streamlit_server"]


@contextlib.contextmanager
def streamlit_server(db: Path, logs: Path) -> Iterator[str]:
    """sla_review.devtools.serve.streamlit_server, skipped where Chromium is missing (a failure under CI, see
    tests/conftest.py)."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium is not installed at {CHROMIUM}")
    with _serve(db, logs / "server.log") as url:
        yield url


def demo_database(root: Path, leads: int, seed: int, name: str) -> Path:
    """A demo database of `leads` leads built under `root` (generated files, then one import)."""
    from sla_review.ingest.demo import generate
    from sla_review.ingest.importer import import_dir
    from sla_review.store.db import connect

    generate(root / "files", leads=leads, seed=seed)
    db = root / f"{name}.duckdb"
    con = connect(db)
    try:
        import_dir(con, root / "files", is_demo=True, source=f"demo ({name})")
    finally:
        con.close()
    return db
