"""Issue 10 in a real browser: Olist (Brazil, 2017–2018) uploaded with no sla.toml into an empty database. The page
offers the template's terms effective from the data's first day (2017-06-14, not 2026-01-01), waits for them to
be confirmed, and stores the calendar the user chose (São Paulo, Brazil's holidays), read back from the file after
the server has stopped (DuckDB lets one process hold it)."""

from __future__ import annotations

import datetime as dt

import pytest

from sla_review.store.db import connect
from tests.conftest import OLIST_DIR as OLIST
from tests.e2e.conftest import ARGS, CHROMIUM, streamlit_server
from tests.e2e.test_data_upload import WAIT_MS, _idle, _open_data_page, _upload

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

FILES = [OLIST / "olist_marketing_qualified_leads_dataset.csv", OLIST / "olist_closed_deals_dataset.csv"]


def _pick(page, label: str, value: str) -> None:
    """Open the select box labelled `label`, type `value` and take the option (what a user does)."""
    box = page.get_by_test_id("stSelectbox").filter(has=page.get_by_text(label, exact=True))
    box.click()
    box.locator("input").fill(value)
    page.get_by_role("option", name=value, exact=True).click()


@pytest.mark.datasets
def test_olist_without_an_sla_toml_is_judged_by_the_calendar_confirmed_on_the_page(tmp_path):
    from playwright.sync_api import expect, sync_playwright

    db = tmp_path / "olist.duckdb"
    with streamlit_server(db, tmp_path) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
            page.set_default_timeout(WAIT_MS)
            _open_data_page(page, url)
            _upload(page, FILES)
            page.get_by_text("No problems found: ready to import.").wait_for()
            # the files' first date (a lead of 2017-06-14), shown as the date input writes it
            start = page.get_by_test_id("stDateInput").filter(has_text="Effective from").locator("input")
            expect(start).to_have_value("2017-06-14")
            page.get_by_text("response time and follow-up will show “No response data”").wait_for()
            importer = page.get_by_role("button", name="Import 8,000 leads")
            expect(importer).to_be_disabled()

            _pick(page, "Time zone", "America/Sao_Paulo")
            _pick(page, "Public holidays of", "BR")
            page.get_by_role("button", name="Use these terms").click()
            page.get_by_text("Confirmed: these terms and this calendar will judge the import.").wait_for()
            _idle(page)
            judged = page.locator("p").filter(has_text="Judged by:")  # names the calendar confirmed
            expect(judged).to_contain_text("America/Sao_Paulo")
            expect(judged).to_contain_text("BR public holidays")
            expect(importer).to_be_enabled()
            importer.click()
            page.get_by_text("Imported 8,000 leads, 8,842 stage events").wait_for()
            _idle(page)
            assert page.get_by_test_id("stException").count() == 0
        finally:
            browser.close()
    con = connect(db)
    try:
        assert con.execute("SELECT timezone, workdays, day_start, day_end, holiday_country FROM calendar_settings"
                           ).fetchall() == [("America/Sao_Paulo", "Mon,Tue,Wed,Thu,Fri", "09:00", "18:00", "BR")]
        assert con.execute("SELECT name, effective_from FROM sla_versions").fetchall() == [
            ("default", dt.date(2017, 6, 14))]
    finally:
        con.close()
