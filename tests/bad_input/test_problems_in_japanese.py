"""Every problem the import can raise on the bad-input corpus speaks Japanese too (issue 16).

Data-driven: the cases of test_cli_and_page_agree (through the CLI's importer and the Data page's logic), every
file of tests/fixtures/bad under every built-in mapping (the page's flow), and the settings files below. A case
added to any of them is covered here without a line of this file changing. For each problem: a Japanese text that
is not the English one, and a Japanese sentence naming the same file, row, column and value as the English.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from sla_review.core.problems import Problem
from sla_review.core.terms import ConfigError
from sla_review.ingest import data_flow as flow
from sla_review.ingest.importer import ImportFailed, import_dir
from sla_review.ingest.mapping import Mapping, MappingError, canonical_mapping
from sla_review.present import formats
from sla_review.store.db import connect
from tests.bad_input.test_cli_and_page_agree import CASES, Case
from tests.conftest import FIXTURES, WORKED
from tests.ingest.test_mapping import BAD_MAPPINGS

BAD = sorted((FIXTURES / "bad").iterdir())

#: Settings files the Data page refuses before any mapping runs (data_flow's FileInfo notes).
SETTINGS = {
    "binary.toml": b"\xff\xfe name = 1",
    "broken.toml": b"name = \n",
    "neither.toml": b'title = "x"\n',
    "bad_mapping.toml": b'[leads]\nlead_id = "Id"\n',
    "typo_mapping.toml": b'name = "x"\nnmae = "y"\n[leads]\nlead_id = "Id"\ncreated_at = "Created"\n',
    "bad_stage_mapping.toml": b'name = "x"\n[leads]\nlead_id = "Id"\ncreated_at = "Created"\n'
                              b'created_stage = "accepted"\n',
}


def _config_passes_through(problem: Problem) -> bool:
    """core.terms' sla.toml messages are another module's words, passed through as they are: until ConfigError
    speaks Japanese itself (text(lang)), such a problem is the English one unchanged, with no texts. Every other
    problem is worded by the catalogue and carries every language."""
    return not problem.texts and problem.file.endswith(".toml") and not callable(getattr(ConfigError, "text", None))


def _japanese(text: str) -> bool:
    """Has kana or kanji: a translation, not the English copied."""
    return any("\u3040" <= ch <= "\u30ff" or "\u4e00" <= ch <= "\u9fff" for ch in text)


def check_japanese(problems: list[Problem]) -> None:
    assert problems
    for p in problems:
        if _config_passes_through(p):
            assert not p.speaks("ja") and p.text("ja") == p.message
            continue
        assert p.speaks("ja"), p
        ja = p.text("ja")
        assert ja and ja != p.message, p
        assert _japanese(ja), ja
        said = p.sentence("ja")
        assert said.startswith(p.file), said
        if p.row is not None:
            assert f"{formats.integer(p.row)}行目" in said, said
        if p.column:
            assert f"列「{p.column}」" in said, said
        if p.value is not None:
            assert f"値「{str(p.value)[:60]}" in said, said


def page_problems(paths: list[Path], mapping=None, con=None) -> list[Problem]:
    batch = flow.receive_paths(paths)
    chosen = mapping or batch.detected or canonical_mapping()
    result = flow.preview(batch.frames, chosen, sla=batch.sla_texts.get("sla.toml"), mode="replace", con=con,
                          rejected=batch.problems)
    return result.problems + result.warnings


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_each_corpus_case_is_refused_in_japanese_by_the_cli_and_the_page(case: Case, tmp_path: Path, worked_db):
    folder = tmp_path / "files"
    shutil.copytree(WORKED, folder)
    (folder / "expected_report.json").unlink()
    case.change(folder)
    con = connect(worked_db)
    try:
        with pytest.raises(ImportFailed) as refused:
            import_dir(con, folder)
        check_japanese(refused.value.problems)
        check_japanese(page_problems(sorted(folder.iterdir()), con=con))
    finally:
        con.close()


@pytest.mark.parametrize("key", sorted(flow.builtin_mappings()))
@pytest.mark.parametrize("path", BAD, ids=[p.name for p in BAD])
def test_each_bad_file_under_each_mapping_speaks_japanese(path: Path, key: str):
    problems = page_problems([path], flow.builtin_mappings()[key])
    if problems:  # some files are fine for some mappings (formula_values.csv is stored as text)
        check_japanese(problems)


@pytest.mark.parametrize("name", sorted(SETTINGS))
def test_refused_settings_files_speak_japanese(name: str, tmp_path: Path):
    path = tmp_path / name
    path.write_bytes(SETTINGS[name])
    batch = flow.receive_paths([path])
    [info] = batch.unreadable
    check_japanese(batch.problems)
    assert info.text("ja").startswith(f"{name}：") and info.text("ja") != info.message
    assert info.message.startswith(f"{name} is ")  # the English note as the page always showed it
    if "mapping" in name:  # the mapping parser's own words come through in Japanese too
        parser_said = info.text("ja").split("マッピングとして使えません：", 1)[1]
        assert parser_said.startswith(name) and _japanese(parser_said.removeprefix(name)), parser_said


def test_too_large_settings_file_speaks_japanese(tmp_path: Path):
    path = tmp_path / "big.toml"
    path.write_text('name = "x"\n' * 10, encoding="utf-8")
    batch = flow.receive_paths([path], max_bytes=20)
    assert batch.files[0].message == "big.toml is too large for a settings file."
    assert batch.files[0].text("ja") == "big.toml：設定ファイルとしては大きすぎます。"


def test_the_refusal_of_no_leads_names_the_checkbox_of_its_language():
    from sla_review.ingest.importer import no_leads
    from sla_review.present import catalogue

    problem = no_leads("leads.csv")
    assert "「リードなしで全データを置き換える」" in problem.text("ja")  # the ja checkbox, by its ja label
    assert catalogue.t("data_page.replace_empty", "ja") == "リードなしで全データを置き換える"
    assert '"Replace everything with no leads"' in problem.text("en") == problem.message
    assert catalogue.t("data_page.replace_empty", "en") == "Replace everything with no leads"
    assert "Replace everything" not in problem.text("ja")
    assert "(" not in catalogue.t("data_page.replace_empty", "ja") and "（" not in catalogue.t(
        "data_page.replace_empty", "ja")


def test_the_summary_speaks_the_language_asked_and_the_cli_english_is_unchanged():
    from sla_review.core.problems import summarize

    problems = [Problem.worded("import.not_a_number", "leads.csv", 3, "fit_score", "high")]
    assert summarize(problems, 2) == ("The import was refused (2 problems); nothing was changed.\n"
                                      '- leads.csv, row 3, column "fit_score": "high" is not a number\n'
                                      "… and 1 more.")
    assert summarize(problems, 1, "ja") == ("取り込みを中止しました（問題 1 件）。データは何も変更されていません。\n"
                                            "- leads.csv、3行目、列「fit_score」：値「high」：数値ではありません。")


@pytest.mark.parametrize("text", [t for t, _ in BAD_MAPPINGS])
def test_each_malformed_mapping_is_refused_in_japanese(text: str):
    with pytest.raises(MappingError) as refused:
        Mapping.from_toml(text)
    ja = refused.value.text("ja")
    assert ja != str(refused.value) and _japanese(ja)
    english = str(refused.value)
    if english.startswith("mapping: "):  # the same place (the file or the TOML key) ...
        assert ja.startswith("mapping"), ja
    for quoted in re.findall(r'"[^"]*"', english.removeprefix("mapping: ")):  # ... and the same values
        assert quoted in ja or quoted == '"source column"', (quoted, ja)
