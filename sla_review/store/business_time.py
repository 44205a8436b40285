"""Business time: a table of open spans per calendar, so business_hours() is a join and a subtraction in SQL.

B(t) = business time of t's calendar from the table's first day up to instant t, in integer microseconds (so
differences are exact whatever day the table starts on). business_hours(t1, t2) = (B(t2) - B(t1)) / 3.6e9 when
t2 > t1, else 0. A business day is [day_start, day_end) minus its breaks: one span per open part. The table
stores each span's open and close as instants, so DST is handled once, here, by zoneinfo, on each calendar's
own zone; the SQL never converts time zones for business time.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Sequence

import duckdb
import pyarrow as pa

from sla_review.core.terms import Calendar, SlaConfig
from sla_review.store.sql import run_sql

MARGIN_BEFORE = dt.timedelta(days=7)
MARGIN_AFTER = dt.timedelta(days=400)
DEFAULT_CALENDAR = ""  # business_spans.calendar of [calendar]; a named calendar's id is its name


def holiday_names(calendar: Calendar, first: dt.date, last: dt.date) -> dict[dt.date, str]:
    """Public holidays of the calendar's country (and subdivision) plus the company's extra closures."""
    names: dict[dt.date, str] = {}
    if calendar.holiday_country:
        import holidays

        years = range(first.year, last.year + 1)
        names.update(holidays.country_holidays(calendar.holiday_country, subdiv=calendar.holiday_subdivision,
                                               years=years).items())
    for day in calendar.extra_holidays:
        names.setdefault(day, "company closure")
    return names


def calendars_of(config: SlaConfig) -> list[tuple[str, Calendar]]:
    """Every calendar business time is counted on, with its id in business_spans."""
    return [(DEFAULT_CALENDAR, config.calendar), *config.calendars]


def business_spans_table(calendars: Sequence[tuple[str, Calendar]], first: dt.date, last: dt.date) -> pa.Table:
    """The open spans of every local day in [first, last] of each calendar; a loop over days and calendars
    (thousands of rows), never over data rows."""
    cols: dict[str, list] = {k: [] for k in ("calendar", "open_ts", "close_ts", "span_us", "cum_before_us")}

    def add(name: str, opens: dt.datetime, closes: dt.datetime, micros: int, cum: int) -> None:
        for key, value in (("calendar", name), ("open_ts", opens), ("close_ts", closes), ("span_us", micros),
                           ("cum_before_us", cum)):
            cols[key].append(value)

    for name, calendar in calendars:
        tz, off, parts = calendar.tz, holiday_names(calendar, first, last), calendar.open_parts()
        midnight = dt.datetime.combine(first, dt.time(0), tzinfo=tz)
        add(name, midnight, midnight, 0, 0)  # every instant from the first midnight on finds a row
        cum, day = 0, first
        while day <= last:
            if day.weekday() in calendar.workdays and day not in off:
                for start, end in parts:
                    opens = dt.datetime.combine(day, start, tzinfo=tz)
                    closes = dt.datetime.combine(day, end, tzinfo=tz)
                    micros = _micros(closes) - _micros(opens)  # integers: exact, DST-aware through the instants
                    add(name, opens, closes, micros, cum)
                    cum += micros
            day += dt.timedelta(days=1)
    ts = pa.timestamp("us", tz="UTC")
    schema = pa.schema([("calendar", pa.string()), ("open_ts", ts), ("close_ts", ts), ("span_us", pa.int64()),
                        ("cum_before_us", pa.int64())])
    return pa.table(cols, schema=schema)


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def _micros(t: dt.datetime) -> int:
    """Microseconds since the epoch of an aware instant, in integers (timestamp() is a float)."""
    return (t - _EPOCH) // dt.timedelta(microseconds=1)


def load_business_spans(con: duckdb.DuckDBPyConnection, config: SlaConfig, first: dt.date, last: dt.date) -> None:
    """Replace the business_spans table for the span of the data (with margins), every calendar."""
    table = business_spans_table(calendars_of(config), first - MARGIN_BEFORE, last + MARGIN_AFTER)
    con.execute("DELETE FROM business_spans")
    con.register("_business_spans_in", table)
    try:
        con.execute("INSERT INTO business_spans SELECT * FROM _business_spans_in")
    finally:
        con.unregister("_business_spans_in")


def business_hours(con: duckdb.DuckDBPyConnection, t1: dt.datetime, t2: dt.datetime,
                   calendar: str = DEFAULT_CALENDAR) -> float:
    """business_hours(t1, t2) on one calendar, through the same SQL the derived tables use (checks and tests)."""
    return float(run_sql(con, "business_hours", t1=t1, t2=t2, calendar=calendar).item())


# --------------------------------------------------------------------------------------------------
# Naive local timestamps (DOMAIN.md "Exactness and ambiguous input"): the one rule for the importer, mappings
# (which hand the importer text) and --as-of. In the repeated hour when DST ends a naive time is its FIRST
# occurrence (the earlier instant); in the hour skipped when DST starts it moves forward by the gap. That is
# Python's fold=0; the SQL below is the same rule for whole columns, checked against zoneinfo in the tests.

def local_instant(naive: dt.datetime, tz: str) -> dt.datetime:
    """The instant (UTC) of a naive local time in zone `tz`, fold=0 (an aware input is returned as is)."""
    if naive.tzinfo is not None:
        return naive
    return naive.replace(tzinfo=zoneinfo.ZoneInfo(tz), fold=0).astimezone(dt.UTC)


# l: a naive TIMESTAMP, tz: a zone name. _at_offset reads l at the UTC offset in force about a day before
# (d < 0) or after (d > 0) it: before a transition that is the old offset, after it the new one. The old
# offset is right unless it does not map back to l (l is past a transition), then the new one; when neither
# does, l is in a skipped hour and the old offset moves it forward by the gap (fold=0). DuckDB's own
# timezone(tz, l) takes the later occurrence of a repeated hour, which is why it is not used alone.
LOCAL_INSTANT_MACROS = """
CREATE OR REPLACE TEMP MACRO _utc_offset(u, tz) AS timezone(tz, u) - timezone('UTC', u);
CREATE OR REPLACE TEMP MACRO _at_offset(l, tz, d) AS timezone('UTC', l - _utc_offset(timezone('UTC', l + d), tz));
CREATE OR REPLACE TEMP MACRO local_instant(l, tz) AS
    CASE WHEN l IS NULL THEN NULL
         WHEN timezone(tz, _at_offset(l, tz, INTERVAL '-1 day')) = l THEN _at_offset(l, tz, INTERVAL '-1 day')
         WHEN timezone(tz, _at_offset(l, tz, INTERVAL '1 day')) = l THEN _at_offset(l, tz, INTERVAL '1 day')
         ELSE _at_offset(l, tz, INTERVAL '-1 day') END;
"""


def install_local_instant(con: duckdb.DuckDBPyConnection) -> None:
    """Define the SQL macro local_instant(naive TIMESTAMP, tz) on this connection (temporary)."""
    con.execute(LOCAL_INSTANT_MACROS)
