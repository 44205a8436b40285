"""The one way a figure becomes text, on screen, in charts, on slides and in the CLI (Babel's CLDR data).

Why Babel: separators, month names and date intervals are CLDR's ("Apr – Sep 2026", "2026年4月～9月"), the
same ones every other tool of the reader shows, instead of hand-written patterns per language. Why one module:
the same figure must read the same on the scorecard and on the slide that quotes it.

Rules every function follows: None, NaN and ±inf are "no data" and show DASH (never 0); values are rounded
half up, as people round (2.5 -> 3, 0.15 -> 0.2); a value that rounds to zero shows no sign ("0.0", not
"-0.0"), and a signed change that rounds to zero shows "±0.0". Units are glued to their number with a no-break
space and a Japanese unit is one unbreakable word (a narrow table cell broke 時間 as 時/間).
"""

from __future__ import annotations

import datetime as dt
import decimal
import functools
import math
import re

from babel import Locale
from babel import dates as bdates
from babel import numbers as bnumbers

from sla_review.present import catalogue

DASH = "—"
NBSP = "\u00a0"
WORD_JOINER = "\u2060"  # invisible; forbids a line break on either side
_CJK = "\u3040-\u30ff\u4e00-\u9fff"
_CJK_GAP = re.compile(f"(?<=[{_CJK}])(?=\\S)|(?<=\\S)(?=[{_CJK}])")  # between two characters, one of them Japanese
_CJK_PAIR = re.compile(f"(?<=[{_CJK}])(?=[{_CJK}])")  # between two Japanese characters (inside one word)


@functools.cache
def _locale(lang: str) -> Locale:
    return Locale.parse(catalogue.lang_or_default(lang))


@functools.cache
def _parsed(pattern: str) -> bnumbers.NumberPattern:
    """A number pattern parsed once (Babel re-parses the pattern string on every call)."""
    return bnumbers.parse_pattern(pattern)


def missing(value: object) -> bool:
    """No data: None, or a float that is not a number (an empty mean, a rate over zero)."""
    return value is None or (isinstance(value, float) and (math.isnan(value) or math.isinf(value)))


def _rounded(value: float, digits: int) -> decimal.Decimal:
    """Half up at `digits` decimals, from the shortest decimal that names the float (0.15 stays 0.15)."""
    exact = decimal.Decimal(repr(float(value))) if isinstance(value, float) else decimal.Decimal(value)
    out = exact.quantize(decimal.Decimal(1).scaleb(-digits), rounding=decimal.ROUND_HALF_UP)
    return abs(out) if out == 0 else out  # no "-0.0"


@functools.lru_cache(maxsize=65536)
def _babel_decimal(shown: decimal.Decimal, pattern: str, lang: str) -> str:
    """Babel's text for an already rounded value. Cached: a breakdown of 400 reps writes 1,200 rounded figures
    from at most a few thousand distinct ones, and Babel's pattern engine is the slow part (~25 µs a call)."""
    return _parsed(pattern).apply(shown, _locale(lang))


@functools.lru_cache(maxsize=65536)
def _babel_percent(shown: decimal.Decimal, pattern: str, lang: str) -> str:
    return _parsed(pattern).apply(shown, _locale(lang))


def _pattern(digits: int, sign: bool = False) -> str:
    body = "#,##0" + ("." + "0" * digits if digits > 0 else "")
    return f"+{body};-{body}" if sign else body


def number(value: float | decimal.Decimal | None, lang: str = "en", digits: int = 1) -> str:
    """12,345.7 (grouping and decimal mark of the language)."""
    if missing(value):
        return DASH
    return _babel_decimal(_rounded(value, digits), _pattern(digits), lang)


def integer(value: float | None, lang: str = "en") -> str:
    """A count: 12,345."""
    return number(value, lang, 0)


def percent(value: float | None, lang: str = "en", digits: int = 1) -> str:
    """A share (0.4) as 40.0%."""
    if missing(value):
        return DASH
    return _babel_percent(_rounded(decimal.Decimal(repr(float(value))) * 100, digits) / 100, _pattern(digits) + "%",
                          lang)


def signed(value: float | None, lang: str = "en", digits: int = 1) -> str:
    """A change: +1.2, -1.2, and ±0.0 when it rounds to nothing (neither up nor down)."""
    if missing(value):
        return DASH
    shown = _rounded(value, digits)
    if shown == 0:
        return "±" + number(0, lang, digits)
    return _babel_decimal(shown, _pattern(digits, sign=True), lang)


def points(value: float | None, lang: str = "en", digits: int = 1) -> str:
    """A change of a rate in percentage points (+3.2 pt): never "%", which would read as a relative change."""
    if missing(value):
        return DASH
    return _unit("points", decimal.Decimal(repr(float(value))) * 100, lang, digits, sign=True)


