"""sla_review.ingest.readers: reading real-world files robustly, all as strings, with spreadsheet row numbers."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from sla_review.ingest.readers import DEFAULT_MAX_BYTES, FILE_COL, ROW_COL, SourceError, read_table, read_tables
from tests.conftest import FIXTURES
from tests.conftest import OLIST_DIR as OLIST
from tests.conftest import XED_DIR as XED

BAD = FIXTURES / "bad"


def csv_rows(path: Path, encoding: str = "utf-8") -> list[list[str]]:
    """Independent count: the standard library's csv module."""
    with path.open(newline="", encoding=encoding) as fh:
        return list(csv.reader(fh))


def data_columns(frame: pl.DataFrame) -> list[str]:
    return [c for c in frame.columns if c not in (ROW_COL, FILE_COL)]


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


# -- the real data sets --------------------------------------------------------------------------


@pytest.mark.datasets
def test_x_education_clean_and_raw_trailing_comma_read_the_same() -> None:
    clean, raw = read_table(XED / "Leads.csv"), read_table(XED / "Leads.raw_trailing_comma.csv")
    rows = csv_rows(XED / "Leads.csv")
    assert clean.height == len(rows) - 1 == 9240
    assert data_columns(clean) == rows[0]  # the raw file's empty 38th column is gone
    assert len(data_columns(clean)) == 37
    assert clean.drop(FILE_COL).equals(raw.drop(FILE_COL))
    assert raw[FILE_COL].unique().to_list() == ["Leads.raw_trailing_comma.csv"]
    assert all(dtype == pl.Utf8 for name, dtype in clean.schema.items() if name != ROW_COL)
    # Values as written: no number parsing (TotalVisits stays "0", scores "15"), row 2 is the first lead.
    first = clean.row(0, named=True)
    assert first[ROW_COL] == 2 and first["Prospect ID"] == rows[1][0] and first["Lead Number"] == "660737"
    assert clean[ROW_COL].to_list() == list(range(2, 9242))
    raw_bytes = (XED / "Leads.raw_trailing_comma.csv").read_bytes()
    assert b"\r\n" in raw_bytes and raw_bytes.split(b"\r\n")[0].endswith(b",")


@pytest.mark.datasets
def test_olist_files() -> None:
    for name in ("olist_marketing_qualified_leads_dataset.csv",
                 "olist_marketing_qualified_leads_dataset.raw_ddmmyyyy.csv",
                 "olist_closed_deals_dataset.csv"):
        frame = read_table(OLIST / name)
        rows = csv_rows(OLIST / name)
        assert frame.height == len(rows) - 1
        assert data_columns(frame) == rows[0]
        assert frame.select(data_columns(frame)).row(0) == tuple(v or None for v in rows[1])
    raw = read_table(OLIST / "olist_marketing_qualified_leads_dataset.raw_ddmmyyyy.csv")
    assert raw["first_contact_date"][0] == "01-02-2018"  # dates stay text; the mapping reads them


@pytest.mark.datasets
def test_read_tables_keys_by_file_name() -> None:
    frames = read_tables([OLIST / "olist_closed_deals_dataset.csv", XED / "Leads.csv"])
    assert list(frames) == ["olist_closed_deals_dataset.csv", "Leads.csv"]


# -- encodings, delimiters, line endings ---------------------------------------------------------


def test_shift_jis_with_crlf_and_japanese_headers() -> None:
    path = BAD / "shift_jis_japanese.csv"
    assert b"\r\n" in path.read_bytes()
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")
    frame = read_table(path)
    rows = csv_rows(path, encoding="cp932")
    headers = ["リードID", "作成日", "流入元", "ステータス", "ステータス変更日", "担当者", "会社名"]
    assert data_columns(frame) == rows[0] == headers
    assert frame.height == len(rows) - 1 == 4
    assert frame["ステータス"].to_list() == ["新規", "商談化", "失注", "対応中"]
    assert frame["作成日"][2] == "２０２４／０４／０３"  # full-width as written; the mapping normalises


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "cp932", "utf-16"])
def test_encodings(tmp_path: Path, encoding: str) -> None:
    text = "lead_id,会社名\r\nL1,株式会社テスト\r\n"
    frame = read_table(write(tmp_path, "x.csv", text.encode(encoding)))
    assert data_columns(frame) == ["lead_id", "会社名"]  # no BOM left in the first header
    assert frame["会社名"].to_list() == ["株式会社テスト"]


