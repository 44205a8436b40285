"""Shared fixtures and test selection: the worked example (a fixture in this repository), the public datasets
(found through SLA_DATASETS), databases built from the worked example, markers by folder, and no skips in CI.

A fresh clone runs the whole suite without anything outside the repository: only the tests that need the two
public datasets, and the test that checks our copy of the contract against ../shared, do not run, and say why.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
WORKED = FIXTURES / "worked"  # DOMAIN.md's worked example and its expected report (kept equal by test_contract_sync)
EXPECTED_REPORT = WORKED / "expected_report.json"
REPORT_EXTENSIONS = {"mql_to_sql": ("ci95",),
                     "response": ("attainment_ci95", "median_business_hours_ci95", "p90_business_hours_ci95"),
                     "follow_up": ("rate_ci95",), "what_if": ("sql_rate_ci95",)}
"""Keys our report adds to DOMAIN.md's report object (issue 12's 95% intervals), each at the end of its section
(of every row, for what_if): the fixture is DOMAIN.md's block with these, and nothing else, added."""
REPORT_SECTIONS_ADDED = ("response_by_tier",)
"""Sections DOMAIN.md defines in words but not in its JSON block ("Tiered targets and several calendars"): the
fixture has them after `response`; the comparison with the block leaves them out."""

DATASET_NAMES = ("olist_marketing_funnel", "x_education_leads")
_DATASETS_ENV = os.environ.get("SLA_DATASETS", "").strip()
# A folder holding olist_marketing_funnel/ and x_education_leads/ (.ci/run: ../shared/datasets). Unset, the path
# below never exists, so module-level paths can still be spelled while the tests that read them are skipped.
DATASETS = Path(_DATASETS_ENV).resolve() if _DATASETS_ENV else ROOT / "tests" / "SLA_DATASETS is not set"
OLIST_DIR = DATASETS / "olist_marketing_funnel"
XED_DIR = DATASETS / "x_education_leads"
# The shared folder the datasets come from also holds the contract (DOMAIN.md, examples/worked/).
SHARED = DATASETS.parent
SHARED_WORKED = SHARED / "examples" / "worked"


def datasets_missing() -> str | None:
    """Why the public datasets cannot be read, or None when they can."""
    wanted = "set SLA_DATASETS to the folder with olist_marketing_funnel/ and x_education_leads/ " \
             "(.ci/run uses ../shared/datasets)"
    if not _DATASETS_ENV:
        return f"needs the public datasets: {wanted}"
    absent = [name for name in DATASET_NAMES if not (DATASETS / name).is_dir()]
    if absent:
        return f"SLA_DATASETS={_DATASETS_ENV} has no {', '.join(n + '/' for n in absent)}: {wanted}"
    return None


def contract_missing() -> str | None:
    """Why the shared copy of the contract (DOMAIN.md and examples/worked/ beside SLA_DATASETS) is not there."""
    if not _DATASETS_ENV:
        return "compares the fixture with the shared contract: set SLA_DATASETS to the folder with " \
               "olist_marketing_funnel/ and x_education_leads/ (DOMAIN.md and examples/worked/ sit beside it)"
    absent = [str(p.relative_to(SHARED)) for p in (SHARED / "DOMAIN.md", SHARED_WORKED) if not p.exists()]
    if absent:
        return f"no {' or '.join(absent)} in {SHARED}, the folder that holds SLA_DATASETS={_DATASETS_ENV}"
    return None


# Markers given by where a test lives, so a new test file in a folder is selected like its neighbours.
FOLDER_MARKERS = {"app": "app", "e2e": "e2e"}
# The deck/chart tests in test_export.py that are marked slow are the ones that render (kaleido, python-pptx,
# LibreOffice); its quick tests (periods, headline sizing, the scorecard's numbers) stay in the fast set.
OFFICE_MODULES = ("test_export.py",)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Add the folder markers and skip what needs data that is not there (with the reason)."""
    no_datasets, no_contract = datasets_missing(), contract_missing()
    for item in items:
        parts = item.path.relative_to(ROOT / "tests").parts
        if parts[0] in FOLDER_MARKERS:
            item.add_marker(FOLDER_MARKERS[parts[0]])
        if parts[-1] in OFFICE_MODULES and item.get_closest_marker("slow"):
            item.add_marker("office")
        if no_datasets and item.get_closest_marker("datasets"):
            item.add_marker(pytest.mark.skip(reason=no_datasets))
        if no_contract and item.get_closest_marker("contract"):
            item.add_marker(pytest.mark.skip(reason=no_contract))


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
    from sla_review.ingest.importer import import_dir
    from sla_review.store.db import connect

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


@pytest.fixture
def worked_con(worked_db: Path):
    """A read-write connection on this test's copy of the worked example, closed after the test."""
    from sla_review.store.db import connect

    con = connect(worked_db)
    yield con
    con.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """In CI (CI=true, as .ci/run is run) nothing may be skipped: a skip there means a missing install
    or a missing SLA_DATASETS that would otherwise hide untested work. Locally, a missing Chromium or
    LibreOffice, or unset SLA_DATASETS, still skips (with the reason)."""
    outcome = yield
    report = outcome.get_result()
    if os.environ.get("CI", "").lower() in ("1", "true", "yes") and report.skipped:
        report.outcome = "failed"
        report.longrepr = f"skipped in CI, which must install everything the tests need: {report.longrepr}"
