"""Business time: a table of local days, so business_hours() is a join and a subtraction in SQL.

B(t) = business hours from the table's first day up to instant t. business_hours(t1, t2) = B(t2) - B(t1)
when t2 > t1, else 0. The table stores each day's open and close as instants, so DST is handled once,
here, by zoneinfo; the SQL never converts time zones.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import pyarrow as pa

from metrics.config import Calendar
from metrics.queries import run_sql

MARGIN_BEFORE = dt.timedelta(days=7)
MARGIN_AFTER = dt.timedelta(days=400)


def holiday_names(calendar: Calendar, first: dt.date, last: dt.date) -> dict[dt.date, str]:
    """Public holidays of the calendar's country plus the company's extra closures."""
    names: dict[dt.date, str] = {}
    if calendar.holiday_country:
        import holidays

        years = range(first.year, last.year + 1)
        names.update(holidays.country_holidays(calendar.holiday_country, years=years).items())
    for day in calendar.extra_holidays:
        names.setdefault(day, "company closure")
    return names


def business_days_table(calendar: Calendar, first: dt.date, last: dt.date) -> pa.Table:
    """One row per local day in [first, last]; a loop over days (thousands), never over data rows."""
    tz = calendar.tz
    off = holiday_names(calendar, first, last)
    cols: dict[str, list] = {k: [] for k in
                             ("day", "day_start_ts", "open_ts", "close_ts", "hours", "cum_before",
                              "is_business", "holiday")}
    cum = 0.0
    day = first
    while day <= last:
        midnight = dt.datetime.combine(day, dt.time(0), tzinfo=tz)
        business = day.weekday() in calendar.workdays and day not in off
        opens = dt.datetime.combine(day, calendar.day_start, tzinfo=tz)
        closes = dt.datetime.combine(day, calendar.day_end, tzinfo=tz) if business else opens
        hours = (closes.timestamp() - opens.timestamp()) / 3600
        for key, value in (("day", day), ("day_start_ts", midnight), ("open_ts", opens),
                           ("close_ts", closes), ("hours", hours), ("cum_before", cum),
                           ("is_business", business), ("holiday", off.get(day))):
            cols[key].append(value)
        cum += hours
        day += dt.timedelta(days=1)
    ts = pa.timestamp("us", tz="UTC")
    schema = pa.schema([("day", pa.date32()), ("day_start_ts", ts), ("open_ts", ts), ("close_ts", ts),
                        ("hours", pa.float64()), ("cum_before", pa.float64()),
                        ("is_business", pa.bool_()), ("holiday", pa.string())])
    return pa.table(cols, schema=schema)


def load_business_days(con: duckdb.DuckDBPyConnection, calendar: Calendar,
                       first: dt.date, last: dt.date) -> None:
    """Replace the business_days table for the span of the data (with margins)."""
    table = business_days_table(calendar, first - MARGIN_BEFORE, last + MARGIN_AFTER)
    con.execute("DELETE FROM business_days")
    con.register("_business_days_in", table)
    try:
        con.execute("INSERT INTO business_days SELECT * FROM _business_days_in")
    finally:
        con.unregister("_business_days_in")


def business_hours(con: duckdb.DuckDBPyConnection, t1: dt.datetime, t2: dt.datetime) -> float:
    """business_hours(t1, t2) through the same SQL the derived tables use (for checks and tests)."""
    return float(run_sql(con, "business_hours", t1=t1, t2=t2).item())
