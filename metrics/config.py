"""sla.toml: the business calendar and the SLA versions, parsed and checked.

Everything a metric needs to know about the agreement lives here, so that a bad file is refused with a
message that names the key and value before anything reaches the database.
"""

from __future__ import annotations

import datetime as dt
import tomllib
import zoneinfo
from dataclasses import dataclass, field

from metrics.vocabulary import LADDER

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
