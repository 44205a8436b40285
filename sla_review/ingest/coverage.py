"""What the data can and cannot answer, said before the import (issue 10): what each metric will be computed from.

Why a module of its own: the Data page must tell the user, before the import button, that files without
activities give "No response data", that no rejection means "No closed-loop data", that stage dates exist only
for some steps, that leads carry no scores, which rows lie after the moment of import, and which SLA terms and
calendar will judge it all. One pure function (:func:`coverage`) turns the previewed canonical tables into those
statements; the page and the CLI only word them (sla_review.present.coverage_text). No Streamlit, no database.

The rows dated after the import are not counted here: that rule has one home, the importer
(``ImportSummary.future_rows``), and the preview's dry run is that importer (``Preview.checked``); the count is
passed in.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import duckdb
import polars as pl

from sla_review.core.terms import SlaConfig
from sla_review.core.vocabulary import LADDER, TIMESTAMP_COLUMNS
from sla_review.ingest.importer import OFFSET
from sla_review.ingest.mapping import Mapping, MappingError, apply

__all__ = ["Coverage", "Statement", "coverage", "local_span", "mapped_span"]

#: every state a statement can be in: "ok" (the metric has what it needs), "partial" (some of it), "none"
#: (nothing: the dashboard shows its honest "no data" state), "info" (a fact, no verdict)
STATES = ("ok", "partial", "none", "info")
_DATE = r"^\d{4}-\d{2}-\d{2}"


@dataclass(frozen=True)
class Statement:
    """One line of the statement: a topic (``span``, ``stages``, ``responses``, ``rejections``, ``scores``,
    ``owners``, ``future``, ``terms``), its state and the figures the words need."""

    topic: str
    state: str
    values: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Coverage:
    """The statements, in the order they are shown, and the terms that will judge the data."""

    statements: tuple[Statement, ...]
    terms: SlaConfig | None = None
    terms_source: str = "template"  # "template" (confirmed on the page), "file", "kept" (the database's)

    def get(self, topic: str) -> Statement:
        return next(s for s in self.statements if s.topic == topic)


def local_span(tables: dict[str, pl.DataFrame], tz: str) -> tuple[dt.date, dt.date] | None:
    """The first and last local date, in zone ``tz``, of the tables' timestamp columns (leads.created_at,
    stage_events.entered_at, activities.occurred_at), read as the import reads them: a value with an offset is an
    instant (2024-10-31T23:29+00:00 is 2024-11-01 in Tokyo), one without is a local time there, a bare date that
    day. None when no cell holds a date. Vectorised: one DuckDB query over the strings (values that are not
    dates are the preview's problems, not a span)."""
    parts = [frame.select(pl.col(c).cast(pl.Utf8).str.strip_chars().alias("t")) for table, frame in tables.items()
             for c in TIMESTAMP_COLUMNS.get(table, ()) if c in frame.columns and frame.height]
    if not parts:
        return None
    values = pl.concat(parts).filter(pl.col("t").str.contains(_DATE)).to_arrow()
    con = duckdb.connect()
    try:
        con.register("span_values", values)
        first, last = con.execute(
            "SELECT min(d), max(d) FROM (SELECT CASE WHEN regexp_matches(t, $offset) "
            "THEN CAST(timezone($tz, try_cast(t AS TIMESTAMPTZ)) AS DATE) "
            "ELSE try_cast(substr(t, 1, 10) AS DATE) END AS d FROM span_values)",
            {"offset": OFFSET, "tz": tz}).fetchall()[0]
    finally:
        con.close()
    return (first, last) if first is not None else None


def mapped_span(frames: dict[str, pl.DataFrame], mapping: Mapping, tz: str) -> tuple[dt.date, dt.date] | None:
    """:func:`local_span` of what ``mapping`` makes of the files (None when it cannot map them): the data's
    first day, known before any SLA is chosen (the effective date a new SLA defaults to)."""
    try:
        mapped = apply(mapping, frames)
    except (MappingError, Exception):  # noqa: BLE001 - the preview reports the reason; here there is just no span
        return None
    return local_span({"leads": mapped.leads, "stage_events": mapped.stage_events,
                       "activities": mapped.activities}, tz)


def _count(frame: pl.DataFrame | None, column: str) -> int:
    """Rows with a non-blank value in ``column`` (0 when the table or the column is absent)."""
    if frame is None or column not in frame.columns or not frame.height:
        return 0
    col = pl.col(column).cast(pl.Utf8).str.strip_chars()
    return int(frame.select((col.is_not_null() & (col != "")).sum()).item())


def _distinct(frame: pl.DataFrame | None, column: str) -> list[str]:
    if frame is None or column not in frame.columns or not frame.height:
        return []
    col = pl.col(column).cast(pl.Utf8).str.strip_chars()
    return sorted(frame.select(col.alias("v")).filter(pl.col("v").is_not_null() & (pl.col("v") != ""))
                  ["v"].unique().to_list())


def coverage(tables: dict[str, pl.DataFrame], *, terms: SlaConfig | None, terms_source: str = "template",
             future_rows: int | None = None, existing: dict[str, int] | None = None) -> Coverage:
    """What each metric will be computed from, for the previewed canonical tables (Preview.tables).

    ``terms``: the SLA that will judge the data (None: none usable yet). ``future_rows``: the importer's count of
    rows dated after the moment of import (Preview.checked.future_rows; None when the dry run did not get that
    far). ``existing``: in an append import, what the database already holds (row counts per table), so a
    table these files lack is not called empty when the database has it."""
    leads, events = tables.get("leads"), tables.get("stage_events")
    activities, reps = tables.get("activities"), tables.get("reps")
    n_leads = leads.height if leads is not None else 0
    existing = existing or {}
    out: list[Statement] = []

    span = local_span(tables, terms.calendar.timezone if terms is not None else "UTC")
    out.append(Statement("span", "info" if span else "none",
                         {"leads": n_leads, "first": span[0] if span else None, "last": span[1] if span else None,
                          "tz": terms.calendar.timezone if terms is not None else "UTC"}))

    stage_counts: dict[str, int] = {}
    if events is not None and events.height:
        grouped = events.group_by("stage").len().filter(pl.col("stage").is_not_null())
        stage_counts = dict(zip(grouped["stage"].to_list(), grouped["len"].to_list(), strict=True))
    present = [s for s in LADDER if stage_counts.get(s)]
    missing = [s for s in LADDER if not stage_counts.get(s)]
    out.append(Statement("stages", "ok" if not missing else "partial" if present else "none",
                         {"present": tuple((s, int(stage_counts[s])) for s in present), "missing": tuple(missing)}))

    n_acts = activities.height if activities is not None else 0
    out.append(Statement("responses", "ok" if n_acts else "none", {
        "activities": n_acts, "leads": len(_distinct(activities, "lead_id")),
        "reps": len(_distinct(activities, "rep_id")),
        "channels": tuple(_distinct(activities, "channel")), "existing": int(existing.get("activities", 0))}))

    rejected = events.filter(pl.col("stage") == "rejected") if events is not None and events.height else None
    n_rej = rejected.height if rejected is not None else 0
    out.append(Statement("rejections", "ok" if n_rej else "none",
                         {"rejections": n_rej, "with_reason": _count(rejected, "reason"),
                          "existing": int(existing.get("rejections", 0))}))

    fit, engagement = _count(leads, "fit_score"), _count(leads, "engagement_score")
    scored = 0
    if n_leads and "fit_score" in leads.columns and "engagement_score" in leads.columns:
        both = [pl.col(c).cast(pl.Utf8).str.strip_chars() for c in ("fit_score", "engagement_score")]
        scored = int(leads.select(((both[0].is_not_null() & (both[0] != ""))
                                   & (both[1].is_not_null() & (both[1] != ""))).sum()).item())
    absent = tuple(name for name, n in (("fit", fit), ("engagement", engagement)) if not n)
    out.append(Statement("scores", "ok" if n_leads and scored == n_leads else "partial" if scored else "none",
                         {"scored": scored, "leads": n_leads, "fit": fit, "engagement": engagement,
                          "absent": absent}))

    owners = _count(leads, "owner_id")
    teams = tuple(_distinct(reps, "team"))
    out.append(Statement("owners", "ok" if n_leads and owners == n_leads else "partial" if owners else "none",
                         {"owned": owners, "leads": n_leads, "reps": reps.height if reps is not None else 0,
                          "teams": teams}))

    out.append(Statement("future", "info" if future_rows is None else "partial" if future_rows else "ok",
                         {"rows": future_rows}))
    out.append(Statement("terms", "info" if terms is not None else "none", {"source": terms_source}))
    return Coverage(tuple(out), terms, terms_source)
