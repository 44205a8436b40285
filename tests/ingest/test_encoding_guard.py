"""Issue 10: a Western (Windows-1252 / Latin-1) file that happens to decode as Shift_JIS is refused, naming the file,
row, column and the value as it would read, never stored as 「Ren馥」; real Shift_JIS files still read. Real bytes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from sla_review.ingest import data_flow as flow
from sla_review.ingest.readers import SourceError, read_table
from tests.conftest import FIXTURES, WORKED
from tests.ingest.test_byod import cli

# "Renée" in Latin-1 is 52 65 6E E9 65; CP932 reads E9 65 as the kanji 馥 (U+99A5).
RENEE = b"lead_id,created_at,name\r\nL1,2026-04-01,Ren\xe9e\r\nL2,2026-04-02,Bob\r\n"


def refusal(tmp_path: Path, data: bytes, name: str = "contacts.csv") -> SourceError:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(SourceError) as refused:
        read_table(path)
    return refused.value


def test_the_bytes_really_read_as_shift_jis() -> None:
    """The premise: without the guard CP932 accepts these bytes (UTF-8 does not)."""
    assert b"Ren\xe9e".decode("cp932") == "Ren馥"
    with pytest.raises(UnicodeDecodeError):
        b"Ren\xe9e".decode("utf-8")


def test_renee_is_refused_naming_file_row_column_and_value(tmp_path: Path) -> None:
    err = refusal(tmp_path, RENEE)
    p = err.problem
    assert (p.file, p.row, p.column, p.value) == ("contacts.csv", 2, "name", "Ren馥")
    assert str(err).startswith('contacts.csv, row 2, column "name": "Ren馥" this value reads as Shift_JIS')
    assert 'where this value is "Renée"' in str(err) and '"CSV UTF-8"' in str(err)
    ja = err.text("ja")
    assert ja.startswith("contacts.csv、2行目、列「name」：値「Ren馥」")
    assert "「Renée」" in ja and "仮名が一つもなく" in ja


@pytest.mark.parametrize(("line", "as_read", "western"), [
    (b"Garc\xeda", "Garc僘", "García"),   # í + a: a kanji of the NEC extension
    (b"M\xdcLLER", "MﾜLLER", "MÜLLER"),   # Ü alone: a half-width katakana
    (b"Fran\xe7ois", "Fran輟is", "François"),  # ç + o: a rare kanji
    (b"Nu\xf1ez", "Nu\ue0e1z", "Nuñez"),      # ñ + e: a private-use character
])
def test_other_western_names(tmp_path: Path, line: bytes, as_read: str, western: str) -> None:
    assert line.decode("cp932") == as_read and line.decode("cp1252") == western  # worked out byte by byte
    err = refusal(tmp_path, b"lead_id,name\nL1," + line + b"\n")
    assert (err.problem.row, err.problem.column, err.problem.value) == (2, "name", as_read)
    assert f'"{western}"' in str(err)


@pytest.mark.parametrize(("text", "rows"), [
    # kana: Japanese beyond doubt
    ("リードID,会社名\nJ1,株式会社サンプル\n", [("J1", "株式会社サンプル")]),
    # kanji only, no kana: runs of two-byte characters, not Western accents
    ("氏名,会社名\n佐藤,株式会社\n田中,日本商事\n", [("佐藤", "株式会社"), ("田中", "日本商事")]),
    # a legacy system's half-width katakana only
    ("ID,ｼﾒｲ\n1,ﾔﾏﾀﾞ ﾀﾛｳ\n2,ｽｽﾞｷ ﾊﾅｺ\n", [("1", "ﾔﾏﾀﾞ ﾀﾛｳ"), ("2", "ｽｽﾞｷ ﾊﾅｺ")]),
])
def test_real_shift_jis_still_reads(tmp_path: Path, text: str, rows: list) -> None:
    path = tmp_path / "sjis.csv"
    path.write_bytes(text.encode("cp932"))
    frame = read_table(path)
    assert frame.select(frame.columns[:2]).rows() == rows


def test_the_japanese_fixtures_still_read() -> None:
    assert read_table(FIXTURES / "bad" / "shift_jis_japanese.csv").height == 4
    assert read_table(FIXTURES / "ja" / "salesforce_leads_ja.sjis.csv").height == 7  # 4 leads + the footer


def test_the_data_page_shows_the_refusal_in_its_language(tmp_path: Path) -> None:
    batch = flow.receive([("contacts.csv", RENEE)])
    info = batch.files[0]
    assert info.kind == "unreadable" and batch.frames == {}
    assert info.problem.value == "Ren馥" and "「Renée」" in info.problem.sentence("ja")


def test_the_cli_refuses_it_in_a_canonical_folder_too(tmp_path: Path) -> None:
    folder = tmp_path / "files"
    shutil.copytree(WORKED, folder)
    lines = (folder / "leads.csv").read_bytes().split(b"\n")
    cells = lines[2].split(b",")
    cells[3] = b"Ren\xe9e"  # the campaign of the second lead
    lines[2] = b",".join(cells)
    (folder / "leads.csv").write_bytes(b"\n".join(lines))
    run = cli("import", "--db", str(tmp_path / "x.duckdb"), str(folder))
    assert run.returncode == 2
    assert 'leads.csv, row 3, column "campaign": "Ren馥" this value reads as Shift_JIS' in run.stderr
