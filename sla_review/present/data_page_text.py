"""The Data page's words: a thin front on sla_review.present.catalogue (locales/<lang>.toml, table [data_page]).

Kept so sla_review/app/pages/data.py keeps its `text(lang, key)` and `TEXT` while callers move to
`catalogue.t("data_page.<key>", lang)`. Every value interpolated is a number, a date or a built-in name: user
values (file names, column names, cell values) are shown in tables and select boxes, never inside these texts.
"""

from __future__ import annotations

from sla_review.present import catalogue

__all__ = ["LANGS", "TEXT", "text"]

LANGS = catalogue.LANGS
TEXT: dict[str, dict[str, str]] = {lang: catalogue.section("data_page", lang) for lang in LANGS}


def text(lang: str, key: str, **values: object) -> str:
    """The page's string in `lang` (English when missing), with {placeholders} filled."""
    return catalogue.t(f"data_page.{key}", lang, **values)
