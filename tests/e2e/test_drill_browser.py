"""A click on a funnel bar opens its leads in Chromium: the heading counts them, the CSV holds exactly them with
formula-looking company names escaped, and the URL names the list so a copied link reopens it."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import polars as pl
import pytest

from tests.conftest import FIXTURES
from tests.e2e.conftest import ARGS, CHROMIUM, streamlit_server

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
FORMULA = '=HYPERLINK("http://example.invalid","x")'
PERIOD = "p=custom&from=2026-04-01&to=2026-07-01"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    """The worked example (5 MQLs in the cohort, by hand) with company names, L1's looking like a formula."""
    from sla_review.ingest.importer import import_dir
    from sla_review.store.db import connect

    root = tmp_path_factory.mktemp("e2e-drill")
    files = root / "files"
    shutil.copytree(FIXTURES / "worked", files)
    leads = pl.read_csv(files / "leads.csv", infer_schema=False)
    leads.with_columns(pl.Series("company", [FORMULA, "Acme", "Beta", "+Gamma", "Delta", "@Eps"])).write_csv(
        files / "leads.csv")
    db = root / "drill.duckdb"
    con = connect(db)
    try:
        import_dir(con, files)
    finally:
        con.close()
    with streamlit_server(db, root) as url:
        yield url


def test_clicking_the_mql_bar_downloads_its_five_leads(server: str, tmp_path: Path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
            page.set_default_timeout(45_000)
            page.goto(f"{server}/funnel?{PERIOD}")
            chart = page.locator('[data-testid="stPlotlyChart"]').first
            bars = chart.locator("g.trace.bars").last.locator("g.point path")  # this period's bars, stage order
            bars.nth(5).wait_for()
            page.wait_for_timeout(1000)  # the chart's event handlers attach after its first draw
            box = bars.nth(1).bounding_box()  # MQL
            page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
            panel = page.locator('[class*="st-key-leads_panel"]')
            heading = panel.locator("h3")
            heading.wait_for()
            assert heading.inner_text().startswith("5 leads")
            page.wait_for_url(lambda u: "leads=funnel%3Aview%3Dcohort%3Bstage%3Dmql" in u)  # written after the run
            with page.expect_download() as download:
                panel.locator('[data-testid="stDownloadButton"] button').click()
            text = Path(download.value.path()).read_text(encoding="utf-8-sig")
            rows = list(csv.DictReader(io.StringIO(text)))
            assert [r["Lead"] for r in rows] == ["L1", "L2", "L4", "L5", "L6"]
            companies = {r["Lead"]: r["Company"] for r in rows}
            assert companies == {"L1": "'" + FORMULA, "L2": "Acme", "L4": "'+Gamma", "L5": "Delta", "L6": "'@Eps"}

            reopened = browser.new_page(viewport={"width": 1400, "height": 1000})
            reopened.set_default_timeout(45_000)
            reopened.goto(page.url)  # the copied link opens the same list
            again = reopened.locator('[class*="st-key-leads_panel"] h3')
            again.wait_for()
            assert again.inner_text() == heading.inner_text()
        finally:
            browser.close()
