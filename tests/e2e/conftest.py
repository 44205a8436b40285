"""Shared by the browser tests: the dashboard served by sla_review.devtools.serve, Debian's Chromium and its flags."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from sla_review.devtools.serve import CHROMIUM, CHROMIUM_ARGS
from sla_review.devtools.serve import streamlit_server as _serve

ARGS = CHROMIUM_ARGS
__all__ = ["ARGS", "CHROMIUM", "streamlit_server"]


@contextlib.contextmanager
def streamlit_server(db: Path, logs: Path) -> Iterator[str]:
    """sla_review.devtools.serve.streamlit_server, skipped where Chromium is missing (a failure under CI, see
    tests/conftest.py)."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium is not installed at {CHROMIUM}")
    with _serve(db, logs / "server.log") as url:
        yield url
