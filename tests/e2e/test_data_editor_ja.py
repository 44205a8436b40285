"""Issue 10 in a real browser, in Japanese: a Shift_JIS export no preset knows is mapped entirely in the column-mapping
editor (a select box, the status table, the sales-responses table) and imported; the counts are checked on the page
and in the database."""

from __future__ import annotations

import pytest

from sla_review.present.data_page_text import TEXT
from tests.conftest import ROOT
from tests.e2e.conftest import ARGS, CHROMIUM, streamlit_server
from tests.e2e.test_data_upload import (
    WAIT_MS,
    _choose_in_table,
    _confirm_terms_if_asked,
    _edit_cell,
    _idle,
    _imported_count,
    _metric_values,
    _table_after,
    _upload,
)

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

JA = TEXT["ja"]
FIXTURE = ROOT / "tests" / "fixtures" / "editor" / "japanese_unrecognised.sjis.csv"


@pytest.fixture(scope="module")
def chromium():
    """Debian's Chromium, one per module (each test serves its own database)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


def _pick(page, label: str, value: str) -> None:
    """Open the select box labelled `label`, type `value`, take the option and wait for the run it starts."""
    box = page.get_by_test_id("stSelectbox").filter(has=page.get_by_text(label, exact=True)).first
    box.click()
    box.locator("input").fill(value)
    page.get_by_role("option", name=value, exact=True).click()
    _idle(page)


def _selected(page, label: str) -> str:
    """The option a select box shows now."""
    box = page.get_by_test_id("stSelectbox").filter(has=page.get_by_text(label, exact=True)).first
    return box.locator("input").input_value()  # the chosen option is the input's value (the label is outside)


def test_a_japanese_export_no_preset_knows_is_mapped_in_the_editor_and_imported(chromium, tmp_path):
    """tests/fixtures/editor/japanese_unrecognised.sjis.csv (cp932, CRLF): 6 leads C-001…C-006, columns 登録日時,
    顧客番号, 流入経路, 担当者 (佐藤, 鈴木, 高橋: 3 reps), 対応状況, 初回架電日. No preset has these headers: the page
    says so and the editor is the choice.

    - Lead ID: the editor takes the first column, 登録日時 (wrong); the user picks 顧客番号. Created at: guessed
      登録日時 (right). Stage events then: every lead starts at inquiry = 6.
    - Status column 対応状況 (not guessed), its values by count then name: 商談化 2 (guess SQL), 対応中 2 (SAL),
      失注 1 (lost), 未対応 1 (no stage) → 6 + 2 + 2 + 1 = 11; the user sets 未対応 (4th row) to MQL → 12:
      inquiry 6, mql 1 (C-001), sal 2 (C-002, C-005), sql 2 (C-003, C-006), lost 1 (C-004).
    - Sales responses: a row 初回架電日 → 電話 (phone); filled for C-002, C-003, C-004, C-005 → 4 activities, each by
      the lead's owner: 鈴木 2 (C-002, C-005), 佐藤 1, 高橋 1."""
    db = tmp_path / "ja_editor.duckdb"
    with streamlit_server(db, tmp_path) as url:
        context = chromium.new_context(viewport={"width": 1440, "height": 1000})
        try:
            page = context.new_page()
            page.set_default_timeout(WAIT_MS)
            page.goto(f"{url}/data?lang=ja")
            page.get_by_test_id("stFileUploaderDropzoneInput").wait_for(state="attached")
            _idle(page)
            _upload(page, [FIXTURE])
            page.get_by_text(JA["not_recognised"]).wait_for()
            assert JA["opt_editor"] == _selected(page, JA["mapping_choice"])
            assert _selected(page, JA["f_lead_id"]) == "登録日時"  # the guess is wrong: the first column
            assert _selected(page, JA["f_created_at"]) == "登録日時"  # right
            _pick(page, JA["f_lead_id"], "顧客番号")
            assert _metric_values(page, "リード", "6")[-1] == "6"
            assert _metric_values(page, "ステージ履歴", "6")[-1] == "6"

            _pick(page, JA["ed_status"], "対応状況")
            assert _metric_values(page, "ステージ履歴", "11")[-1] == "11"
            grid = _table_after(page, JA["ed_status_values"])
            _choose_in_table(page, grid, 3, 2, "MQL")
            page.get_by_text(JA["ed_status_values"], exact=True).click()  # leave the grid: the edit is sent
            _idle(page)
            assert _metric_values(page, "ステージ履歴", "12")[-1] == "12"

            grid = _table_after(page, JA["ed_responses"] + JA["sentence_gap"] + JA["ed_responses_help"])
            box = grid.locator("xpath=ancestor::*[@data-testid='stElementContainer'][1]")
            grid.hover()
            page.wait_for_timeout(500)  # the toolbar fades in on hover
            box.get_by_role("button", name="Add row").click(force=True)
            _idle(page)
            _edit_cell(page, grid, 0, 0, 2, "初回架電日")
            _edit_cell(page, grid, 0, 1, 2, JA["ch_phone"])
            page.get_by_text(JA["ed_responses_header"], exact=True).click()  # leave the grid
            _idle(page)
            assert _metric_values(page, "活動", "4")[-1] == "4"
            assert _metric_values(page, "ステージ履歴", "12")[-1] == "12"

            _confirm_terms_if_asked(page, JA["tf_use"])  # a fresh database, no sla.toml: the template, confirmed
            page.get_by_role("button", name="6 件のリードを取り込む").click()
            page.get_by_text("リード 6 件、ステージ履歴 12 件、活動 4 件、担当者 3 人を取り込みました").wait_for()
            _idle(page)
            assert _metric_values(page, "リード", "6") == ["6", "6"]  # what is loaded now, and the preview
            assert page.get_by_test_id("stException").count() == 0
        finally:
            context.close()
    assert _imported_count(db, "SELECT count(*) FROM leads") == [(6,)]
    assert _imported_count(db, "SELECT stage, count(*) FROM stage_events GROUP BY stage ORDER BY stage") == [
        ("inquiry", 6), ("lost", 1), ("mql", 1), ("sal", 2), ("sql", 2)]
    assert _imported_count(db, "SELECT lead_id FROM stage_events WHERE stage = 'mql'") == [("C-001",)]
    assert _imported_count(db, "SELECT channel, count(*) FROM activities GROUP BY channel") == [("phone", 4)]
    assert _imported_count(db, "SELECT rep_id, count(*) FROM activities GROUP BY rep_id ORDER BY rep_id") == [
        ("佐藤", 1), ("鈴木", 2), ("高橋", 1)]
