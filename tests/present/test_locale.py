"""The catalogue: both languages say everything, with the same blanks, and every key the code asks for exists.

Why: leadership reads the same review in two languages; a message that exists in one language only, a
placeholder one translation forgot, or a key typed wrong in a page shows up as a raw key or a crash in the room.
"""

from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path

import pytest

from sla_review.present import catalogue, data_page_text, deck_text, i18n

ROOT = Path(__file__).resolve().parents[2]
# Empty (or blank) in one language by design: a note that only a translation needs ("messages are in English"),
# and the gap between two sentences (a space in English, nothing in Japanese).
MAY_BE_BLANK = {"data_page.messages_en", "data_page.messages_note", "data_page.sentence_gap"}


def _raw(lang: str) -> dict:
    with open(ROOT / "locales" / f"{lang}.toml", "rb") as f:
        return tomllib.load(f)


def test_both_languages_have_the_same_keys_and_placeholders_and_no_empty_text():
    en, ja = catalogue.messages("en"), catalogue.messages("ja")
    assert set(en) == set(ja), sorted(set(en) ^ set(ja))
    assert len(en) > 600  # the whole catalogue was read: dashboard, Data page, deck, CLI
    for key in en:
        assert catalogue.placeholders(en[key]) == catalogue.placeholders(ja[key]), key
        if key not in MAY_BE_BLANK:
            assert en[key].strip() and ja[key].strip(), key
    for key in MAY_BE_BLANK:  # the exception is narrow: each of these says something in one language
        assert en[key] or ja[key], key


def test_both_files_have_the_same_tables_in_the_same_order():
    """A translator reads the two files side by side: same tables, same key order."""
    assert list(catalogue.messages("en")) == list(catalogue.messages("ja"))
    assert list(_raw("en")) == list(_raw("ja"))


def test_lookup_fills_placeholders_and_refuses_unknown_keys():
    assert catalogue.t("dashboard.segments_active", "en", n=2) == "Segments (2 filtered)"
    assert catalogue.t("dashboard.segments_active", "ja", n=2) == i18n.t("ja", "segments_active", n=2)
    assert catalogue.t("dashboard.status_red", "xx") == "Off target"  # unknown language: English
    with pytest.raises(KeyError):
        catalogue.t("dashboard.no_such_key", "en")


def test_the_old_names_still_answer_from_the_catalogue():
    assert i18n.t("ja", "status_green") == "達成" and i18n.EN["status_green"] == "On target"
    assert data_page_text.text("ja", "c_file") == "ファイル" and data_page_text.TEXT["en"]["c_file"] == "File"
    assert deck_text.text("en", "col_detail") == "Detail"
    assert [term for term, _ in deck_text.DEFINITIONS["en"]][:2] == ["Period", "Funnel (cohort)"]
    assert len(deck_text.DEFINITIONS["en"]) == len(deck_text.DEFINITIONS["ja"]) == 10
    assert i18n.LANG_NAMES == {"en": "English", "ja": "日本語"}


def test_user_text_has_no_code_words():
    """Sales leaders read these: no column names, file names of the contract or statistics jargon."""
    banned = ("reached_at", "DOMAIN.md", "ISO 8601", "delta-method", "デルタ法", "min_attempts",
              "attempt_window")
    for lang in catalogue.LANGS:
        for key, text in catalogue.messages(lang).items():
            assert not any(word in text for word in banned), (lang, key, text)


def test_previous_half_year_does_not_read_as_first_half():
    """前半期 reads as "the first half"; the previous fiscal half is 直前の半期, this one 当半期."""
    assert i18n.t("ja", "preset_last_half").startswith("直前の半期")
    assert i18n.t("ja", "preset_this_half").startswith("当半期")
    assert not any("前半期" in text for text in catalogue.messages("ja").values())


# --- every key the code asks for exists -----------------------------------------------------------------------

SOURCES = [ROOT / "dashboard.py", *sorted((ROOT / "sla_review").rglob("*.py"))]


def _section_of_bare_call(path: Path, name: str, imports: dict[str, str | None]) -> str | None:
    """Which table a bare `t(...)`, `text(...)`, `_m(...)` in this file reads (from what the file imports)."""
    if name == "text":
        tables = {"sla_review.present.deck_text": "deck", "sla_review.present.data_page_text": "data_page"}
        return tables.get(imports.get("text", ""))
    if name == "t":
        return "data_page" if path.name == "data.py" and path.parent.name == "pages" else "dashboard"
    if name in ("_m", "m"):
        return "cli" if path.name in ("cli.py", "report.py") else None
    return None


