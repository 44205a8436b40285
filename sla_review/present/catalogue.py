"""Every user-facing word, read once from locales/<lang>.toml: `t("dashboard.app_title", "ja")`.

Why data files and not Python dicts: one file per language that a translator can edit without reading code,
one key space for the dashboard, the Data page, the deck and the CLI, and one parity test over all of it
(tests/present/test_locale.py). Keys are "<section>.<name>" (the TOML table, then the key). Named `catalogue`,
not `locale`, so it never shadows the standard library's module.
"""

from __future__ import annotations

import functools
import string
import tomllib
from pathlib import Path

LANGS: tuple[str, ...] = ("en", "ja")
DEFAULT_LANG = "en"
LOCALES_DIR = Path(__file__).resolve().parents[2] / "locales"


def lang_or_default(lang: str | None) -> str:
    """An unknown language (an old link, a typo in ?lang=) falls back to English instead of failing."""
    return lang if lang in LANGS else DEFAULT_LANG


def _flatten(table: dict, prefix: str = "") -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in table.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out |= _flatten(value, f"{name}.")
        elif isinstance(value, str):
            out[name] = value
        else:
            raise TypeError(f"{name}: a catalogue value must be a string, not {type(value).__name__}")
    return out


@functools.cache
def messages(lang: str) -> dict[str, str]:
    """All messages of one language as a flat {"section.key": text}, read once per process."""
    with open(LOCALES_DIR / f"{lang_or_default(lang)}.toml", "rb") as f:
        return _flatten(tomllib.load(f))


def section(name: str, lang: str) -> dict[str, str]:
    """One table of the catalogue without its prefix ({"app_title": ...}): what the old per-surface dicts held."""
    prefix = f"{name}."
    return {key[len(prefix):]: text for key, text in messages(lang).items() if key.startswith(prefix)}


def has(key: str) -> bool:
    return key in messages(DEFAULT_LANG)


def t(key: str, lang: str, **values: object) -> str:
    """The message in `lang` with its {placeholders} filled; English if the language lacks it (the parity test
    fails on that); KeyError if no language has it, so a typo never reaches the screen as a raw key."""
    table = messages(lang)
    text = table[key] if key in table else messages(DEFAULT_LANG)[key]
    return text.format(**values) if values else text


def placeholders(text: str) -> set[str]:
    """The {names} a message expects: both languages must expect the same ones."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}
