"""The dashboard's words and number/date formats: a thin front on present.catalogue and present.formats.

The words live in locales/<lang>.toml, table [dashboard]; the formats in sla_review.present.formats (Babel/CLDR). This
module keeps the names the pages and charts import (t(lang, key), EN, JA, fmt_*) so they keep working while
callers move to `catalogue.t("dashboard.<key>", lang)` and `formats.*`. No streamlit here: charts and tests use it.
"""

from __future__ import annotations

import datetime as dt

from sla_review.present import catalogue, formats

LANGS = catalogue.LANGS
LANG_NAMES = {lang: catalogue.t("meta.language_name", lang) for lang in LANGS}
EN: dict[str, str] = catalogue.section("dashboard", "en")
JA: dict[str, str] = catalogue.section("dashboard", "ja")
MESSAGES = {"en": EN, "ja": JA}
DASH = formats.DASH
lang_or_default = catalogue.lang_or_default
placeholders = catalogue.placeholders


def t(lang: str, key: str, **values: object) -> str:
    """The dashboard message `key` in `lang` (English if missing there), with {placeholders} filled in."""
    return catalogue.t(f"dashboard.{key}", lang, **values)


def fmt_int(value: float | None, lang: str = "en") -> str:
    return formats.integer(value, lang)


def fmt_num(value: float | None, lang: str = "en", digits: int = 1) -> str:
    return formats.number(value, lang, digits)


def fmt_pct(value: float | None, lang: str = "en", digits: int = 1) -> str:
    return formats.percent(value, lang, digits)


def fmt_pp(value: float | None, lang: str = "en", digits: int = 1) -> str:
    return formats.points(value, lang, digits)


def fmt_signed(value: float | None, lang: str = "en", digits: int = 1) -> str:
    return formats.signed(value, lang, digits)


def fmt_hours(value: float | None, lang: str = "en", digits: int = 1) -> str:
    return formats.hours(value, lang, digits)


def fmt_days(value: float | None, lang: str = "en", digits: int = 1) -> str:
    return formats.days(value, lang, digits)


def fmt_date(day: dt.date | None, lang: str = "en") -> str:
    return formats.date(day, lang)


def fmt_datetime(value: dt.datetime | None, lang: str = "en") -> str:
    return formats.datetime(value, lang)


def fmt_month(month: str | dt.date, lang: str = "en", stacked: bool = False) -> str:
    return formats.month(month, lang, stacked)


def month_labels(months: list[str], lang: str = "en") -> list[str]:
    return formats.month_labels(months, lang)


def month_name(month: int, lang: str = "en") -> str:
    return formats.month_name(month, lang)


def fmt_period(start: dt.date, end_exclusive: dt.date, lang: str = "en") -> str:
    return formats.period(start, end_exclusive, lang)


def stage(name: str, lang: str = "en") -> str:
    return t(lang, f"stage_{name}") if f"stage_{name}" in EN else name


def weekday(isodow: int | str, lang: str = "en") -> str:
    return t(lang, f"wd_{int(isodow)}")


def value_label(value: str | None, lang: str = "en") -> str:
    """Data values are shown as they are, except the placeholders the SQL writes for missing ones."""
    if value is None or value == "(none)":
        return t(lang, "none_value")
    if value == "(no reason)":
        return t(lang, "no_reason")
    return value


def tier_label(name: str, lang: str = "en") -> str:
    """A tier of the report's response_by_tier as people read it: its own name, and for the handoffs that match
    no tier (core.terms.DEFAULT_TIER, "(default)" in the JSON) the one wording every surface shows."""
    from sla_review.core.terms import DEFAULT_TIER

    return catalogue.t("terms.tier_default", lang) if name == DEFAULT_TIER else name
