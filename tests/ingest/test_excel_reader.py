"""Issue 10: workbooks through fastexcel (calamine), the old .xls too, with every cell as the text a person sees.

The values expected are the cells as written by the test (or by tests/fixtures/xls/make_xls.py for the .xls),
rendered as Excel shows them: dates ISO (a midnight alone as the date), whole numbers without ".0", TRUE/FALSE.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from sla_review.ingest import data_flow as flow
from sla_review.ingest.readers import FILE_COL, ROW_COL, SourceError, read_table
from tests.conftest import FIXTURES

XLS = FIXTURES / "xls" / "leads_legacy.xls"


def cells(frame) -> list[tuple]:
    return frame.drop(FILE_COL).rows()


def test_a_legacy_xls_is_read() -> None:
    frame = read_table(XLS)
    assert [c for c in frame.columns if c not in (ROW_COL, FILE_COL)] == ["リードID", "作成日", "スコア", "担当者",
                                                                          "商談化", "メモ"]
    assert cells(frame) == [
        ("J001", "2024-04-01T10:00:00", "80", "佐藤", "TRUE", "=not a formula", 2),
        ("J002", "2024-04-02", "72.5", "田中", "FALSE", None, 3),
        ("J003", "2024-04-03T09:15:00", None, "鈴木", None, "007", 4),  # text "007" keeps its zeros
    ]
    assert cells(read_table(XLS, sheet="メモ")) == [("x", 2)]
    assert cells(read_table(XLS, sheet=1)) == [("x", 2)]
    with pytest.raises(SourceError, match='has no sheet named "Nope"; its sheets are: リード, メモ'):
        read_table(XLS, sheet="Nope")


def test_the_data_page_takes_an_xls(tmp_path: Path) -> None:
    batch = flow.receive([("古いリード.xls", XLS.read_bytes())])
    assert [(f.name, f.kind, f.rows, f.columns) for f in batch.files] == [("古いリード.xls", "data", 3, 6)]


def test_a_broken_xls_still_says_how_to_resave_it(tmp_path: Path) -> None:
    path = tmp_path / "old.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    with pytest.raises(SourceError, match=r"old-style Excel file \(\.xls\) that could not be read.*save it as"):
        read_table(path)
    renamed = tmp_path / "leads.csv"  # an old workbook under a .csv name is not read as text
    renamed.write_bytes(XLS.read_bytes())
    with pytest.raises(SourceError, match=r"old-style Excel file"):
        read_table(renamed)


def test_cell_kinds_become_the_text_a_person_sees(tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["id", "at", "time", "wait", "n", "big", "mixed"])
    sheet.append(["a", dt.datetime(2024, 4, 1, 10, 30, 15), dt.time(9, 30), dt.timedelta(days=1, hours=2, minutes=3),
                  5, 1e20, "text"])
    sheet.append(["b", dt.datetime(2024, 4, 2, 0, 0), dt.time(0, 0, 1), dt.timedelta(hours=5), 0.1, -0.0,
                  dt.datetime(2024, 1, 1, 5, 0)])
    sheet.append(["c", dt.datetime(2024, 4, 3, 8, 0, 0, 250000), None, dt.timedelta(days=3), 12.5, 1234567890123456.0,
                  7])
    path = tmp_path / "kinds.xlsx"
    book.save(path)
    assert cells(read_table(path)) == [
        ("a", "2024-04-01T10:30:15", "09:30:00", "1 day, 2:03:00", "5", "1e+20", "text", 2),
        ("b", "2024-04-02", "00:00:01", "5:00:00", "0.1", "0", "2024-01-01 05:00:00", 3),
        ("c", "2024-04-03T08:00:00.250000", None, "3 days, 0:00:00", "12.5", "1234567890123456.0", "7", 4),
    ]  # a column mixing kinds comes as calamine writes each cell (a date with a space; the mapping reads both)


def test_rows_and_column_letters_are_the_sheets(tmp_path: Path) -> None:
    """A table that starts at C3 (two empty rows, two empty columns) with an unnamed column E that holds values:
    rows are the sheet's (the first lead is row 4) and the unnamed column is named by its letter, E."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet["C3"], sheet["D3"], sheet["F3"] = "lead_id", "created_at", "owner"
    sheet["C4"], sheet["D4"], sheet["E4"], sheet["F4"] = "L1", dt.datetime(2024, 4, 1), "note", "Sato"
    sheet["C6"], sheet["D6"], sheet["F6"] = "L2", dt.datetime(2024, 4, 2, 9, 0), "Tanaka"
    path = tmp_path / "offset.xlsx"
    book.save(path)
    frame = read_table(path)
    assert [c for c in frame.columns if c not in (ROW_COL, FILE_COL)] == ["lead_id", "created_at", "Column E", "owner"]
    assert cells(frame) == [("L1", "2024-04-01", "note", "Sato", 4), ("L2", "2024-04-02T09:00:00", None, "Tanaka", 6)]


def test_an_empty_sheet_is_named(tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "Leads"
    path = tmp_path / "empty.xlsx"
    book.save(path)
    with pytest.raises(SourceError, match=r'^empty\.xlsx: the sheet "Leads" is empty'):
        read_table(path)
