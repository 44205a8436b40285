"""The review deck's words: a thin front on sla_review.present.catalogue (locales/<lang>.toml, tables [deck] and
[deck_definitions.*]).

Kept so export/deck.py and app/pages/export.py keep `text(lang, key)`, `TEXT`, `DEFINITIONS` while callers move
to `catalogue.t("deck.<key>", lang)`. The appendix's definitions are one table per measure (term, text), in the
order the slide lists them.
"""

from __future__ import annotations

from sla_review.present import catalogue

LANGS = catalogue.LANGS
TEXT: dict[str, dict[str, str]] = {lang: catalogue.section("deck", lang) for lang in LANGS}


def _definitions(lang: str) -> list[tuple[str, str]]:
    table = catalogue.section("deck_definitions", lang)
    ids = dict.fromkeys(key.split(".")[0] for key in table)  # file order
    return [(table[f"{i}.term"], table[f"{i}.text"]) for i in ids]


DEFINITIONS: dict[str, list[tuple[str, str]]] = {lang: _definitions(lang) for lang in LANGS}


def text(lang: str, key: str, **values: object) -> str:
    """One string in the deck's language, with its numbers filled in."""
    return catalogue.t(f"deck.{key}", lang, **values)
