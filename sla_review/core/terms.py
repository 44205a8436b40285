"""SLA terms, one home: sla.toml parsed and checked (calendar, versions), and the terms in force for a period.

Everything a metric needs to know about the agreement lives here, so that a bad file is refused with a
message that names the key and value before anything reaches the database.
"""

from __future__ import annotations

import datetime as dt
import tomllib
import zoneinfo
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

import duckdb

from sla_review.core.periods import Period
from sla_review.core.vocabulary import LADDER

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


class ConfigError(ValueError):
    """sla.toml cannot be used; the message says where and why, for a person."""


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


_VERSION_NUMBERS = {
    "mql_threshold": (0.0, 100.0),
    "fit_weight": (0.0, None),
    "engagement_weight": (0.0, None),
    "response_target_hours": (0.0, None),
    "monthly_mql_commitment": (0.0, None),
    "min_attempts": (0.0, None),
    "attempt_window_business_days": (0.0, None),
    "mql_to_sql_target": (0.0, 1.0),
}


def _time(value: object, where: str) -> dt.time:
    try:
        return dt.time.fromisoformat(str(value))
    except ValueError:
        raise ConfigError(f'{where}: "{value}" is not a time of day like "09:00".') from None


def _date(value: object, where: str) -> dt.date:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ConfigError(f'{where}: "{value}" is not a date like "2026-04-01".') from None


def _calendar(raw: dict, src: str) -> Calendar:
    tz = str(raw.get("timezone", "Asia/Tokyo"))
    if tz not in zoneinfo.available_timezones():
        raise ConfigError(f'{src} [calendar] timezone: "{tz}" is not a known time zone (e.g. "Asia/Tokyo").')
    days = raw.get("workdays", list(WEEKDAYS[:5]))
    bad = [d for d in days if d not in WEEKDAYS]
    if bad or not isinstance(days, list):
        raise ConfigError(f"{src} [calendar] workdays: {bad or days} — use names from {list(WEEKDAYS)}.")
    start = _time(raw.get("day_start", "09:00"), f"{src} [calendar] day_start")
    end = _time(raw.get("day_end", "18:00"), f"{src} [calendar] day_end")
    if end <= start:
        raise ConfigError(f"{src} [calendar]: day_end {end:%H:%M} must be after day_start {start:%H:%M}.")
    country = raw.get("holiday_country")
    if country:
        import holidays

        if str(country) not in holidays.list_supported_countries():
            raise ConfigError(f'{src} [calendar] holiday_country: "{country}" is not a supported country code.')
    extra = tuple(_date(d, f"{src} [calendar] extra_holidays") for d in raw.get("extra_holidays", []))
    return Calendar(tz, tuple(WEEKDAYS.index(d) for d in days), start, end, country or None, extra)


def _version(raw: dict, index: int, src: str) -> SlaVersion:
    where = f"{src} [[versions]] #{index + 1}"
    if "name" not in raw or "effective_from" not in raw:
        raise ConfigError(f"{where}: every version needs a name and an effective_from date.")
    values: dict[str, object] = {"name": str(raw["name"])}
    values["effective_from"] = _date(raw["effective_from"], f"{where} effective_from")
    for key, (low, high) in _VERSION_NUMBERS.items():
        if key not in raw:
            continue
        value = raw[key]
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigError(f'{where} {key}: "{value}" is not a number.')
        if value < low or (high is not None and value > high):
            limit = f"between {low:g} and {high:g}" if high is not None else f"at least {low:g}"
            raise ConfigError(f"{where} {key}: {value} must be {limit}.")
        values[key] = int(value) if key == "min_attempts" else float(value)
    stage = raw.get("handoff_stage", "mql")
    if stage not in LADDER:
        raise ConfigError(f'{where} handoff_stage: "{stage}" is not a ladder stage {list(LADDER)}.')
    values["handoff_stage"] = stage
    unknown = set(raw) - set(_VERSION_NUMBERS) - {"name", "effective_from", "handoff_stage"}
    if unknown:
        raise ConfigError(f"{where}: unknown setting(s) {sorted(unknown)}.")
    return SlaVersion(**values)  # type: ignore[arg-type]


def parse_sla(text: str, source: str = "sla.toml") -> SlaConfig:
    """Parse sla.toml text; raise ConfigError naming the file and key on anything unusable."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"{source} is not valid TOML: {err}.") from None
    calendar = _calendar(raw.get("calendar", {}), source)
    versions = [_version(v, i, source) for i, v in enumerate(raw.get("versions", []))]
    if not versions:
        raise ConfigError(f"{source}: needs at least one [[versions]] block with the SLA's terms.")
    versions.sort(key=lambda v: v.effective_from)
    dates = [v.effective_from for v in versions]
    if len(set(dates)) != len(dates):
        raise ConfigError(f"{source}: two versions share an effective_from date; each needs its own.")
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
