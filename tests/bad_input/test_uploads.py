"""The bad-input corpus, uploads part: hostile and careless files are refused before they are read, with the
same words through the CLI (sla_review.cli.main) and the Data page's logic (sla_review.ingest.data_flow), in
English and Japanese, and the database file is byte-identical afterwards.

The files are generated at test time (sla_review.devtools.hostile_files): a header of 10^6 columns (7.9 MB),
an xlsx zip bomb (2.6 MB expanding to 2.7 GB), a huge shared-strings table, a sheet claiming 16,384 columns,
a 50 MB cell, and the CSV parser errors (an open quote, ragged rows, bytes that are no text encoding, a NUL).
The numbers in the expected messages are the files' own (10^6 columns by construction) against the limits
documented in sla_review/ingest/limits.py. Memory and time are measured by `python -m sla_review bench
--hostile` (BENCHMARKS.md), never asserted here.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from sla_review.cli import main as cli_main
from sla_review.devtools import hostile_files as hostile
from sla_review.ingest import data_flow as flow
from sla_review.ingest.readers import ReadCancelled, SourceError, read_table
from tests.conftest import ROOT, WORKED

HUBSPOT = ROOT / "data" / "mappings" / "hubspot.toml"


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def loaded_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database holding the worked example, imported through the CLI once per module."""
    db = tmp_path_factory.mktemp("db") / "sla.duckdb"
    assert cli_main(["import", "--db", str(db), str(WORKED)]) == 0
    return db


