"""Review periods, defined once: presets, the comparison period, its as_of, and months elapsed.

Why one module: the sidebar, the deck, the CLI and the benchmark each used to compute "the previous period"
and "months so far" their own way; a half-year compared with 183 days on one screen and with six months on
another. Every caller now asks here. Pure date arithmetic, no database and no streamlit.
A period is [from_day, to_day) in local dates, judged at the instant as_of (Period, below).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass

PRESETS = ("last_half", "this_half", "last_quarter", "this_quarter", "last_6m", "last_12m", "custom")
COMPARISONS = ("previous", "year", "none", "custom")
_PRESET_MONTHS = {"last_half": 6, "this_half": 6, "last_quarter": 3, "this_quarter": 3, "last_6m": 6,
                  "last_12m": 12}
# The dates a view may name ([from, to), to exclusive), from a link or a date picker. Outside them the date
# arithmetic breaks (year 0001's comparison a year earlier is year 0) and no CRM export has data.
VIEW_BOUNDS = (dt.date(1970, 1, 1), dt.date(2100, 1, 1))


@dataclass(frozen=True)
class Period:
    """[from_day, to_day) in local dates, judged at the instant as_of."""

    from_day: dt.date
    to_day: dt.date
    as_of: dt.datetime
    tz: str

    def params(self) -> dict[str, object]:
        import zoneinfo

        tz = zoneinfo.ZoneInfo(self.tz)
        return {"from_day": self.from_day, "to_day": self.to_day, "as_of": self.as_of,
                "from_ts": dt.datetime.combine(self.from_day, dt.time(0), tzinfo=tz),
                "to_ts": dt.datetime.combine(self.to_day, dt.time(0), tzinfo=tz)}


def usable_range(start: object, end: object) -> bool:
    """Is [start, end) a non-empty range of dates inside VIEW_BOUNDS? (A crafted link is checked here.)"""
    return (isinstance(start, dt.date) and isinstance(end, dt.date) and not isinstance(start, dt.datetime)
            and not isinstance(end, dt.datetime) and VIEW_BOUNDS[0] <= start < end <= VIEW_BOUNDS[1])


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later (clamped to the month's end): period arithmetic without dateutil."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    first_next = dt.date(year + (month + 1) // 12, (month + 1) % 12 + 1, 1)
    return dt.date(year, month + 1, min(day.day, (first_next - dt.timedelta(days=1)).day))


def fiscal_block_start(day: dt.date, fy_start: int, months: int) -> dt.date:
    """First day of the fiscal half (months=6) or quarter (3) containing `day`, the year starting in fy_start."""
    offset = (day.month - fy_start) % 12
    return add_months(dt.date(day.year, day.month, 1), -(offset % months))


def preset_range(preset: str, today: dt.date, fy_start: int = 4) -> tuple[dt.date, dt.date, int]:
    """[from, to) of a preset judged on `today` (the local date of the default as_of) and its length in months.

    "this" periods end after today (no empty future months); "last" ones are the complete block before;
    the N-month presets are the N full calendar months before today's month.
    """
    if preset not in _PRESET_MONTHS:
        raise ValueError(f"unknown preset {preset!r}")
    months = _PRESET_MONTHS[preset]
    if preset.endswith(("_6m", "_12m")):
        end = dt.date(today.year, today.month, 1)
        return add_months(end, -months), end, months
    start = fiscal_block_start(today, fy_start, months)
    if preset.startswith("this"):
        return start, min(add_months(start, months), today + dt.timedelta(days=1)), months
    return add_months(start, -months), start, months


def whole_months(start: dt.date, end: dt.date) -> int | None:
    """How many calendar months [start, end) spans when both ends are first days of a month (else None)."""
    if start.day != 1 or end.day != 1 or end <= start:
        return None
    return (end.year - start.year) * 12 + end.month - start.month


def comparison_range(kind: str, start: dt.date, end: dt.date, months: int | None = None,
                     custom: tuple[dt.date, dt.date] | None = None) -> tuple[dt.date, dt.date] | None:
    """The comparison period: the previous one of the same length (by months when the period is whole months
    or a preset of `months`, else by days), the same dates a year earlier, a custom range, or none."""
    if kind == "none":
        return None
    if kind == "custom":
        return custom
    if kind == "year":
        return add_months(start, -12), add_months(end, -12)
    return previous_range(start, end, months)


def previous_range(start: dt.date, end: dt.date, months: int | None = None) -> tuple[dt.date, dt.date]:
    """The period of the same length just before [start, end): a half-year compares with the previous
    half-year (by months), a 14-day window with the 14 days before."""
    months = months or whole_months(start, end)
    if months:
        return add_months(start, -months), add_months(end, -months)
    return start - (end - start), start


def comparison_as_of(as_of: dt.datetime, start: dt.date, cmp_start: dt.date) -> dt.datetime:
    """Judge the comparison period at the same age as the main one (a fair MQL→SQL or pending count),
    never later than the data itself."""
    return min(as_of, as_of - (start - cmp_start))


def view_period(start: dt.date, end: dt.date, as_of: dt.datetime, tz: str) -> Period:
    """A Period from dates and an instant (as_of shown in the calendar's zone)."""
    return Period(start, end, as_of.astimezone(zoneinfo.ZoneInfo(tz)), tz)


def comparison_period(period: Period, kind: str = "previous", months: int | None = None,
                      custom: tuple[dt.date, dt.date] | None = None) -> Period | None:
    """The comparison of `period` as a Period judged at the same age (None for "none" or an empty range)."""
    bounds = comparison_range(kind, period.from_day, period.to_day, months, custom)
    if bounds is None or bounds[1] <= bounds[0]:
        return None
    return view_period(bounds[0], bounds[1], comparison_as_of(period.as_of, period.from_day, bounds[0]),
                       period.tz)


def months_elapsed(period: Period) -> float:
    """Calendar months in [from, min(to, as_of)), fractional by time: the divisor of every "per month" figure.
    A period still running at as_of counts only the part already seen, so MQLs per month are not diluted by
    days with no data yet."""
    tz = zoneinfo.ZoneInfo(period.tz)
    start = dt.datetime.combine(period.from_day, dt.time(0), tzinfo=tz)
    end = min(dt.datetime.combine(period.to_day, dt.time(0), tzinfo=tz), period.as_of.astimezone(tz))
    total = 0.0
    month = start.replace(day=1)
    while month < end:
        following = dt.datetime.combine(add_months(month.date(), 1), dt.time(0), tzinfo=tz)
        low, high = max(start, month), min(end, following)
        if high > low:
            total += (high - low) / (following - month)
        month = following
    return total


def running_month(period: Period) -> str | None:
    """The month ('2026-09', in the calendar's zone) still running at the period's as_of, drawn as partial;
    None once the period is over. One rule for the scorecard page and the deck."""
    local = period.as_of.astimezone(zoneinfo.ZoneInfo(period.tz)) if period.as_of.tzinfo else period.as_of
    return local.strftime("%Y-%m") if period.from_day <= local.date() < period.to_day else None