@pytest.mark.parametrize(("name", "text", "sep"), [
    ("x.tsv", "a\tb\tc\n1\t2,5\t3\n", "\t"),
    ("x.csv", "a;b;c\n1;2,5;3\n", ";"),
    ("x.txt", "a|b|c\n1|2,5|3\n", "|"),
    ("x.csv", 'a,b,c\n1,"2,5",3\n', ","),
])
def test_delimiter_sniffing(tmp_path: Path, name: str, text: str, sep: str) -> None:
    frame = read_table(write(tmp_path, name, text.encode()))
    assert data_columns(frame) == ["a", "b", "c"]
    assert frame.row(0)[:3] == ("1", "2,5", "3")


def test_rows_are_counted_like_a_spreadsheet(tmp_path: Path) -> None:
    # A quoted value spanning two lines is one row; a blank line and a ",,," row are rows too, then dropped.
    text = 'id,note\r\nA,"two\r\nlines"\r\n\r\nB,x\r\n,\r\nC,y\r\n'
    frame = read_table(write(tmp_path, "x.csv", text.encode()))
    assert frame["id"].to_list() == ["A", "B", "C"]
    assert frame[ROW_COL].to_list() == [2, 4, 6]
    assert frame["note"][0] == "two\r\nlines"  # kept byte for byte inside the quotes


def test_header_only_file_is_an_empty_table(tmp_path: Path) -> None:
    frame = read_table(write(tmp_path, "activities.csv", b"lead_id,rep_id,occurred_at,channel\n"))
    assert frame.height == 0 and data_columns(frame) == ["lead_id", "rep_id", "occurred_at", "channel"]


def test_duplicate_and_missing_header_names(tmp_path: Path) -> None:
    frame = read_table(write(tmp_path, "x.csv", b"id,name,,name\n1,a,b,c\n"))
    assert data_columns(frame) == ["id", "name", "Column C", "name (2)"]


# -- refusals ------------------------------------------------------------------------------------


def test_empty_file() -> None:
    with pytest.raises(SourceError, match=r"^empty\.csv is empty \(0 bytes\)"):
        read_table(BAD / "empty.csv")


@pytest.mark.parametrize("data", [b"   \r\n\r\n", b"\xef\xbb\xbf", b",,,\n,,\n"])
def test_blank_files(tmp_path: Path, data: bytes) -> None:
    with pytest.raises(SourceError, match=r"^blank\.csv .*(empty|no header)"):
        read_table(write(tmp_path, "blank.csv", data))


def test_binary_file_renamed_csv() -> None:
    assert (BAD / "binary_renamed.csv").read_bytes().startswith(b"\x89PNG")
    with pytest.raises(SourceError, match=r"^binary_renamed\.csv is not a text \(CSV\) file"):
        read_table(BAD / "binary_renamed.csv")


def test_workbook_renamed_csv(tmp_path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["lead_id"])
    wb.save(tmp_path / "book.csv")
    with pytest.raises(SourceError, match=r"book\.csv is not a text file: it looks like an Excel workbook"):
        read_table(tmp_path / "book.csv")


