"""The dashboard in a real browser (Debian's Chromium through Playwright) against `streamlit run`.

Why: AppTest runs the script but not the frontend; this catches what only a browser shows (a page that
raises in the browser session, a slider that does not reach Python). Bounded waits everywhere, and the
server is always stopped.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.e2e.conftest import ARGS, CHROMIUM, demo_database, streamlit_server

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

# "" and "scorecard" are both the scorecard (the default page, and its own address); data and export join
PAGES = ("", "scorecard", "funnel", "conversion", "response", "whatif", "closed_loop")
PAGE_TIMEOUT_MS = 45_000


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`streamlit run dashboard.py` on a free port with SLA_DB on its own small demo database."""
    root = tmp_path_factory.mktemp("e2e")
    with streamlit_server(demo_database(root, 3000, 11, "e2e"), root) as url:
        yield url


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


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_every_url_path_opens_its_page(server, browser_page, lang):
    """Each page at /<name> (the scorecard also at /): its own title, never Streamlit's "Page not found"."""
    from sla_review.present import i18n

    page = browser_page
    for path, name in (("", "scorecard"), ("scorecard", "scorecard"), ("funnel", "funnel"),
                       ("conversion", "conversion"), ("response", "response"), ("whatif", "whatif"),
                       ("closed_loop", "closed_loop"), ("data", "data"), ("export", "export"),
                       ("terms", "terms")):
        page.goto(f"{server}/{path}?lang={lang}")
        page.wait_for_selector('[data-testid="stMain"] h1')
        page.wait_for_function(
            "() => { const s = document.querySelector('[data-testid=\"stStatusWidget\"]');"
            " return !s || !/Running|Connecting/.test(s.innerText); }")
        title = page.locator('[data-testid="stMain"] h1').first.inner_text().strip()
        assert title == i18n.t(lang, f"page_{name}"), path
        assert page.get_by_text("Page not found").count() == 0, path
