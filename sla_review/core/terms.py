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
from sla_review.core.toml_text import key as _toml_key
from sla_review.core.toml_text import value as _toml_value
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
    breaks: tuple[tuple[dt.time, dt.time], ...] = ()  # unpaid, inside [day_start, day_end), sorted, apart
    holiday_subdivision: str | None = None  # a state/prefecture code of the `holidays` package

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    def open_parts(self) -> tuple[tuple[dt.time, dt.time], ...]:
        """The open intervals of a business day, local wall-clock times: [day_start, day_end) minus the breaks."""
        parts, start = [], self.day_start
        for b_start, b_end in self.breaks:
            if b_start > start:
                parts.append((start, b_start))
            start = max(start, b_end)
        if self.day_end > start:
            parts.append((start, self.day_end))
        return tuple(parts)

    @property
    def day_hours(self) -> float:
        """Net length of a business day (breaks taken out): the unit of `attempt_window_business_days`."""
        return sum(_minutes(b) - _minutes(a) for a, b in self.open_parts()) / 60


def _minutes(t: dt.time) -> float:
    return t.hour * 60 + t.minute + t.second / 60 + t.microsecond / 60e6


# what a tier may match on: the lead's segments as imported, and its owner's team (DOMAIN.md)
TIER_MATCH_KEYS = ("source", "campaign", "persona", "icp_tier", "region", "team")
DEFAULT_TIER = "(default)"  # the name of "no tier matched" in the report's response_by_tier


@dataclass(frozen=True)
class Tier:
    """A response tier of a version: the first tier whose `match` holds gives the handoff its target, attempts
    and window; a key left None takes the version's own value."""

    name: str
    match: tuple[tuple[str, tuple[str, ...]], ...]  # (segment, values), in TIER_MATCH_KEYS order
    response_target_hours: float | None = None
    min_attempts: int | None = None
    attempt_window_business_days: float | None = None

    def matches(self, segments: dict[str, str | None]) -> bool:
        """Each listed segment holds one of its values (compared exactly as imported)."""
        return all(segments.get(key) in values for key, values in self.match)


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
    tiers: tuple[Tier, ...] = ()

    def tier_for(self, segments: dict[str, str | None]) -> Tier | None:
        """The first tier the lead matches (None: the version's own terms)."""
        return next((t for t in self.tiers if t.matches(segments)), None)


@dataclass(frozen=True)
class SlaConfig:
    calendar: Calendar = field(default_factory=Calendar)
    versions: tuple[SlaVersion, ...] = ()
    calendars: tuple[tuple[str, Calendar], ...] = ()  # [calendars.NAME], in file order
    teams: tuple[tuple[str, str], ...] = ()  # [teams]: a rep's team -> a calendar's name

    def calendar_of_team(self, team: str | None) -> Calendar:
        """The calendar that counts a handoff's hours: the owner's team's, else [calendar]."""
        name = dict(self.teams).get(team) if team is not None else None
        return dict(self.calendars)[name] if name is not None else self.calendar

    def tier_names(self) -> list[str]:
        """Every tier's name across versions (by effective_from), in order of first appearance, then the
        default: the rows of the report's response_by_tier."""
        names = dict.fromkeys(t.name for v in sorted(self.versions, key=lambda v: v.effective_from) for t in v.tiers)
        return [*names, DEFAULT_TIER]


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
CALENDAR_KEYS = ("timezone", "workdays", "day_start", "day_end", "holiday_country", "extra_holidays", "breaks",
                 "holiday_subdivision")
TOP_KEYS = ("calendar", "calendars", "teams", "versions")
TIER_KEYS = ("name", "match", "response_target_hours", "min_attempts", "attempt_window_business_days")
# keys of the contract this code does not implement: refused with their own message, never ignored (ignoring
# one would count business hours or targets wrongly). Empty since issue 13; the mechanism stays for the next.
NOT_SUPPORTED: tuple[str, ...] = ()
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


