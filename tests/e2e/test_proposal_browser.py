"""The negotiation room in a real browser (Chromium through Playwright, server.py served by
sla_review.devtools.serve): on a demo database, draft a proposal that raises the MQL threshold and tightens the
response target, save it, save a second draft, compare both with the terms in force, adopt the first from a future
date, find the new version in the downloaded sla.toml, and build the deck with the draft's proposal section on the
Export page.

Why in a browser: the editor's number inputs, the multiselect and the adopt confirmation are frontend widgets whose
values must reach Python; AppTest sets them without the frontend. Bounded waits everywhere; the server is always
stopped.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Iterator

import pytest

from tests.e2e.conftest import ARGS, CHROMIUM, demo_database, streamlit_server

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
TIMEOUT_MS = 60_000


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("e2e-proposal")
    with streamlit_server(demo_database(root, 3000, 11, "proposal"), root) as url:
        yield url


def idle(page) -> None:
    """The script run finished (the status widget no longer says Running)."""
    page.wait_for_timeout(300)
    page.wait_for_function(
        "() => { const s = document.querySelector('[data-testid=\"stStatusWidget\"]');"
        " return !s || !/Running|Connecting/.test(s.innerText); }")


def type_into(page, label: str, value: str) -> None:
    box = page.get_by_label(label, exact=True).first
    box.fill(value)
    box.press("Enter")
    idle(page)


def pick(page, label: str, option: str, search: bool = False) -> None:
    """Choose an option as a person does: open the box (a multiselect: type to find it) and take the option.
    A box redrawn by a rerun under the click stays shut: open it again (bounded)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    found = page.get_by_role("option", name=option, exact=True).first
    for attempt in range(3):
        box = page.get_by_label(label, exact=True).first
        box.click()
        if search:
            box.fill(option)
        try:
            found.wait_for(timeout=10_000)
            break
        except PlaywrightTimeout:
            if attempt == 2:
                raise
            page.keyboard.press("Escape")
            idle(page)
    found.click()
    page.keyboard.press("Escape")
    idle(page)


def comparison(page) -> list[list[str]]:
    """The side-by-side table (the first st.table) as rows of cell text, heading row first."""
    table = page.locator('[data-testid="stTable"] table').first
    return [[c.replace("\u2060", "").strip() for c in row.locator("th, td").all_inner_texts()]
            for row in table.locator("tr").all()]  # without safe.markdown's invisible word joiners


def test_draft_compare_adopt_and_download(server, tmp_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
            page.set_default_timeout(TIMEOUT_MS)
            page.goto(f"{server}/proposal")
            page.wait_for_selector('[data-testid="stMain"] h1')
            page.wait_for_selector('[data-testid="stTable"] table tr')
            idle(page)
            head = comparison(page)[0]
            current = head[1]
            assert current.startswith("In force: ") and head[2] == "This draft"
            version_in_force = current.removeprefix("In force: ")

            # the first draft: a higher bar and a faster answer
            type_into(page, "Draft name", "Tighter")
            type_into(page, "MQL threshold (score)", "75")
            type_into(page, "Response target (business hours)", "1")
            page.get_by_role("button", name="Save as draft “Tighter”").click()
            page.get_by_text("Saved the draft “Tighter”.").wait_for()
            # the second: the same bar, a looser answer
            type_into(page, "Draft name", "Looser")
            type_into(page, "Response target (business hours)", "8")
            page.get_by_role("button", name="Save as draft “Looser”").click()
            page.get_by_text("Saved the draft “Looser”.").wait_for()

            # both compared with the terms in force
            pick(page, "Compare with saved drafts (up to two)", "Tighter", search=True)
            pick(page, "Compare with saved drafts (up to two)", "Looser", search=True)
            page.wait_for_function("() => document.querySelector('[data-testid=\"stTable\"] table')"
                                   ".innerText.includes('Change (Looser)')")
            rows = comparison(page)
            head = rows[0]
            assert head[1] == current and "Tighter" in head and "Looser" in head, head
            cells = {r[0]: r for r in rows[1:]}
            rule, target = cells["MQL rule"], cells["Response target (business hours)"]
            assert rule[head.index("Tighter")].startswith("score ≥ 75")
            assert rule[head.index("Looser")].startswith("score ≥ 75")
            assert target[head.index("Tighter")].startswith("1\xa0h ·"), target
            assert target[head.index("Looser")].startswith("8\xa0h ·"), target
            mqls = cells["MQLs per month (leads scoring at or above the threshold)"]
            # a higher bar cannot give more MQLs: the change against the terms in force is negative or zero
            assert not mqls[head.index("Change (Tighter)")].startswith("+"), mqls

            # adopt the first draft from the default date: the first day of the month after the data's as_of
            pick(page, "Draft to adopt", "Tighter")
            page.get_by_text("I confirm: add this version to the SLA").click()
            idle(page)
            adopt = page.get_by_role("button", name="Adopt as version")
            adopt.click()
            page.get_by_text("Adopted “Tighter” as version").wait_for()
            assert page.locator('[data-testid="stException"]').count() == 0

            with page.expect_download() as info:
                page.get_by_role("button", name="Download sla.toml").click()
            path = tmp_path / "sla.toml"
            info.value.save_as(path)

            # the deck from the Export page with the draft picked: its proposal section is there
            page.goto(f"{server}/export")
            page.wait_for_selector('[data-testid="stMain"] h1')
            idle(page)
            pick(page, "Proposal for the deck", "Tighter")
            page.get_by_role("button", name="Build the deck").click()
            with page.expect_download(timeout=180_000) as info:
                page.get_by_role("button", name="Download the deck (.pptx)").click(timeout=180_000)
            deck_path = tmp_path / "deck.pptx"
            info.value.save_as(deck_path)
        except Exception:
            page.screenshot(path=str(tmp_path / "failed.png"), full_page=True)
            raise
        finally:
            browser.close()
    versions = tomllib.loads(path.read_text(encoding="utf-8"))["versions"]
    names = [x["name"] for x in versions]
    assert version_in_force in names
    new = versions[-1]
    assert new["name"] not in names[:-1]
    assert (new["mql_threshold"], new["response_target_hours"]) == (75, 1)
    newest_before = max(dt.date.fromisoformat(str(x["effective_from"])) for x in versions[:-1])
    adopted_from = dt.date.fromisoformat(str(new["effective_from"]))
    assert adopted_from > newest_before and adopted_from.day == 1

    from pptx import Presentation

    slides = Presentation(str(deck_path)).slides
    proposal = [sl for sl in slides if any(sh.has_text_frame and sh.text_frame.text == "Proposal vs current"
                                           for sh in sl.shapes)]
    assert len(proposal) == 4
    assert "Tighter" in proposal[0].shapes.title.text
