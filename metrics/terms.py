"""SLA terms: versions, the terms in force for a period.

The rule (one, used by every page, the what-if, the deck and the CLI):
- The version *in force* on a local day is the one with the latest effective_from on or before it; before
  the earliest effective_from the earliest version is in force (DOMAIN.md; sql/derived/010 applies the same
  rule to instants for lead_facts).
- The terms *shown* for a period [from, to) judged at as_of are those of the version in force on the period's
  last judged day: the local date of min(last day of the period, as_of), never before the period's first day.
- The versions *applied* are every version in force on some day in [from, that day], oldest first, each with
  the days it covered. When there are several, the pages and the deck say so ("v1 until 2026-05-31, v2 from
  2026-06-01"); handoffs and months are still judged in SQL by their own version (lead_facts carries each
  handoff's target and minimum attempts), so the shown terms are a heading, never a verdict for earlier rows.

Why Python on the stored versions rather than a query: a handful of rows, and the deck, the CLI and the pages
must not disagree because one of them rounded a timestamp differently. No streamlit here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import duckdb

from metrics.config import SlaVersion
from metrics.report import Period

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
    from metrics.load import stored_config

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