def _calendar(raw: object, src: str, where: str = "[calendar]") -> Calendar:
    """[calendar] or one [calendars.NAME] (the same keys; a named calendar inherits nothing from [calendar])."""
    if not isinstance(raw, dict):
        raise ConfigError(src, where.strip("[]"), raw, "table", table=where)
    _unknown(raw, CALENDAR_KEYS, src, where)
    tz = raw.get("timezone", "Asia/Tokyo")
    if not isinstance(tz, str) or tz not in known_timezones():
        raise ConfigError(src, f"{where} timezone", tz, "timezone")
    days = raw.get("workdays", list(WEEKDAYS[:5]))
    if not isinstance(days, list) or not days or any(d not in WEEKDAYS for d in days) or len(set(days)) != len(days):
        raise ConfigError(src, f"{where} workdays", days, "workdays", names=", ".join(f'"{d}"' for d in WEEKDAYS))
    start = _time(raw.get("day_start", "09:00"), src, f"{where} day_start")
    end = _time(raw.get("day_end", "18:00"), src, f"{where} day_end")
    if end <= start:
        raise ConfigError(src, f"{where} day_end", raw.get("day_end", "18:00"), "day_end",
                          start=start.strftime("%H:%M"))
    breaks = _breaks(raw.get("breaks", []), start, end, src, f"{where} breaks")
    country = raw.get("holiday_country")
    if country is not None:
        import holidays

        if not isinstance(country, str) or country not in holidays.list_supported_countries():
            raise ConfigError(src, f"{where} holiday_country", country, "country")
    subdivision = raw.get("holiday_subdivision")
    if subdivision is not None:
        import holidays

        if country is None:
            raise ConfigError(src, f"{where} holiday_subdivision", subdivision, "subdivision_alone")
        known = holidays.list_supported_countries()[country]
        if not known:
            raise ConfigError(src, f"{where} holiday_subdivision", subdivision, "subdivision_none", country=country)
        if not isinstance(subdivision, str) or subdivision not in known:
            raise ConfigError(src, f"{where} holiday_subdivision", subdivision, "subdivision", country=country,
                              codes=", ".join(known[:12]) + (", …" if len(known) > 12 else ""))
    extra = raw.get("extra_holidays", [])
    if not isinstance(extra, list):
        raise ConfigError(src, f"{where} extra_holidays", extra, "date_list")
    days_off = tuple(_date(d, src, f"{where} extra_holidays") for d in extra)
    return Calendar(tz, tuple(WEEKDAYS.index(d) for d in days), start, end, country or None, days_off, breaks,
                    subdivision)


def _breaks(raw: object, start: dt.time, end: dt.time, src: str, key: str) -> tuple[tuple[dt.time, dt.time], ...]:
    """[["12:00", "13:00"], ...]: each a pair from < to inside the business day, none overlapping another."""
    if not isinstance(raw, list) or any(not isinstance(b, list) or len(b) != 2 for b in raw):
        raise ConfigError(src, key, raw, "breaks")
    pairs = sorted((_time(a, src, key), _time(b, src, key)) for a, b in raw)
    for a, b in pairs:
        if b <= a:
            raise ConfigError(src, key, [a.strftime("%H:%M"), b.strftime("%H:%M")], "break_order")
        if a < start or b > end:
            raise ConfigError(src, key, [a.strftime("%H:%M"), b.strftime("%H:%M")], "break_outside",
                              start=start.strftime("%H:%M"), end=end.strftime("%H:%M"))
    for (a1, b1), (a2, b2) in zip(pairs, pairs[1:], strict=False):
        if a2 < b1:
            raise ConfigError(src, key, [a2.strftime("%H:%M"), b2.strftime("%H:%M")], "break_overlap",
                              other=f"{a1.strftime('%H:%M')}–{b1.strftime('%H:%M')}")
    if Calendar(day_start=start, day_end=end, breaks=tuple(pairs)).day_hours <= 0:
        raise ConfigError(src, key, raw, "break_all_day")
    return tuple(pairs)


def _name(value: object, src: str, key: str) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > NAME_MAX:
        raise ConfigError(src, key, value, "name", most=NAME_MAX)
    return value.strip()


def _calendars(raw: object, src: str) -> tuple[tuple[str, Calendar], ...]:
    if not isinstance(raw, dict):
        raise ConfigError(src, "calendars", raw, "table", table="[calendars.NAME]")
    named = []
    for name, body in raw.items():
        label = _name(name, src, f"[calendars.{name}]")
        named.append((label, _calendar(body, src, f"[calendars.{label}]")))
    return tuple(named)


def _teams(raw: object, calendars: tuple[tuple[str, Calendar], ...], src: str) -> tuple[tuple[str, str], ...]:
    if not isinstance(raw, dict):
        raise ConfigError(src, "teams", raw, "table", table="[teams]")
    names = [n for n, _ in calendars]
    teams = []
    for team, calendar in raw.items():
        if not team.strip():
            raise ConfigError(src, "[teams]", team, "team_name")
        if not isinstance(calendar, str) or calendar not in names:
            if not names:
                raise ConfigError(src, f'[teams] "{team}"', calendar, "no_calendars")
            raise ConfigError(src, f'[teams] "{team}"', calendar, "unknown_calendar",
                              names=", ".join(f'"{n}"' for n in names))
        teams.append((team, calendar))
    return tuple(teams)