@pytest.fixture
def db(loaded_db: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "sla.duckdb"
    shutil.copyfile(loaded_db, copy)
    return copy


def canonical_folder(tmp_path: Path, leads: Path) -> Path:
    """The worked example's folder with its leads.csv replaced by ``leads``."""
    folder = tmp_path / "folder"
    shutil.copytree(WORKED, folder)
    shutil.copyfile(leads, folder / "leads.csv")
    return folder


def cli_refuses(db: Path, argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    """Run the CLI; it must exit 2 and leave the database byte-identical. Returns what it printed."""
    before = sha(db)
    capsys.readouterr()
    assert cli_main(["import", "--db", str(db), *argv]) == 2
    assert sha(db) == before
    return capsys.readouterr().err


def page_refuses(db: Path, path: Path) -> flow.FileInfo:
    """The Data page's logic on the uploaded bytes: the file is unreadable, nothing is importable, and the app's
    database (open, as in the app) is byte-identical."""
    before = sha(db)
    batch = flow.receive([(path.name, path.read_bytes())])
    assert [f.kind for f in batch.files] == ["unreadable"] and not batch.frames
    assert sha(db) == before
    (info,) = batch.unreadable
    assert info.problem is not None and info.problem.texts
    return info


def assert_words(info: flow.FileInfo, cli_err: str | None, en: list[str], ja: list[str]) -> None:
    """The English sentence names file and limit and is what the CLI printed; the Japanese one says the same."""
    sentence_en, sentence_ja = info.text("en"), info.text("ja")
    for words in en:
        assert words in sentence_en
    for words in ja:
        assert words in sentence_ja
    assert sentence_ja != sentence_en
    if cli_err is not None:
        assert f"- {sentence_en}" in cli_err.splitlines()
        assert "CSV Error on Line" not in cli_err


# --------------------------------------------------------------------------------------------------
# Limits

def test_a_million_column_header_is_refused_before_it_is_read(tmp_path, db, capsys):
    wide = hostile.wide_header_csv(tmp_path)
    assert 7_800_000 < wide.stat().st_size < 8_000_000  # the 7.9 MB file
    en = ["leads.csv, row 1: the header row has 1,000,000 columns; the limit is 2,000 (998,000 too many)"]
    ja = ["leads.csv、1行目：見出し行に1,000,000列あります。上限は2,000列です（998,000列超過）"]
    err = cli_refuses(db, [str(canonical_folder(tmp_path, wide))], capsys)
    assert_words(page_refuses(db, wide), err, en, ja)
    # the mapped CLI path (CRM exports) reads through the same reader: the same sentence
    assert f"- {en[0]}" in cli_refuses(db, ["--mapping", str(HUBSPOT), str(wide)], capsys)


@pytest.mark.slow
def test_an_xlsx_zip_bomb_is_refused_from_its_zip_directory(tmp_path, db, capsys):
    bomb = hostile.xlsx_bomb(tmp_path)
    assert 2_000_000 < bomb.stat().st_size < 3_000_000  # 2.6 MB on disk, 2.7 GB once expanded
    # 2,700,000,000 bytes of sheet (rounded up to whole 8 MB cells) + the small parts = 2.5 GB, over 1 GB
    en = ["leads.xlsx: the file expands to 2.5 GB", "more than the 1.0 GB limit"]
    ja = ["leads.xlsx：開くと2.5 GBに展開され、上限の1.0 GBを"]
    err = cli_refuses(db, ["--mapping", str(HUBSPOT), str(bomb)], capsys)
    assert_words(page_refuses(db, bomb), err, en, ja)


def test_a_workbook_that_expands_a_thousand_times_is_refused_as_a_possible_zip_bomb(tmp_path, db, capsys):
    bomb = hostile.xlsx_bomb(tmp_path, expanded_bytes=120_000_000)  # 120 MB of sheet from about 0.1 MB
    en = ["leads.xlsx: the file expands", "times when opened", "at most about 100 times", "zip bomb"]
    ja = ["leads.xlsx：開くと", "倍に展開されます", "最大でも約100倍", "zip爆弾"]
    info = page_refuses(db, bomb)
    ratio = int(info.text("en").split("expands ")[1].split(" times")[0].replace(",", ""))
    assert ratio > 500  # DEFLATE packs runs of one letter about 1,000 times
    assert_words(info, cli_refuses(db, ["--mapping", str(HUBSPOT), str(bomb)], capsys), en, ja)


def test_a_huge_shared_strings_table_is_refused_by_its_count(tmp_path, db, capsys):
    book = hostile.xlsx_shared_strings(tmp_path, count=2_500_000)
    en = ["leads.xlsx: the workbook holds 2,500,000 distinct texts; the limit is 2,000,000 (500,000 over)"]
    ja = ["leads.xlsx：異なる文字列が2,500,000個あります。上限は2,000,000個です（500,000個超過）"]
    assert_words(page_refuses(db, book), cli_refuses(db, ["--mapping", str(HUBSPOT), str(book)], capsys), en, ja)


def test_a_sheet_claiming_the_whole_grid_is_refused_by_its_dimension(tmp_path, db, capsys):
    book = hostile.xlsx_wide_dimension(tmp_path)
    en = ["leads.xlsx, row 1: the header row has 16,384 columns; the limit is 2,000 (14,384 too many)"]
    ja = ["leads.xlsx、1行目：見出し行に16,384列あります"]
    assert_words(page_refuses(db, book), cli_refuses(db, ["--mapping", str(HUBSPOT), str(book)], capsys), en, ja)


def test_a_large_sheet_that_does_not_state_its_size_is_refused(tmp_path, db, capsys):
    """Without a <dimension>, openpyxl parses the whole sheet once, uninterruptibly, just to size it (84 s for a
    165 MB sheet under load): over 10 MB such a sheet is refused before openpyxl is called."""
    book = hostile.xlsx_unsized(tmp_path)  # 150,000 rows, 18.2 MB of sheet XML
    en = ['leads.xlsx: the sheet "Leads" does not say how large it is, and at 18.2 MB it is over the 10.0 MB']
    ja = ["leads.xlsx：シート「Leads」は自身の大きさを記録しておらず、18.2 MBあるため", "上限10.0 MBを超えています"]
    assert_words(page_refuses(db, book), cli_refuses(db, ["--mapping", str(HUBSPOT), str(book)], capsys), en, ja)


@pytest.mark.slow
def test_a_50_mb_cell_is_refused_naming_row_and_column(tmp_path, db, capsys):
    big = hostile.long_cell_csv(tmp_path)
    en = ['leads.csv, row 3, column "notes": "AAAA', "this cell holds 52,428,800 characters; the limit is 131,072 "
          "(52,297,728 over)"]
    ja = ["leads.csv、3行目、列「notes」",
          "このセルは52,428,800文字あります。上限は131,072文字です（52,297,728文字超過）"]
    assert_words(page_refuses(db, big), cli_refuses(db, ["--mapping", str(HUBSPOT), str(big)], capsys), en, ja)


# --------------------------------------------------------------------------------------------------
# CSV parser errors: what DuckDB said as "CSV Error on Line: N", or read silently, now named in the file's terms

def _worked_leads(tmp_path: Path, line3: bytes) -> Path:
    """The worked example's leads.csv with its line 3 (the second lead, row 3 in a spreadsheet) replaced."""
    lines = (WORKED / "leads.csv").read_bytes().split(b"\n")
    lines[2] = line3
    path = tmp_path / "leads.csv"
    path.write_bytes(b"\n".join(lines))
    return path


PARSER_CASES: dict[str, tuple[bytes, list[str], list[str]]] = {
    # an open quote: polars fails, DuckDB read '"2026-05-01...' as a value before
    "open_quote": (b'L2,"2026-05-01T16:00:00+09:00,organic,,it-manager,B,kansai,70,60,r2',
                   # the value as shown: its first 60 characters, then "…"
                   ['leads.csv, row 3, column "created_at": "2026-05-01T16:00:00+09:00,organic,,it-manager,B,kansai,'
                    '70,60…" a quote mark (") opens in this value and never closes'],
                   ["leads.csv、3行目、列「created_at」", "引用符（\"）が開いたまま閉じていない"]),
    # more values than names: DuckDB's sniffer read the whole file as one column before
    "ragged": (b"L2,2026-05-01T16:00:00+09:00,organic,,it-manager,B,kansai,70,60,r2,extra,more",
               ["leads.csv, row 3: this row has 12 values but the header names 10 columns"],
               ["leads.csv、3行目：この行には値が12個ありますが、見出し行の列名は10個です"]),
    # a Latin-1 byte in a UTF-8 file (no Shift_JIS reading either): DuckDB said "CSV Error on Line: 3"
    "bad_encoding": (b"L2,2026-05-01T16:00:00+09:00,organic,Caf\xe9,it-manager,B,kansai,70,60,r2",
                     ['leads.csv, row 3, column "campaign": "Caf\ufffd" this value has bytes',
                      "not text in UTF-8 or Shift_JIS"],
                     ["leads.csv、3行目、列「campaign」：値「Caf\ufffd」", "UTF-8でもShift_JISでも文字として読めない"]),
    # a NUL byte inside a value: stored silently before
    "nul_byte": (b"L2,2026-05-01T16:00:00+09:00,organic,spr\x00ing,it-manager,B,kansai,70,60,r2",
                 ['leads.csv, row 3, column "campaign": "spr\u2400ing" this value contains a NUL character'],
                 ["leads.csv、3行目、列「campaign」：値「spr\u2400ing」", "NUL文字"]),
}


@pytest.mark.parametrize("case", sorted(PARSER_CASES))
def test_csv_parser_errors_name_file_row_column_and_value(case, tmp_path, db, capsys):
    line, en, ja = PARSER_CASES[case]
    leads = _worked_leads(tmp_path, line)
    err = cli_refuses(db, [str(canonical_folder(tmp_path, leads))], capsys)
    assert_words(page_refuses(db, leads), err, en, ja)


def test_the_cli_and_the_page_agree_on_a_short_row(tmp_path, db, capsys):
    """A row with fewer values than names (trailing values left out) is read by both: the missing values are
    empty. DuckDB alone refused it with a sniffing error; the CLI now reads it the Data page's way."""
    leads = _worked_leads(tmp_path, b"L2,2026-05-01T16:00:00+09:00,organic")
    batch = flow.receive([(leads.name, leads.read_bytes())])
    assert batch.files[0].kind == "data" and batch.files[0].rows == 6
    frame = batch.frames["leads.csv"]
    assert frame.filter(frame["lead_id"] == "L2")["owner_id"].to_list() == [None]
    capsys.readouterr()
    # the CLI reads it too; the import then stops only where the contract does (L2 has no owner, which the
    # worked example's activities need), never at the parser
    cli_main(["import", "--db", str(db), str(canonical_folder(tmp_path, leads))])
    assert "could not be read as CSV" not in capsys.readouterr().err


# --------------------------------------------------------------------------------------------------
# The read budget and the session: checked between chunks of rows

def _rows_xlsx(tmp_path: Path, rows: int) -> Path:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Leads")
    ws.append(["lead_id", "created_at"])
    for i in range(rows):
        ws.append([f"L{i}", "2026-04-01"])
    path = tmp_path / "many.xlsx"
    wb.save(path)
    return path


def test_reading_stops_when_the_session_is_gone(tmp_path):
    path = _rows_xlsx(tmp_path, 10_000)
    asked: list[int] = []

    def gone_after_first_chunk() -> bool:
        asked.append(1)
        return len(asked) > 1

    with pytest.raises(ReadCancelled) as err:
        read_table(path, should_stop=gone_after_first_chunk)
    assert len(asked) == 2  # asked after the first chunk of 2,000 rows, stopped at the second
    assert err.value.text("en") == "many.xlsx: reading stopped: the browser tab that uploaded it was closed."
    assert err.value.text("ja") == "many.xlsx：アップロードしたブラウザのタブが閉じられたため、読み込みを止めました。"
    # the Data page's logic reads nothing more of the batch
    with pytest.raises(ReadCancelled):
        flow.receive_paths([path, WORKED / "leads.csv"], should_stop=lambda: True)


def test_reading_stops_when_the_budget_is_spent(tmp_path):
    path = _rows_xlsx(tmp_path, 5_000)
    with pytest.raises(SourceError) as err:
        read_table(path, budget_seconds=-1)  # spent before the first chunk: stops after 2,000 rows
    assert err.value.text("en").startswith("many.xlsx, row 2,000: reading stopped after -1 s, the limit for one file")
    assert err.value.problem is not None and err.value.problem.row == 2000


def test_files_within_the_limits_still_read(tmp_path):
    """The limits refuse nothing ordinary: the worked example and a 2,000-column header read."""
    assert read_table(WORKED / "leads.csv").height == 6  # L1 to L6
    wide = hostile.wide_header_csv(tmp_path, columns=2_000, name="wide.csv")
    assert read_table(wide).width == 2_000 + 2  # every named column, __row and __file