def test_old_excel_format(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match=r"old-style Excel file \(\.xls\)"):
        read_table(write(tmp_path, "old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100))


def test_no_header_row() -> None:
    with pytest.raises(SourceError, match=r'^no_header\.csv seems to have no header row: the first row holds '
                                          r'values such as "dac32acd'):
        read_table(BAD / "no_header.csv")


def test_rows_longer_than_the_header() -> None:
    with pytest.raises(SourceError, match=r"^ragged_rows\.csv, row 3: this row has 4 values but the header names 3 "
                                          r"columns"):
        read_table(BAD / "ragged_rows.csv")


def test_too_big_is_refused_before_reading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    big = tmp_path / "huge.csv"
    with big.open("wb") as fh:  # sparse: 200 MB + 1 byte on paper, nothing on disk
        fh.truncate(DEFAULT_MAX_BYTES + 1)

    def refuse(*_args: object, **_kwargs: object) -> bytes:
        raise AssertionError("the file must not be read")

    monkeypatch.setattr(Path, "read_bytes", refuse)
    with pytest.raises(SourceError, match=r"^huge\.csv: the file is 200\.0 MB, larger than the 200\.0 MB limit"):
        read_table(big)
    monkeypatch.undo()
    small = write(tmp_path, "small.csv", b"a,b\n1,2\n")
    with pytest.raises(SourceError, match=r"^small\.csv: the file is 8 bytes, larger than the 4 bytes limit"):
        read_table(small, max_bytes=4)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="does not exist"):
        read_table(tmp_path / "nope.csv")


# -- formulas stay text ----------------------------------------------------------------------------


def test_formula_like_values_in_csv_are_plain_text() -> None:
    frame = read_table(BAD / "formula_values.csv")
    first = frame.row(0, named=True)
    assert first["company"] == '=HYPERLINK("http://example.com","click")'
    assert first["source"] == "+81-3-1234-5678"
    assert first["campaign"] == "-5"
    assert first["persona"] == "@SUM(A1:A9)"
    assert frame["company"][1] == "=1+1"


def test_xlsx(tmp_path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Export"
    ws.append(["lead_id", "created_at", "score", "flag", "formula", "text", None])
    ws.append(["L1", dt.datetime(2024, 4, 1, 10, 30), 15.0, True, "=1+1", None, None])
    ws.append(["L2", dt.datetime(2024, 4, 2), 12.5, False, None, None, None])
    ws.append([None] * 7)
    ws["F2"] = "=not a formula"
    ws["F2"].data_type = "s"  # text typed by a person, stored as text
    other = wb.create_sheet("Second")
    other.append(["rep_id"])
    other.append(["r1"])
    wb.save(tmp_path / "book.xlsx")

    frame = read_table(tmp_path / "book.xlsx")
    assert data_columns(frame) == ["lead_id", "created_at", "score", "flag", "formula", "text"]
    assert frame.rows() == [
        # A formula never evaluated by Excel has no saved value: it reads as empty, not as "=1+1" and not as 2.
        ("L1", "2024-04-01T10:30:00", "15", "TRUE", None, "=not a formula", 2, "book.xlsx"),
        ("L2", "2024-04-02", "12.5", "FALSE", None, None, 3, "book.xlsx"),
    ]
    assert read_table(tmp_path / "book.xlsx", sheet="Second")["rep_id"].to_list() == ["r1"]
    assert read_table(tmp_path / "book.xlsx", sheet=1)["rep_id"].to_list() == ["r1"]
    with pytest.raises(SourceError, match='has no sheet named "Nope"; its sheets are: Export, Second'):
        read_table(tmp_path / "book.xlsx", sheet="Nope")


@pytest.mark.datasets
def test_xlsx_real_file_with_a_leading_empty_column() -> None:
    frame = read_table(XED / "Leads Data Dictionary.xlsx")
    assert data_columns(frame) == ["Variables", "Description"]  # empty column A dropped
    assert frame["Variables"][0] == "Prospect ID"
    assert frame[ROW_COL][0] > 2  # the header is not on row 1 in this workbook; rows are the sheet's


def test_parquet(tmp_path: Path) -> None:
    pl.DataFrame({
        "lead_id": ["L1", "L2"],
        "created_at": [dt.datetime(2026, 4, 6, 10), dt.datetime(2026, 4, 7, 9, 30, 15)],
        "day": [dt.date(2026, 4, 6), None],
        "fit_score": [80, 70],
    }).write_parquet(tmp_path / "leads.parquet")
    frame = read_table(tmp_path / "leads.parquet")
    assert frame.rows() == [("L1", "2026-04-06T10:00:00", "2026-04-06", "80", 2, "leads.parquet"),
                            ("L2", "2026-04-07T09:30:15", None, "70", 3, "leads.parquet")]
    with pytest.raises(SourceError, match=r"^bad\.parquet could not be read as a Parquet file"):
        read_table(write(tmp_path, "bad.parquet", b"PAR1 not really"))