def _tier(raw: object, where: str, src: str) -> Tier:
    if not isinstance(raw, dict):
        raise ConfigError(src, where, raw, "table", table="[[versions.tiers]]")
    _unknown(raw, TIER_KEYS, src, where)
    if "name" not in raw:
        raise ConfigError(src, f"{where} name", None, "tier_required")
    name = _name(raw["name"], src, f"{where} name")
    if name == DEFAULT_TIER:
        raise ConfigError(src, f"{where} name", name, "tier_reserved")
    match = raw.get("match")
    if match is None:
        raise ConfigError(src, f"{where} match", None, "tier_match_missing", keys=", ".join(TIER_MATCH_KEYS))
    if not isinstance(match, dict) or not match:
        raise ConfigError(src, f"{where} match", match, "tier_match", keys=", ".join(TIER_MATCH_KEYS))
    _unknown(match, TIER_MATCH_KEYS, src, f"{where} match")
    pairs = []
    for key in TIER_MATCH_KEYS:
        if key not in match:
            continue
        values = match[key]
        if not isinstance(values, list) or not values or any(not isinstance(x, str) for x in values):
            raise ConfigError(src, f"{where} match.{key}", values, "match_values")
        pairs.append((key, tuple(values)))
    overrides = {k: _number(raw, k, src, where)
                 for k in ("response_target_hours", "min_attempts", "attempt_window_business_days") if k in raw}
    return Tier(name, tuple(pairs), **overrides)  # type: ignore[arg-type]


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
    _unknown(raw, ("name", "effective_from", "handoff_stage", "tiers", *_VERSION_NUMBERS), src, where)
    for key in ("name", "effective_from"):
        if key not in raw:
            raise ConfigError(src, f"{where} {key}", None, "required")
    values: dict[str, object] = {"name": _name(raw["name"], src, f"{where} name")}
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
    blocks = raw.get("tiers", [])
    if not isinstance(blocks, list):
        raise ConfigError(src, f"{where} tiers", blocks, "table", table="[[versions.tiers]]")
    tiers = tuple(_tier(b, f"{where} [[versions.tiers]] #{i + 1}", src) for i, b in enumerate(blocks))
    names = [t.name for t in tiers]
    if len(set(names)) != len(names):
        raise ConfigError(src, f"{where} tiers", next(n for n in names if names.count(n) > 1), "tier_same_name")
    values["tiers"] = tiers
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
    calendars = _calendars(raw.get("calendars", {}), source)
    teams = _teams(raw.get("teams", {}), calendars, source)
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
    return SlaConfig(calendar, tuple(versions), calendars, teams)


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


# ----------------------------------------------------------------------------------------------------
# sla.toml written back: the terms as the validator let them in (the Data page's download and editor). The
# round trip parse_sla(to_toml(c)) == c is tested; comments are not kept.

def _number_text(v: object) -> str:
    """A term as a person writes it in sla.toml: 60, not 60.0 (the validator reads both as the same number)."""
    return _toml_value(int(v) if isinstance(v, float) and v.is_integer() and abs(v) < 1e15 else v)


def _calendar_lines(cal: Calendar) -> list[str]:
    lines = [f"timezone = {_toml_value(cal.timezone)}",
             f"workdays = {_toml_value([WEEKDAYS[d] for d in cal.workdays])}",
             f"day_start = {_toml_value(cal.day_start)}", f"day_end = {_toml_value(cal.day_end)}"]
    if cal.breaks:
        lines.append(f"breaks = {_toml_value([list(b) for b in cal.breaks])}")
    if cal.holiday_country:
        lines.append(f"holiday_country = {_toml_value(cal.holiday_country)}")
    if cal.holiday_subdivision:
        lines.append(f"holiday_subdivision = {_toml_value(cal.holiday_subdivision)}")
    if cal.extra_holidays:
        lines.append(f"extra_holidays = {_toml_value(list(cal.extra_holidays))}")
    return lines


