"""The dashboard in a real browser (Debian's Chromium through Playwright) against `streamlit run`.

Why: AppTest runs the script but not the frontend; this catches what only a browser shows (a page that
raises in the browser session, a slider that does not reach Python). Bounded waits everywhere, and the
server is always stopped.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PAGES = ("", "funnel", "conversion", "response", "whatif", "closed_loop")  # "" = the scorecard (default page)
START_TIMEOUT_S = 60
PAGE_TIMEOUT_MS = 45_000


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`streamlit run dashboard.py` on a free port with SLA_DB on its own small demo database."""
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium is not installed at /usr/bin/chromium")
    from metrics.db import connect
    from metrics.demo import generate
    from metrics.load import import_dir

    root = tmp_path_factory.mktemp("e2e")
    generate(root / "files", leads=3000, seed=11)
    db = root / "e2e.duckdb"
    con = connect(db)
    try:
        import_dir(con, root / "files", is_demo=True, source="demo (e2e)")
    finally:
        con.close()
    port = _free_port()
    log = open(root / "server.log", "w")  # noqa: SIM115 - closed in finally
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.address", "127.0.0.1",
         "--server.port", str(port), "--server.headless", "true", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=dict(os.environ, SLA_DB=str(db)), stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2).read()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"streamlit did not start: {(root / 'server.log').read_text()[-2000:]}")
                time.sleep(0.3)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        log.close()


@pytest.fixture(scope="module")
def browser_page(server: str):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1440, "height": 900})
            page.set_default_timeout(PAGE_TIMEOUT_MS)
            yield page
        finally:
            browser.close()


def _settle(page) -> None:
    """Wait until a chart is drawn, the script run finished and every chart has its SVG (each bounded)."""
    page.wait_for_selector('[data-testid="stMain"] h1')
    page.wait_for_selector('[data-testid="stPlotlyChart"] .main-svg')  # every page draws at least one chart
    page.wait_for_function(
        "() => { const s = document.querySelector('[data-testid=\"stStatusWidget\"]');"
        " return !s || !/Running|Connecting/.test(s.innerText); }")
    page.wait_for_function(
        "() => Array.from(document.querySelectorAll('[data-testid=\"stPlotlyChart\"]'))"
        ".every(c => c.querySelector('.main-svg'))")


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_every_page_loads_without_an_exception(server, browser_page, lang):
    page = browser_page
    for path in PAGES:
        page.goto(f"{server}/{path}?lang={lang}")
        _settle(page)
        assert page.locator('[data-testid="stException"]').count() == 0, path
        assert page.locator('[data-testid="stPlotlyChart"]').count() > 0, path


def test_moving_the_whatif_slider_changes_the_volume(server, browser_page):
    page = browser_page
    page.goto(f"{server}/whatif")
    _settle(page)
    volume = page.locator('[data-testid="stMetric"]').first.locator('[data-testid="stMetricValue"]')
    before = volume.inner_text()
    slider = page.get_by_role("slider", name="Proposed MQL threshold")
    slider.focus()
    for _ in range(5):
        slider.press("ArrowRight")
    page.wait_for_function("() => window.location.search.includes('thr=70')")  # the last move reached Python
    page.wait_for_function(
        "(old) => { const v = document.querySelector('[data-testid=\"stMetric\"] [data-testid=\"stMetricValue\"]');"
        " return v && v.innerText !== old; }", arg=before)
    _settle(page)
    after = volume.inner_text()
    assert int(after.replace(",", "")) < int(before.replace(",", "")), (before, after)
    assert page.locator('[data-testid="stException"]').count() == 0
