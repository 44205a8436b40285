"""The Data page's "Import without these N rows" (issue 10): all-or-nothing until the named checkbox is ticked, then
the rows left out are listed (file, row as Excel shows it, the user's column, why) and recorded with the import.

tests/fixtures/bad/hubspot_missing_dates.csv: 12 contacts; rows 4, 7, 11 have no Create Date, Record ID 102 is on
rows 3 and 9, so 3 + 2 = 5 rows are left out and 12 − 5 = 7 leads imported (tests/bad_input/test_leave_out_rows.py
works the figures). AppTest cannot upload, so the batch is put into session state as an upload would."""

from __future__ import annotations

from pathlib import Path

import pytest

from sla_review.ingest import data_flow as flow
from sla_review.present.data_page_text import text
from sla_review.store.db import connect
from tests.conftest import FIXTURES

from .test_data_page_no_silent_change import loaded_db, page

FILE = FIXTURES / "bad" / "hubspot_missing_dates.csv"


def imports(db: Path) -> list[tuple]:
    con = connect(db)  # the app's cached connection in this process holds the file read-write
    try:
        return con.execute("SELECT leads, left_out_rows FROM imports ORDER BY import_id").fetchall()
    finally:
        con.close()


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_the_import_goes_on_without_the_named_rows_only_when_ticked(monkeypatch, tmp_path, lang):
    db = loaded_db(tmp_path / "leave.duckdb")
    at = page(monkeypatch, db, flow.receive_paths([FILE]), lang)
    assert any(e.value == text(lang, "problems", n="5") for e in at.error)
    problems = next(d.value for d in at.dataframe if "message" in d.value.columns)
    assert sorted(problems["row"]) == [3, 4, 7, 9, 11]
    assert set(problems["column"]) == {"Create Date", "Record ID"}  # the user's headers, not created_at/lead_id
    assert at.button(key="dp_import").disabled
    box = at.checkbox(key="dp_leave_out")
    assert box.label == text(lang, "leave_out", n="5") and not box.value
    assert imports(db) == [(6, 0)], "nothing changed before the box is ticked"

    box.check().run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.checkbox(key="dp_leave_out").value  # still offered, with the same label, ticked
    assert any(w.value == text(lang, "left_out_note", n="5") for w in at.warning)
    left = next(d.value for d in at.dataframe if "reason" in d.value.columns)
    assert list(left["row"]) == [3, 4, 7, 9, 11] and list(left["column"])[:2] == ["Record ID", "Create Date"]
    button = at.button(key="dp_import")
    assert not button.disabled and button.label == text(lang, "import_button", n="7")
    button.click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert imports(db) == [(6, 0), (7, 5)]
    assert any(i.value == text(lang, "imported_left_out", n="5") for i in at.info)
    assert any(c.value == text(lang, "last_left_out", n="5") for c in at.caption)