def to_toml(config: SlaConfig) -> str:
    """The configuration as sla.toml text (every key written out, so nothing depends on a default)."""
    out = ["[calendar]", *_calendar_lines(config.calendar)]
    for name, cal in config.calendars:
        out += ["", f"[calendars.{_toml_key(name)}]", *_calendar_lines(cal)]
    if config.teams:
        out += ["", "[teams]", *(f"{_toml_value(team)} = {_toml_value(cal)}" for team, cal in config.teams)]
    for v in config.versions:
        out += ["", *_version_lines(v)]
    return "\n".join(out) + "\n"


TIER_TERMS = ("response_target_hours", "min_attempts", "attempt_window_business_days")


def _version_lines(v: SlaVersion) -> list[str]:
    out = ["[[versions]]", f"name = {_toml_value(v.name)}", f"effective_from = {_toml_value(v.effective_from)}"]
    out += [f"{key} = {_number_text(getattr(v, key))}" for key in TERM_FIELDS]
    for tier in v.tiers:
        match = ", ".join(f"{k} = {_toml_value(list(vals))}" for k, vals in tier.match)
        out += ["", "[[versions.tiers]]", f"name = {_toml_value(tier.name)}", f"match = {{ {match} }}"]
        out += [f"{key} = {_number_text(getattr(tier, key))}" for key in TIER_TERMS if getattr(tier, key) is not None]
    return out


def version_toml(version: SlaVersion) -> str:
    """One version as a sla.toml [[versions]] block (how a draft is stored; version_from_toml reads it back)."""
    return "\n".join(_version_lines(version)) + "\n"


def version_from_toml(text: str, source: str = "draft") -> SlaVersion:
    """A [[versions]] block read through the one validator (exactly one version)."""
    config = parse_sla(text, source)
    if len(config.versions) != 1:
        raise ConfigError(source, "versions", len(config.versions), "one_version")
    return config.versions[0]


CLAUSE_KEYS = ("name", "effective_from", *TERM_FIELDS)


def with_clauses(version: SlaVersion, settings: Sequence[str], source: str = "--set") -> SlaVersion:
    """`version` with KEY=VALUE settings applied, checked by the one validator (so a proposal is refused exactly
    as an import of the same sla.toml would be). KEY is a clause of [[versions]] (CLAUSE_KEYS) or
    tiers.NAME.KEY for a tier's own target, attempts or window (KEY=none removes the override). VALUE is a TOML
    value; a bare word is a string (handoff_stage=sal)."""
    text = version_toml(version)
    raw = tomllib.loads(text)["versions"][0]
    for setting in settings:
        # a tier's name may hold "=" (its value, a number or none, never does); a version's name value may
        key, sep, value_text = setting.rpartition("=") if setting.startswith("tiers.") else setting.partition("=")
        key, value_text = key.strip(), value_text.strip()
        if not sep or not key:
            raise ConfigError(source, None, setting, "set_form")
        try:
            value = tomllib.loads(f"v = {value_text}")["v"]
        except tomllib.TOMLDecodeError:
            value = value_text
        if key.startswith("tiers."):
            tier_name, _, tier_key = key[len("tiers."):].rpartition(".")
            tier = next((t for t in raw.get("tiers", []) if t["name"] == tier_name), None)
            if tier is None or tier_key not in TIER_TERMS:
                raise ConfigError(source, key, value_text, "set_tier",
                                  tiers=", ".join(t["name"] for t in raw.get("tiers", [])) or "-",
                                  keys=", ".join(TIER_TERMS))
            if value == "none":
                tier.pop(tier_key, None)
            else:
                tier[tier_key] = value
        elif key in CLAUSE_KEYS:
            raw[key] = value
        else:
            raise ConfigError(source, key, value_text, "set_key", keys=", ".join(CLAUSE_KEYS))
    return version_from_toml(_toml_text({"versions": [raw]}), source)


def _toml_text(raw: dict) -> str:
    """A plain {"versions": [...]} dict (as tomllib read it) as TOML text, for the validator."""
    lines: list[str] = []
    for v in raw["versions"]:
        lines.append("[[versions]]")
        lines += [f"{k} = {_toml_value(x)}" for k, x in v.items() if k != "tiers"]
        for tier in v.get("tiers", []):
            lines.append("[[versions.tiers]]")
            for k, x in tier.items():
                if k == "match":
                    inner = ", ".join(f"{_toml_key(mk)} = {_toml_value(mv)}" for mk, mv in x.items())
                    lines.append(f"match = {{ {inner} }}")
                else:
                    lines.append(f"{k} = {_toml_value(x)}")
    return "\n".join(lines) + "\n"
