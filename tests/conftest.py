"""Shared fixtures: where ../shared is, and databases built from the worked example."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("SLA_SHARED", ROOT.parent / "shared"))
WORKED = SHARED / "examples" / "worked"


@pytest.fixture
def worked_dir(tmp_path: Path) -> Path:
    """A writable copy of the worked example, for tests that break it on purpose."""
    target = tmp_path / "worked"
    shutil.copytree(WORKED, target)
    for path in target.iterdir():
        path.chmod(0o644)
    return target


@pytest.fixture(scope="session")
def _worked_db_once(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from metrics.db import connect
    from metrics.load import import_dir

    path = tmp_path_factory.mktemp("worked") / "worked.duckdb"
    con = connect(path)
    import_dir(con, WORKED)
    con.close()
    return path


@pytest.fixture
def worked_db(_worked_db_once: Path, tmp_path: Path) -> Path:
    """A database file with the worked example imported, one copy per test: DuckDB locks a file per
    process, and the app tests keep cached connections open, so no two tests may share a file."""
    path = tmp_path / "worked.duckdb"
    shutil.copyfile(_worked_db_once, path)
    return path


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """In CI (CI=true, as .ci/run is run) nothing may be skipped: a skip there means a missing install
    that would otherwise hide untested work. Locally, a missing Chromium or LibreOffice still skips."""
    outcome = yield
    report = outcome.get_result()
    if os.environ.get("CI", "").lower() in ("1", "true", "yes") and report.skipped:
        report.outcome = "failed"
        report.longrepr = f"skipped in CI, which must install everything the tests need: {report.longrepr}"