def _keys_used() -> list[tuple[str, str, str]]:
    """(where, section, key or 'prefix*') for every literal key passed to a catalogue lookup."""
    found: list[tuple[str, str, str]] = []

    def note(where: str, section: str | None, arg: ast.expr) -> None:
        if section is None:
            return
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
            found.append((where, section, arg.value))
        elif isinstance(arg, ast.JoinedStr) and arg.values and isinstance(arg.values[0], ast.Constant):
            found.append((where, section, f"{arg.values[0].value}*"))

    for path in SOURCES:
        if path.name in ("catalogue.py",):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imports = {alias.asname or alias.name: node.module for node in ast.walk(tree)
                   if isinstance(node, ast.ImportFrom) for alias in node.names}
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            where = f"{path.relative_to(ROOT)}:{node.lineno}"
            func = node.func
            if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
                owner, attr = func.value.id, func.attr
                if owner == "catalogue" and attr == "t":
                    arg = node.args[0]
                    if isinstance(arg, ast.Constant):
                        section, _, key = arg.value.partition(".")
                        found.append((where, section, key))
                    elif isinstance(arg, ast.JoinedStr) and isinstance(arg.values[0], ast.Constant):
                        section, _, key = arg.values[0].value.partition(".")
                        found.append((where, section, f"{key}*"))
                elif owner == "i18n" and attr == "t" and len(node.args) > 1:
                    note(where, "dashboard", node.args[1])
                elif owner in ("v", "self", "view") and attr == "t":
                    note(where, "dashboard", node.args[0])
                elif owner in ("deck_text", "data_page_text") and attr == "text" and len(node.args) > 1:
                    note(where, owner.removesuffix("_text"), node.args[1])
                elif owner == "ui" and attr == "show" and len(node.args) > 2:
                    note(where, "dashboard", node.args[2])
            elif isinstance(func, ast.Name):
                section = _section_of_bare_call(path, func.id, imports)
                if func.id == "text" and len(node.args) > 1:
                    note(where, section, node.args[1])
                elif func.id in ("t", "_m", "m"):
                    note(where, section, node.args[0])
    return found


def test_every_key_used_in_the_code_exists():
    used = _keys_used()
    assert len(used) > 400  # the scan found the call sites (pages, ui, charts, export, CLI)
    missing = []
    tables = {section: catalogue.section(section, "en") for section in {s for _, s, _ in used}}
    for where, section, key in used:
        table = tables[section]
        ok = any(k.startswith(key[:-1]) for k in table) if key.endswith("*") else key in table
        if not ok:
            missing.append(f"{where}: {section}.{key}")
    assert not missing, missing


def _problem_keys_used() -> set[str]:
    """The catalogue keys the import's problems are worded by: "import.x"/"reader.x" literals, the readers'
    refuse("x")/said("x") and the mapping's date words _word("x") (import.x)."""
    found: set[str] = set()
    for path in (ROOT / "sla_review").rglob("*.py"):
        code = path.read_text(encoding="utf-8")
        found |= {f"{s}.{k}" for s, k in re.findall(r'"(import|reader)\.([a-z_0-9]+)"', code)}
        found |= {f"reader.{k}" for k in re.findall(r'\.(?:refuse|said)\(\s*"([a-z_0-9]+)"', code)}
        found |= {f"import.{k}" for k in re.findall(r'_word\(\s*"([a-z_0-9]+)"', code)}
    return found


def test_the_import_problems_speak_both_languages_with_the_same_blanks():
    """[import] and [reader] (issue 16): same keys and placeholders in en and ja, a real translation (not the
    English copied), and every key the importer, mapping, Data page and readers word a problem by exists."""
    for section in ("import", "reader"):
        en, ja = catalogue.section(section, "en"), catalogue.section(section, "ja")
        assert list(en) == list(ja), sorted(set(en) ^ set(ja))
        for key in en:
            assert catalogue.placeholders(en[key]) == catalogue.placeholders(ja[key]), (section, key)
            if key not in ("ymd", "where_value", "sentence", "where_sep"):  # a date pattern, punctuation
                assert en[key] != ja[key], (section, key)
    used = _problem_keys_used()
    assert len(used) > 100  # the scan found the importer's, the mapping's, data_flow's and the readers' keys
    missing = sorted(key for key in used if not catalogue.has(key))
    assert not missing, missing
    # each key of [import] is used somewhere (a key no code asks for is a message nobody sees)
    # (the mapping names some date words by variable: ("iso_hint", ...), hint = "hint_excel")
    literals = {lit for path in (ROOT / "sla_review" / "ingest").glob("*.py")
                for lit in re.findall(r'"([a-z_0-9]+)"', path.read_text(encoding="utf-8"))}
    unused = sorted(k for k in catalogue.section("import", "en") if f"import.{k}" not in used and k not in literals)
    assert not unused, unused
