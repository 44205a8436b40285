"""SLA terms, one home: sla.toml parsed and checked (calendar, versions), and the terms in force for a period.

Everything a metric needs to know about the agreement lives here, so that a bad file is refused with a
message that names the key and value before anything reaches the database.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import math
import tomllib
import zoneinfo
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

import duckdb

from sla_review.core.periods import Period
from sla_review.core.problems import Problem
from sla_review.core.vocabulary import LADDER

LANGS = ("en", "ja")  # the languages of a refusal (present.catalogue.LANGS; core does not import it)
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


class ConfigError(ValueError):
    """sla.toml cannot be used. Carries where (file, key), the value as written and the rule it broke, so the
    one message reads the same in the CLI, the Data page and the deck page, in English (str) or any language
    (text(lang)); the words are locales/*.toml [terms]."""

    def __init__(self, file: str, key: str | None, value: object, rule: str, **details: object) -> None:
        self.file, self.key, self.value, self.rule, self.details = file, key, value, rule, details
        super().__init__(self.text("en"))

    def text(self, lang: str) -> str:
        from sla_review.present import catalogue  # the words only; core stays free of the present layer's logic

        problem = catalogue.t(f"terms.rule_{self.rule}", lang, value=shown(self.value), **self.details)
        if self.key is None:
            return catalogue.t("terms.problem_file", lang, file=self.file, problem=problem)
        return catalogue.t("terms.problem", lang, file=self.file, where=self.key, problem=problem)

    def problem(self) -> Problem:
        """The refusal as a Problem of the file (the importer's list, the Data page's note), in every language."""
        from sla_review.present import catalogue

        def detail(lang: str) -> str:
            problem = catalogue.t(f"terms.rule_{self.rule}", lang, value=shown(self.value), **self.details)
            if self.key is None:
                return problem
            return catalogue.t("terms.problem_detail", lang, where=self.key, problem=problem)

        return Problem(self.file, None, None, None, detail("en"), texts=tuple((lang, detail(lang)) for lang in LANGS))


def shown(value: object) -> str:
    """A value as the user wrote it in TOML (strings quoted, cut at 60 characters), for a message."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value[:60]}…"' if len(value) > 60 else f'"{value}"'
    if isinstance(value, float):
        return "nan" if math.isnan(value) else repr(value)
    if isinstance(value, list):
        inner = ", ".join(shown(v) for v in value[:8])
        return f"[{inner}{', …' if len(value) > 8 else ''}]"
    if isinstance(value, dict):
        return "{…}"
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


@dataclass(frozen=True)
class Calendar:
    timezone: str = "Asia/Tokyo"
    workdays: tuple[int, ...] = (0, 1, 2, 3, 4)  # Monday = 0, as datetime.weekday()
    day_start: dt.time = dt.time(9, 0)
    day_end: dt.time = dt.time(18, 0)
    holiday_country: str | None = "JP"
    extra_holidays: tuple[dt.date, ...] = ()

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    @property
    def day_hours(self) -> float:
        """Nominal length of a business day: the unit of `attempt_window_business_days`."""
        start = dt.datetime.combine(dt.date(2000, 1, 3), self.day_start)
        end = dt.datetime.combine(dt.date(2000, 1, 3), self.day_end)
        return (end - start).total_seconds() / 3600


@dataclass(frozen=True)
class SlaVersion:
    name: str
    effective_from: dt.date
    mql_threshold: float = 60.0
    fit_weight: float = 0.5
    engagement_weight: float = 0.5
    handoff_stage: str = "mql"
    response_target_hours: float = 2.0
    monthly_mql_commitment: float = 0.0
    min_attempts: int = 3
    attempt_window_business_days: float = 5.0
    mql_to_sql_target: float = 0.3


@dataclass(frozen=True)
class SlaConfig:
    calendar: Calendar = field(default_factory=Calendar)
    versions: tuple[SlaVersion, ...] = ()


# The one validator of sla.toml (CLI import, the Data page; the report and the deck read only what it let in).
# Each number: (lowest, highest, whole number?). Finite always: NaN and inf are refused, and the highs keep every
# value inside DECIMAL(18, 6) and the business-day table (a 1e308-day window or year-9999 date crashed them).
_VERSION_NUMBERS: dict[str, tuple[float, float, bool]] = {
    "mql_threshold": (0.0, 100.0, False),
    "fit_weight": (0.0, 100.0, False),
    "engagement_weight": (0.0, 100.0, False),
    "response_target_hours": (0.0, 8760.0, False),
    "monthly_mql_commitment": (0.0, 1e9, False),
    "min_attempts": (0.0, 1000.0, True),
    "attempt_window_business_days": (0.0, 366.0, False),
    "mql_to_sql_target": (0.0, 1.0, False),
}
# dates an SLA can name: the business-day table is built from the earliest to the latest of them
DATE_RANGE = (dt.date(1990, 1, 1), dt.date(2099, 12, 31))
CALENDAR_KEYS = ("timezone", "workdays", "day_start", "day_end", "holiday_country", "extra_holidays")
TOP_KEYS = ("calendar", "versions")
# keys of the contract's optional features (breaks, team calendars, tiers) that this code does not implement:
# refused with their own message, never ignored (ignoring them would count business hours or targets wrongly)
NOT_SUPPORTED = ("breaks", "holiday_subdivision", "calendars", "teams", "tiers")
NAME_MAX = 100


@functools.cache
def known_timezones() -> frozenset[str]:
    """Zones both Python (zoneinfo) and DuckDB (ICU) know: "localtime" is one zoneinfo lists and DuckDB lacks."""
    with duckdb.connect() as con:
        icu = {r[0] for r in con.execute("SELECT name FROM pg_timezone_names()").fetchall()}
    return frozenset(zoneinfo.available_timezones() & icu)


def _time(value: object, src: str, key: str) -> dt.time:
    if isinstance(value, dt.time) and value.tzinfo is None:
        return value
    if isinstance(value, str):
        with contextlib.suppress(ValueError):
            parsed = dt.time.fromisoformat(value)
            if parsed.tzinfo is None and len(value) >= 5:
                return parsed
    raise ConfigError(src, key, value, "time")


def _date(value: object, src: str, key: str) -> dt.date:
    day = None
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        day = value
    elif isinstance(value, str):
        with contextlib.suppress(ValueError):
            day = dt.date.fromisoformat(value)
    if day is None:
        raise ConfigError(src, key, value, "date")
    if not DATE_RANGE[0] <= day <= DATE_RANGE[1]:
        raise ConfigError(src, key, value, "date_range", low=DATE_RANGE[0].isoformat(), high=DATE_RANGE[1].isoformat())
    return day


def _unknown(raw: dict, known: Sequence[str], src: str, where: str) -> None:
    unknown = sorted(set(raw) - set(known), key=lambda k: (k not in NOT_SUPPORTED, k))
    if unknown:
        rule = "not_supported" if unknown[0] in NOT_SUPPORTED else "unknown_key"
        raise ConfigError(src, f"{where} {unknown[0]}".strip(), raw[unknown[0]], rule, known=", ".join(known))


def _calendar(raw: object, src: str) -> Calendar:
    if not isinstance(raw, dict):
        raise ConfigError(src, "calendar", raw, "table", table="[calendar]")
    _unknown(raw, CALENDAR_KEYS, src, "[calendar]")
    tz = raw.get("timezone", "Asia/Tokyo")
    if not isinstance(tz, str) or tz not in known_timezones():
        raise ConfigError(src, "[calendar] timezone", tz, "timezone")
    days = raw.get("workdays", list(WEEKDAYS[:5]))
    if not isinstance(days, list) or not days or any(d not in WEEKDAYS for d in days) or len(set(days)) != len(days):
        raise ConfigError(src, "[calendar] workdays", days, "workdays", names=", ".join(f'"{d}"' for d in WEEKDAYS))
    start = _time(raw.get("day_start", "09:00"), src, "[calendar] day_start")
    end = _time(raw.get("day_end", "18:00"), src, "[calendar] day_end")
    if end <= start:
        raise ConfigError(src, "[calendar] day_end", raw.get("day_end", "18:00"), "day_end",
                          start=start.strftime("%H:%M"))
    country = raw.get("holiday_country")
    if country is not None:
        import holidays

        if not isinstance(country, str) or country not in holidays.list_supported_countries():
            raise ConfigError(src, "[calendar] holiday_country", country, "country")
    extra = raw.get("extra_holidays", [])
    if not isinstance(extra, list):
        raise ConfigError(src, "[calendar] extra_holidays", extra, "date_list")
    days_off = tuple(_date(d, src, "[calendar] extra_holidays") for d in extra)
    return Calendar(tz, tuple(WEEKDAYS.index(d) for d in days), start, end, country or None, days_off)


def _number(raw: dict, key: str, src: str, where: str) -> float | int:
    low, high, whole = _VERSION_NUMBERS[key]
    value = raw[key]
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ConfigError(src, f"{where} {key}", value, "number")
    if not low <= value <= high:
        raise ConfigError(src, f"{where} {key}", value, "range", low=f"{low:g}", high=f"{high:g}")
    if whole and value != int(value):
        raise ConfigError(src, f"{where} {key}", value, "whole")
    return int(value) if whole else float(value)


def _version(raw: object, index: int, src: str) -> SlaVersion:
    where = f"[[versions]] #{index + 1}"
    if not isinstance(raw, dict):
        raise ConfigError(src, where, raw, "table", table="[[versions]]")
    _unknown(raw, ("name", "effective_from", "handoff_stage", *_VERSION_NUMBERS), src, where)
    for key in ("name", "effective_from"):
        if key not in raw:
            raise ConfigError(src, f"{where} {key}", None, "required")
    name = raw["name"]
    if not isinstance(name, str) or not name.strip() or len(name) > NAME_MAX:
        raise ConfigError(src, f"{where} name", name, "name", most=NAME_MAX)
    values: dict[str, object] = {"name": name.strip()}
    values["effective_from"] = _date(raw["effective_from"], src, f"{where} effective_from")
    for key in _VERSION_NUMBERS:
        if key in raw:
            values[key] = _number(raw, key, src, where)
    if values.get("fit_weight", 0.5) == 0 and values.get("engagement_weight", 0.5) == 0:
        raise ConfigError(src, f"{where} engagement_weight", raw.get("engagement_weight", 0.5), "weights")
    stage = raw.get("handoff_stage", "mql")
    if stage not in LADDER:
        raise ConfigError(src, f"{where} handoff_stage", stage, "stage", stages=", ".join(LADDER))
    values["handoff_stage"] = stage
    return SlaVersion(**values)  # type: ignore[arg-type]


def parse_sla(text: str, source: str = "sla.toml") -> SlaConfig:
    """Parse sla.toml text; raise ConfigError naming the file, key and value on anything unusable. The only
    validator of SLA terms: the CLI and the Data page both call it, so they refuse the same files alike."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(source, None, None, "toml", error=str(err)) from None
    _unknown(raw, TOP_KEYS, source, "")
    calendar = _calendar(raw.get("calendar", {}), source)
    blocks = raw.get("versions", [])
    if not isinstance(blocks, list):
        raise ConfigError(source, "versions", blocks, "table", table="[[versions]]")
    versions = [_version(v, i, source) for i, v in enumerate(blocks)]
    if not versions:
        raise ConfigError(source, None, None, "no_versions")
    versions.sort(key=lambda v: v.effective_from)
    dates = [v.effective_from for v in versions]
    if len(set(dates)) != len(dates):
        twice = next(d for d in dates if dates.count(d) > 1)
        raise ConfigError(source, "[[versions]] effective_from", twice.isoformat(), "same_date")
    return SlaConfig(calendar, tuple(versions))


# ----------------------------------------------------------------------------------------------------
# Terms in force for a period
#
# SLA terms: versions, the terms in force for a period.
#
# The rule (one, used by every page, the what-if, the deck and the CLI):
# - The version *in force* on a local day is the one with the latest effective_from on or before it; before
#   the earliest effective_from the earliest version is in force (DOMAIN.md; sql/derived/010 applies the same
#   rule to instants for lead_facts).
# - The terms *shown* for a period [from, to) judged at as_of are those of the version in force on the period's
#   last judged day: the local date of min(last day of the period, as_of), never before the period's first day.
# - The versions *applied* are every version in force on some day in [from, that day], oldest first, each with
#   the days it covered. When there are several, the pages and the deck say so ("v1 until 2026-05-31, v2 from
#   2026-06-01"); handoffs and months are still judged in SQL by their own version (lead_facts carries each
#   handoff's target and minimum attempts), so the shown terms are a heading, never a verdict for earlier rows.
#
# Why Python on the stored versions rather than a query: a handful of rows, and the deck, the CLI and the pages
# must not disagree because one of them rounded a timestamp differently. No streamlit here.
TERM_FIELDS = ("mql_threshold", "fit_weight", "engagement_weight", "handoff_stage", "response_target_hours",
               "monthly_mql_commitment", "min_attempts", "attempt_window_business_days", "mql_to_sql_target")


@dataclass(frozen=True)
class Applied:
    """One version, the days of the period it was in force (both inclusive) and the next version's
    effective_from (None for the newest)."""

    version: SlaVersion
    first_day: dt.date
    last_day: dt.date
    effective_until: dt.date | None


@dataclass(frozen=True)
class PeriodTerms:
    """The terms shown for a period and every version that applied during it."""

    version: SlaVersion
    applied: tuple[Applied, ...]

    @property
    def several(self) -> bool:
        return len(self.applied) > 1

    def values(self, term: str) -> list:
        """The distinct values of one term across the versions applied, in order of first appearance."""
        return list(dict.fromkeys(getattr(a.version, term) for a in self.applied))

    def differs(self, term: str) -> bool:
        return len(self.values(term)) > 1

    def as_dict(self) -> dict:
        """The shown version as a plain dict (name, effective_from and every term)."""
        return asdict(self.version)


def in_force(versions: Sequence[SlaVersion], day: dt.date) -> SlaVersion:
    """The version with the latest effective_from on or before `day` (the earliest one before any)."""
    ordered = sorted(versions, key=lambda v: v.effective_from)
    current = ordered[0]
    for version in ordered:
        if version.effective_from <= day:
            current = version
    return current


def judged_day(period: Period) -> dt.date:
    """The period's last judged local day: min(last day of [from, to), as_of's local date), not before from."""
    return max(period.from_day, min(period.to_day - dt.timedelta(days=1), period.as_of.date()))


def for_period(versions: Sequence[SlaVersion], period: Period) -> PeriodTerms:
    """The rule of this module on a list of versions (period.as_of is in the calendar's zone)."""
    if not versions:
        raise ValueError("no SLA versions: nothing has been imported")
    ordered = sorted(versions, key=lambda v: v.effective_from)
    last = judged_day(period)
    applied = []
    for i, version in enumerate(ordered):
        starts = dt.date.min if i == 0 else version.effective_from
        until = ordered[i + 1].effective_from if i + 1 < len(ordered) else None
        first_day = max(starts, period.from_day)
        last_day = min(until - dt.timedelta(days=1), last) if until else last
        if first_day <= last_day:
            applied.append(Applied(version, first_day, last_day, until))
    return PeriodTerms(in_force(ordered, last), tuple(applied))


def stored_versions(con: duckdb.DuckDBPyConnection) -> tuple[SlaVersion, ...]:
    """The versions as last imported, oldest first."""
    from sla_review.ingest.importer import stored_config

    return stored_config(con).versions


def period_terms(con: duckdb.DuckDBPyConnection, period: Period) -> PeriodTerms | None:
    """The terms for a period from the database (None when nothing has been imported)."""
    versions = stored_versions(con)
    return for_period(versions, period) if versions else None


def spans_text(terms: PeriodTerms, fmt_date, until: str, since: str, between: str, sep: str = ", ") -> str:
    """"v1 until 2026-05-31, v2 from 2026-06-01" in any language: `until`, `since` and `between` are
    templates with {name}, {first} and {last}; fmt_date formats a date."""
    parts = []
    for i, a in enumerate(terms.applied):
        template = until if i == 0 else since if i == len(terms.applied) - 1 else between
        parts.append(template.format(name=a.version.name, first=fmt_date(a.first_day), last=fmt_date(a.last_day)))
    return sep.join(parts)