def interval(value: float | None, low: float | None, high: float | None, lang: str = "en", digits: int = 1,
             unit: str = "percent", bare: bool = False) -> str:
    """An estimate with its 95% interval, the one way every surface writes it: "32.2% (95%: 28.1–36.5%)",
    "1.5 h (95%: 1.2–1.9 h)" (unit "hours"); the bare figure when there is no interval, DASH without a figure.
    The bounds are rounded like the figure, so the three read alike at the same precision. bare=True gives the
    range alone, "28.1–36.5%", for a table column headed "95% interval" beside the rate's own column."""
    if missing(value):
        return DASH
    if unit == "percent":
        shown = percent(value, lang, digits)
        if missing(low) or missing(high):
            return shown
        lo, hi = number(decimal.Decimal(repr(float(low))) * 100, lang, digits), percent(high, lang, digits)
    else:
        shown = hours(value, lang, digits)
        if missing(low) or missing(high):
            return shown
        lo, hi = number(low, lang, digits), hours(high, lang, digits)
    text = catalogue.t("units.interval_range" if bare else "units.interval", lang, value=shown, low=lo, high=hi)
    # a narrow tile may wrap before the bracket, after "95%" or "95%:", never inside the range or a Japanese word
    for dash in ("–", "～"):
        text = text.replace(f"{lo}{dash}", f"{lo}{WORD_JOINER}{dash}{WORD_JOINER}")
    return _CJK_PAIR.sub(WORD_JOINER, text)


def interval_texts(values: list, lows: list, highs: list, lang: str = "en", digits: int = 1,
                   unit: str = "percent", bare: bool = False) -> list[str]:
    """interval() for each row of a breakdown (its few aggregated rows: segments, reps, months, steps)."""
    return [interval(v, lo, hi, lang, digits, unit, bare) for v, lo, hi in zip(values, lows, highs, strict=True)]


def _unit(key: str, value: float, lang: str, digits: int, sign: bool = False) -> str:
    """A number with a unit word of the catalogue ([units]: "1.5 h", "1.5 時間"): the SLA's own words ("2
    business hours") are shorter than CLDR's ("1.5 hr"), and a translator can change them without code."""
    figure = (signed if sign else number)(value, lang, digits)
    return _one_word(catalogue.t(f"units.{key}", lang, value=figure))


def _one_word(text: str) -> str:
    """A figure with its unit never wraps: no-break space before the unit, and a word joiner between the
    characters of a Japanese unit and its number (Japanese may break before and between any kanji or kana:
    ±0.0時/間, 0.5ポイ/ント)."""
    return _CJK_GAP.sub(WORD_JOINER, text.replace(" ", NBSP))


def plain(text: str) -> str:
    """The same text without line-break glue, for outputs that never wrap (a terminal, a CSV cell)."""
    return text.replace(NBSP, " ").replace(WORD_JOINER, "")


def hours(value: float | None, lang: str = "en", digits: int = 1, sign: bool = False) -> str:
    """Business hours: 1.5 h / 1.5 時間; sign=True for a change (+0.4 h, ±0.0 時間)."""
    return DASH if missing(value) else _unit("hours", value, lang, digits, sign)


def days(value: float | None, lang: str = "en", digits: int = 1) -> str:
    """Days: 2.5 days / 2.5 日."""
    return DASH if missing(value) else _unit("days", value, lang, digits)


def date(day: dt.date | None, lang: str = "en") -> str:
    """Apr 1, 2026 / 2026年4月1日."""
    if day is None:
        return DASH
    return bdates.format_skeleton("yMMMd", day, locale=_locale(lang))


def datetime(value: dt.datetime | None, lang: str = "en") -> str:
    """Apr 1, 2026, 09:05 / 2026年4月1日 09:05 (in the zone the value carries: convert before calling)."""
    if value is None:
        return DASH
    glue = bdates.get_datetime_format("medium", locale=_locale(lang))
    return str(glue).format(bdates.format_time(value, "HH:mm", locale=_locale(lang)), date(value.date(), lang))


def _as_day(month: str | dt.date) -> dt.date:
    return month if isinstance(month, dt.date) else dt.date.fromisoformat(f"{month}-01")


def month_name(month: int, lang: str = "en", width: str = "wide") -> str:
    """April / 4月 (width="abbreviated": Apr / 4月)."""
    return bdates.get_month_names(width, locale=_locale(lang))[month]


def year(day: dt.date, lang: str = "en") -> str:
    """2026 / 2026年."""
    return bdates.format_skeleton("y", day, locale=_locale(lang))


def month(value: str | dt.date, lang: str = "en", stacked: bool = False) -> str:
    """'2026-04' (or a date) as Apr 2026 / 2026年4月; stacked puts the year on its own line of a chart axis,
    in the language's order (Apr<br>2026, 2026年<br>4月)."""
    day = _as_day(value)
    if not stacked:
        return bdates.format_skeleton("yMMM", day, locale=_locale(lang))
    name, yr = month_name(day.month, lang, "abbreviated"), year(day, lang)
    return f"{yr}<br>{name}" if lang == "ja" else f"{name}<br>{yr}"


def month_labels(months: list[str], lang: str = "en") -> list[str]:
    """Axis labels for consecutive months ('2026-04', ...): the year only under the first month and each
    January while a year fits (names stay unique), every label dated beyond that. Keeps 12 bars readable."""
    days_ = [_as_day(m) for m in months]
    short = len({d.month for d in days_}) == len(days_)
    out = []
    for i, d in enumerate(days_):
        name = month_name(d.month, lang, "abbreviated")
        out.append(f"{name}<br>{year(d, lang)}" if not short or i == 0 or d.month == 1 else name)
    return out


def period(start: dt.date, end_exclusive: dt.date, lang: str = "en") -> str:
    """[start, end) for people, as CLDR's interval: whole months 'Apr – Sep 2026' / '2026年4月～9月', anything
    else by its first and last day 'Jan 5 – Feb 28, 2026' / '2026年1月5日～2月28日'."""
    last = end_exclusive - dt.timedelta(days=1)
    skeleton = "yMMM" if start.day == 1 and end_exclusive.day == 1 else "yMMMd"
    return bdates.format_interval(start, last, skeleton, locale=_locale(lang))
