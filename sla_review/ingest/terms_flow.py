"""The SLA terms page's logic (no Streamlit): the values a tier can match, the Japanese defaults (the lunch break,
the year-end closure), the one check of an edited configuration, and putting it in force.

Why here and not in the page: the rules are tested without a browser, and the page only draws widgets around
them (as sla_review.ingest.data_flow does for the Data page). The check is parse_sla on to_toml(config), the
same validator the CLI and an uploaded sla.toml meet, so an edited SLA is refused exactly like a file would be.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import duckdb

from sla_review.core.problems import Problem
from sla_review.core.terms import (
    DATE_RANGE,
    TIER_MATCH_KEYS,
    Calendar,
    ConfigError,
    SlaConfig,
    parse_sla,
    to_toml,
)
from sla_review.ingest import audit
from sla_review.ingest.importer import ImportFailed, ImportSummary, data_instants, replace_terms, span_days
from sla_review.store.business_time import holiday_names

#: the lunch break a Japanese office takes, offered when a calendar is in Asia/Tokyo and has no break
LUNCH = (dt.time(12, 0), dt.time(13, 0))
LUNCH_ZONE = "Asia/Tokyo"
#: 年末年始: the common Japanese year-end closure, Dec 29 to Jan 3 (month, day), in that order
YEAR_END = ((12, 29), (12, 30), (12, 31), (1, 1), (1, 2), (1, 3))
SOURCE = "SLA terms edited on the SLA terms page"  # imports.source of a terms change made here


def imported_values(con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    """The values each tier match key can take, as imported (most leads first), and every team of the reps file
    (a team may own no lead yet and still need its calendar)."""
    rows = con.execute("SELECT segment, value FROM segment_values WHERE list_contains($keys, segment) "
                       "ORDER BY segment, leads DESC, value", {"keys": list(TIER_MATCH_KEYS)}).fetchall()
    values: dict[str, list[str]] = {k: [] for k in TIER_MATCH_KEYS}
    for segment, value in rows:
        values[segment].append(value)
    teams = [r[0] for r in con.execute("SELECT DISTINCT team FROM reps WHERE team IS NOT NULL ORDER BY team")
             .fetchall()]
    values["team"] += [t for t in teams if t not in values["team"]]
    return values


def data_days(con: duckdb.DuckDBPyConnection, config: SlaConfig) -> tuple[dt.date, dt.date] | None:
    """The local days business time is laid over (importer.span_days, in [calendar]'s zone): the year-end
    closures offered are those of these days. None when nothing is imported."""
    first, last = data_instants(con)
    return None if first is None else span_days(first, last, config.calendar.tz)


def lunch_offered(calendar: Calendar) -> bool:
    """The one-click 12:00–13:00 lunch break: offered on an Asia/Tokyo calendar with no break whose day holds it."""
    return (calendar.timezone == LUNCH_ZONE and not calendar.breaks
            and calendar.day_start <= LUNCH[0] and LUNCH[1] <= calendar.day_end)


def with_lunch(calendar: Calendar) -> Calendar:
    return dataclasses.replace(calendar, breaks=(LUNCH,))


@dataclasses.dataclass(frozen=True)
class YearEnd:
    """What the year-end button would do: the days it adds to extra_holidays, and the closure days it leaves out
    because they are closed anyway (a public holiday, with its name; not a workday; already an extra closure)."""

    added: tuple[dt.date, ...]
    holidays: tuple[tuple[dt.date, str], ...]
    not_workdays: tuple[dt.date, ...]
    already: tuple[dt.date, ...]
    years: tuple[int, ...]  # the year-ends covered: 2025 is Dec 29, 2025 to Jan 3, 2026


def year_end(calendar: Calendar, first: dt.date, last: dt.date) -> YearEnd:
    """Dec 29–Jan 3 of every year-end the data's days [first, last] touch (today included: handoffs still open
    are judged up to now), split into the days it adds and those already closed on this calendar."""
    years = tuple(y for y in range(first.year - 1, last.year + 1)
                  if dt.date(y, 12, 29) <= last and dt.date(y + 1, 1, 3) >= first
                  and DATE_RANGE[0] <= dt.date(y, 12, 29) and dt.date(y + 1, 1, 3) <= DATE_RANGE[1])
    days = [dt.date(y + (m == 1), m, d) for y in years for m, d in YEAR_END]
    if not days:
        return YearEnd((), (), (), (), ())
    public = holiday_names(dataclasses.replace(calendar, extra_holidays=()), days[0], days[-1])
    extra = set(calendar.extra_holidays)
    added, named, off, already = [], [], [], []
    for day in days:
        if day in extra:
            already.append(day)
        elif day in public:
            named.append((day, public[day]))
        elif day.weekday() not in calendar.workdays:
            off.append(day)
        else:
            added.append(day)
    return YearEnd(tuple(added), tuple(named), tuple(off), tuple(already), years)


def with_year_end(calendar: Calendar, plan: YearEnd) -> Calendar:
    return dataclasses.replace(calendar, extra_holidays=tuple(sorted({*calendar.extra_holidays, *plan.added})))


def checked(config: SlaConfig) -> SlaConfig:
    """The edited terms through the one validator (raises ConfigError with its words in every language): what
    comes back is what an sla.toml of these terms would import as."""
    return parse_sla(to_toml(config), "sla.toml")


def tier_count(config: SlaConfig) -> int:
    """Distinct tier names across versions (a tier kept from v1 to v2 is one tier, as in response_by_tier)."""
    return len(config.tier_names()) - 1


def put_in_force(con: duckdb.DuckDBPyConnection, config: SlaConfig, *, author: str | None = None) -> ImportSummary:
    """Check, then apply to the stored data all-or-nothing (importer.replace_terms), with its audit row (who);
    a refusal or a write that failed raises ImportFailed and leaves the database as it was."""
    try:
        valid = checked(config)
    except ConfigError as err:
        raise ImportFailed([err.problem()]) from None
    try:
        return replace_terms(con, valid, source=SOURCE, record=lambda import_id: audit.write(
            con, import_id, audit.Record("terms_page", author)))
    except duckdb.Error as err:  # e.g. another session writing at the same moment: the transaction rolled back
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise ImportFailed([Problem.worded("import.write_failed", "database", detail=first)]) from None
