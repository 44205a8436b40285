"""Databases for the dashboard tests, built once per session into tmp dirs.

The dashboard keeps one cached read-write connection per database file for the whole process (as in
production), so these files stay open until pytest exits; the browser tests build their own file.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from sla_review.store.db import connect
from tests.conftest import ROOT

DEMO_LEADS = 4000
DASHBOARD = str(ROOT / "dashboard.py")
PAGES = ("scorecard", "funnel", "conversion", "response", "whatif", "closed_loop")


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small demo database: the same calendar, SLA versions and shapes as the 50k demo."""
    from sla_review.ingest.demo import generate
    from sla_review.ingest.importer import import_dir

    root = tmp_path_factory.mktemp("dash-demo")
    generate(root / "files", leads=DEMO_LEADS, seed=7)
    path = root / "demo.duckdb"
    con = connect(path)
    try:
        import_dir(con, root / "files", is_demo=True, source=f"demo (leads={DEMO_LEADS}, seed=7)")
    finally:
        con.close()
    return path


@pytest.fixture(scope="session")
def empty_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated database with nothing imported."""
    path = tmp_path_factory.mktemp("dash-empty") / "empty.duckdb"
    connect(path).close()
    return path


def app(monkeypatch: pytest.MonkeyPatch, db: Path, **query: str | list[str]) -> AppTest:
    """The dashboard (entry script) on `db`, opened with a query string, run once."""
    monkeypatch.setenv("SLA_DB", str(db))
    at = AppTest.from_file(DASHBOARD, default_timeout=90)
    at.query_params.update(query)
    return at.run()


def goto(at: AppTest, page: str) -> AppTest:
    return at.switch_page(f"sla_review/app/pages/{page}.py").run()


def number(text: str) -> float:
    """'1,300' -> 1300.0, '23.6%' -> 23.6, '0.4 h' -> 0.4."""
    return float(re.sub(r"[^0-9.\-]", "", text.replace(",", "")))


def metric(at: AppTest, label: str):
    found = [m for m in at.metric if m.label == label]
    assert found, f"no metric {label!r} in {[m.label for m in at.metric]}"
    return found[0]


def no_exception(at: AppTest) -> None:
    assert not at.exception, [e.message for e in at.exception]


WORKED_PERIOD = {"p": "custom", "from": "2026-04-01", "to": "2026-07-01"}
DEMO_HALF = (dt.date(2026, 4, 1), dt.date(2026, 10, 1))
