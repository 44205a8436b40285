"""The markup corpus (tests/hostile.py) in a real browser: hostile SLA version names, segment values, reps and
reasons show as literal text; the page holds no image or link they could have made, and nothing is fetched from
the beacon address (127.0.0.1:9) they point at."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.e2e.conftest import ARGS, CHROMIUM, streamlit_server
from tests.e2e.test_browser import _settle
from tests.hostile import ANCHOR, IMG, LINK, hostile_db

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
QUERY = "p=custom&from=2026-04-01&to=2026-07-01"
# the scorecard (version names in Markdown), the closed loop (reasons and sources in bar labels), the funnel by
# source (segment values as heat-map rows) and the response page by rep (rep names as bar labels)
PAGES = ("scorecard", "closed_loop?cldim=source", "funnel?fseg=source", "response?rdim=owner")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("e2e-markup")
    with streamlit_server(hostile_db(root), root) as url:
        yield url


def test_hostile_names_are_text_in_the_browser(server, tmp_path_factory):
    from playwright.sync_api import sync_playwright

    shots = tmp_path_factory.mktemp("e2e-markup-shots")
    beacon: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1440, "height": 1000})
            page.set_default_timeout(45_000)
            page.on("request", lambda r: beacon.append(r.url) if "127.0.0.1:9/" in r.url else None)
            for path in PAGES:
                sep = "&" if "?" in path else "?"
                page.goto(f"{server}/{path}{sep}{QUERY}")
                _settle(page)
                name = path.split("?")[0]
                page.screenshot(path=str(shots / f"{name}.png"), full_page=True)
                assert page.locator('[data-testid="stException"]').count() == 0, path
                main = page.locator('[data-testid="stMain"]')
                assert main.locator('img[src="x"], img[src*="127.0.0.1:9"]').count() == 0, path
                assert main.locator('a[href*="127.0.0.1:9"]').count() == 0, path  # HTML links and SVG <a>
                assert main.locator('[data-testid="stMarkdownContainer"] strong:text-is("bold")').count() == 0
                text = main.inner_text().replace("\u2060", "")  # safe.markdown's invisible word joiners
                if name == "scorecard":
                    assert IMG in text and LINK in text, text[:2000]  # the version names, as typed
                labels = " ".join(main.locator(".main-svg text").all_text_contents())  # plotly's SVG text
                if name == "closed_loop":  # the rejection reason and its lead's source, as literal strings
                    assert ANCHOR in labels, labels[:2000]
                if name == "funnel":  # every source as a heat-map row
                    assert IMG in labels and ANCHOR in labels and "<b>b</b>" in labels, labels[:2000]
        finally:
            browser.close()
    assert not beacon, beacon
    print(f"screenshots: {shots}")
