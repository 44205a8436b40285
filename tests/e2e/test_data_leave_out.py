"""The Data page's "Import without these N rows" in a real browser (issue 10): upload an export where 5 of 12 rows
cannot be used, see the import blocked, tick the named checkbox, import the other 7 leads.

tests/fixtures/bad/hubspot_missing_dates.csv: rows 4, 7, 11 have no Create Date and Record ID 102 is on rows 3 and
9: 3 + 2 = 5 rows left out, 12 − 5 = 7 leads and 7 + 2 = 9 stage events imported (worked in
tests/bad_input/test_leave_out_rows.py). The server runs on a fresh, empty database of its own.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import FIXTURES
from tests.e2e.conftest import ARGS, CHROMIUM, streamlit_server
from tests.e2e.test_data_upload import (
    WAIT_MS,
    _confirm_terms_if_asked,
    _idle,
    _metric_values,
    _open_data_page,
    _upload,
)

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

FILE = FIXTURES / "bad" / "hubspot_missing_dates.csv"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("e2e-leave-out")
    with streamlit_server(root / "fresh.duckdb", root) as url:
        yield url


@pytest.fixture
def tab(server: str):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_context(viewport={"width": 1440, "height": 900}).new_page()
            page.set_default_timeout(WAIT_MS)
            yield page
        finally:
            browser.close()


def test_ticking_import_without_these_rows_imports_the_other_seven_leads(server, tab, tmp_path):
    page = tab
    _open_data_page(page, server)
    _upload(page, [FILE])
    page.get_by_text("Problems to fix before importing: 5.").wait_for()
    _confirm_terms_if_asked(page)  # a fresh database: the template's terms first, so only the problems block
    assert page.get_by_role("button", name="Import 12 leads").is_disabled()  # all 12 rows as they are: blocked
    box = page.get_by_test_id("stCheckbox").filter(has_text="Import without these 5 rows")
    box.wait_for()
    box.locator("label").click()
    page.get_by_text("5 rows of your files will be left out; the preview below is without them:").wait_for()
    _idle(page)
    assert _metric_values(page, "Leads", "7") == ["7"]
    assert _metric_values(page, "Stage events", "9") == ["9"]
    page.get_by_role("button", name="Import 7 leads").click()
    page.get_by_text("Imported 7 leads, 9 stage events").wait_for()
    page.get_by_text("5 rows of your files were left out, as asked, and recorded with the import.").wait_for()
    _idle(page)
    page.get_by_text("The last import left out 5 rows of its files (asked for by name).").wait_for()
    assert page.get_by_test_id("stException").count() == 0

    # the same file uploaded again is a new set of files: all-or-nothing again until the box is ticked again
    from playwright.sync_api import expect

    page.get_by_test_id("stFileChipDeleteBtn").first.click()
    expect(page.get_by_test_id("stFileChipName")).to_have_count(0, timeout=WAIT_MS)
    _idle(page)
    again = tmp_path / FILE.name  # the same bytes from another path: the file input sees a new choice
    again.write_bytes(FILE.read_bytes())
    _upload(page, [again])
    _idle(page)
    page.get_by_text("Problems to fix before importing: 5.").wait_for()
    box = page.get_by_test_id("stCheckbox").filter(has_text="Import without these 5 rows")
    assert not box.locator("input").is_checked()
    assert page.get_by_role("button", name="Import 12 leads").is_disabled()
