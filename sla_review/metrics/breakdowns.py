"""The dashboard's breakdowns: one thin function per query of sql/metrics/ a page draws (filters in, frames out),
plus the small shaping of their results the pages show, the data status and the sidebar's filter options.

Why a module of its own: pages stay declarations (sla_review.metrics.views) and everything here is plain Python
with no streamlit, so it can be tested without a browser and cached by sla_review.app.ui on (data version,
period, filters). Every number follows docs/definitions.md; report() is sla_review.metrics.report.build_report.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import polars as pl

from sla_review.core.periods import Period
from sla_review.core.vocabulary import SEGMENTS, Filters
from sla_review.metrics import intervals
from sla_review.metrics.report import ALL_SECTIONS, build_report, query, response_by_tier, tiers_apply
from sla_review.store.sql import run_sql

RESPONSE_DIMS = ("owner", "team", "channel", "weekday", "hour", "source", "campaign")
CLOSED_LOOP_DIMS = ("reason", "source", "campaign", "band", "month")


def status(con: duckdb.DuckDBPyConnection) -> dict:
    """Is there data, is it the demo, which import: read before any page draws."""
    return query_plain(con, "data_status").row(0, named=True)


def query_plain(con: duckdb.DuckDBPyConnection, name: str, **params: object) -> pl.DataFrame:
    """A dash_*.sql query that takes no period or filters."""
    return run_sql(con, name, **params)


def data_span(con: duckdb.DuckDBPyConnection) -> tuple[dt.datetime | None, dt.datetime | None]:
    """First and last lead creation (for the "nothing in this period" hint)."""
    row = status(con)
    return row["first_created"], row["last_created"]


def segment_values(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """segment, value, label, leads: the options of the sidebar's segment filters."""
    return query_plain(con, "segment_values")


def report(con: duckdb.DuckDBPyConnection, period: Period, filters: Filters,
           sections: tuple[str, ...] = ALL_SECTIONS) -> dict:
    """DOMAIN.md's report object (the scorecard's single source); a page that reads only some of its sections
    asks for those (sla_review.metrics.views), so it does not pay for the queries of the others."""
    return build_report(con, period, (), filters, sections)


def response_tiers(con: duckdb.DuckDBPyConnection, period: Period, filters: Filters | None = None) -> list[dict]:
    """response_by_tier for a page: its rows when a version applied in the period has tiers, else [] without
    running the query (a page without tiers pays nothing for them)."""
    from sla_review.core.terms import for_period
    from sla_review.ingest.importer import stored_config

    if not con.execute("SELECT count(*) FROM sla_versions").fetchall()[0][0]:
        return []
    config = stored_config(con)  # once: the versions applied and the tiers' names and targets
    applied = [a.version for a in for_period(config.versions, period).applied]
    return response_by_tier(con, period, filters, config=config) if tiers_apply(applied) else []


def activity(con: duckdb.DuckDBPyConnection, period: Period, filters: Filters) -> dict:
    """created / mqls / handoffs / side events in the period: all zero means "nothing to show"."""
    return query(con, "period_activity", period, filters).row(0, named=True)


def funnel(con: duckdb.DuckDBPyConnection, period: Period, filters: Filters, view: str = "cohort") -> pl.DataFrame:
    """step, stage, count, pct_prev, pct_first for the cohort (created in period) or flow (reached in period)."""
    frame = query(con, "funnel_cohort" if view == "cohort" else "funnel_flow", period, filters)
    return with_step_shares(frame, nested=view == "cohort")


def with_step_shares(frame: pl.DataFrame, nested: bool = False) -> pl.DataFrame:
    """% of the previous step and of the first step; null where the base is zero (never NaN). Nested (the
    cohort view: a step's leads are a subset of the step before, so each share is k of n): each share with its
    Wilson 95% interval (pct_prev_low/_high, ...) and whether its base has MIN_CASES leads (pct_prev_judged).
    The flow view counts different leads per step (a share may pass 100%): no interval."""
    counts = frame["count"].to_list()
    first = counts[0] if counts else 0
    prev = [None, *counts[:-1]]
    out = frame.with_columns(
        pl.Series("pct_prev", [c / p if p else None for c, p in zip(counts, prev, strict=True)],
                  dtype=pl.Float64),
        pl.Series("pct_first", [c / first if first else None for c in counts], dtype=pl.Float64),
        pl.col("count").shift(1).alias("_prev"), pl.col("count").first().alias("_first"),
    )
    if not nested:
        return out.drop("_prev", "_first")
    out = intervals.with_wilson(intervals.with_wilson(out, "count", "_prev", "pct_prev"), "count", "_first",
                                "pct_first")
    return out.drop("_prev", "_first")


def with_comparison(cur: pl.DataFrame, cmp: pl.DataFrame | None) -> pl.DataFrame:
    """The funnel table: this period's steps with the comparison's count and share of the first step beside
    them (the same stages in the same order, so column by column)."""
    if cmp is None:
        return cur
    return cur.with_columns(cmp["count"].alias("cmp_count"), cmp["pct_first"].alias("cmp_first"))


def funnel_by(con: duckdb.DuckDBPyConnection, period: Period, filters: Filters, segment: str) -> pl.DataFrame:
    """Cohort funnel per value of one segment (wide: one column per stage)."""
    _check(segment, SEGMENTS)
    return query(con, "funnel_by_segment", period, filters, segment=segment)


def stage_days(con: duckdb.DuckDBPyConnection, period: Period, filters: Filters) -> pl.DataFrame:
    """Median and p90 days between consecutive ladder stages (cohort)."""
    return query(con, "stage_velocity", period, filters)


def mql_cohorts(con: duckdb.DuckDBPyConnection, period: Period, filters: Filters, days: int = 90) -> pl.DataFrame:
    """Monthly MQL cohorts with conversion within `days` days (with its 95% interval) and a maturity flag."""
    return intervals.with_wilson(query(con, "mql_to_sql_by_month", period, filters, days=int(days)),
                                 "converted_within", "mqls", "rate_within")


def mql_curve(con: duckdb.DuckDBPyConnection, period: Period, filters: Filters, max_days: int = 180) -> pl.DataFrame:
    """Cumulative conversion by days since MQL (censoring-aware, see the SQL)."""
    return query(con, "mql_to_sql_curve", period, filters, max_days=int(max_days))


def conversion_by(con: duckdb.DuckDBPyConnection, period: Period, filters: Filters, segment: str,
                  days: int = 90) -> pl.DataFrame:
    """MQL→SQL per value of one segment (to date and within `days`)."""
    _check(segment, SEGMENTS)
    frame = query(con, "mql_to_sql_by_segment", period, filters, segment=segment, days=int(days))
    return intervals.with_wilson(intervals.with_wilson(frame, "converted", "mqls", "rate"), "converted_within",
                                 "mature", "rate_within")


def conversion_measure(by: pl.DataFrame) -> str:
    """Which rate the conversion breakdown shows: "within N days" once any segment has a mature cohort,
    else the rate to date (a young period has no within-N figure yet)."""
    return "rate_within" if by.height and by["mature"].sum() > 0 else "rate"


def response_hist(con: duckdb.DuckDBPyConnection, period: Period, filters: Filters, bin_hours: float = 0.5,
                  max_hours: float = 24.0) -> pl.DataFrame:
    """Right-closed bins of business hours to first response with the ECDF at each bin's right edge."""
    max_bin = int(round(max_hours / bin_hours)) + 1
    frame = query(con, "response_histogram", period, filters, bin_hours=float(bin_hours), max_bin=max_bin)
    total = int(frame["handoffs"].sum()) if frame.height else 0
    return frame.with_columns(
        (pl.col("bin").cast(pl.Float64) * bin_hours).alias("upper"),
        ((pl.col("bin").cast(pl.Float64) - 1).clip(lower_bound=0) * bin_hours).alias("lower"),
        (pl.col("bin") >= max_bin).alias("overflow"),
        (pl.col("handoffs").cum_sum() / total if total else pl.lit(None, dtype=pl.Float64)).alias("ecdf"),
    )


def response_by(con: duckdb.DuckDBPyConnection, period: Period, filters: Filters, dim: str,
                dim2: str = "none") -> pl.DataFrame:
    """Response and follow-up per value of one (or two) dimensions."""
    _check(dim, RESPONSE_DIMS)
    _check(dim2, ("none", "weekday", "hour", "team"))
    frame = query(con, "response_by_dimension", period, filters, dim=dim, dim2=dim2)
    frame = frame.with_columns((pl.col("within_target") + pl.col("breached")).alias("judged"))
    return intervals.with_wilson(intervals.with_wilson(frame, "within_target", "judged", "attainment"), "compliant",
                                 "due", "follow_up_rate")


def breaches(con: duckdb.DuckDBPyConnection, period: Period, filters: Filters, limit: int = 100_000) -> pl.DataFrame:
    """Breached handoffs, longest first (local handoff time)."""
    return query(con, "response_breaches", period, filters, limit=int(limit), tz=period.tz)


def followup_attempts(con: duckdb.DuckDBPyConnection, period: Period, filters: Filters,
                      max_attempts: int = 6) -> pl.DataFrame:
    """Due handoffs by number of attempts within the window."""
    return query(con, "follow_up_attempts", period, filters, max_attempts=int(max_attempts))


def closed_loop_by(con: duckdb.DuckDBPyConnection, period: Period, filters: Filters, dim: str) -> pl.DataFrame:
    """Rejected / recycled events in the period by one dimension (stage, key, count)."""
    _check(dim, CLOSED_LOOP_DIMS)
    frame = query(con, "closed_loop_by_dimension", period, filters, dim=dim)
    if dim == "band":
        frame = frame.with_columns(
            pl.when(pl.col("key") == "(none)").then(pl.col("key"))
            .otherwise(pl.col("key").cast(pl.Int64, strict=False).cast(pl.Utf8) + "–"
                       + (pl.col("key").cast(pl.Int64, strict=False) + pl.when(pl.col("key") == "090")
                          .then(10).otherwise(9)).cast(pl.Utf8)).alias("label"),
        )
    else:
        frame = frame.with_columns(pl.col("key").alias("label"))
    return frame


def acceptance(con: duckdb.DuckDBPyConnection, period: Period, filters: Filters) -> pl.DataFrame:
    """Monthly MQL cohorts: accepted (reached sal), rejected, recycled; acceptance with its 95% interval."""
    return intervals.with_wilson(query(con, "acceptance_by_month", period, filters), "accepted", "mqls", "acceptance")


CLOSED_LOOP_STAGES = ("rejected", "recycled")


def closed_loop_summary(acc: pl.DataFrame, acc_cmp: pl.DataFrame | None, reasons: pl.DataFrame,
                        reasons_cmp: pl.DataFrame | None, mqls: int) -> dict:
    """The closed-loop page's three figures: acceptance (accepted / MQLs of the period's monthly cohorts) and
    the rejected and recycled event counts, each with its change against the comparison (None without one),
    and each count per MQL of the period (the report's mql_count; None without MQLs)."""
    def rate(frame: pl.DataFrame | None) -> float | None:
        if frame is None or not int(frame["mqls"].sum()):
            return None
        return int(frame["accepted"].sum()) / int(frame["mqls"].sum())

    def sums(frame: pl.DataFrame | None) -> tuple[int | None, int | None]:
        return (None, None) if frame is None else (int(frame["accepted"].sum()), int(frame["mqls"].sum()))

    def counts(frame: pl.DataFrame | None) -> dict[str, int] | None:
        if frame is None:
            return None
        return {s: int(frame.filter(pl.col("stage") == s)["count"].sum()) for s in CLOSED_LOOP_STAGES}

    now, before = counts(reasons), counts(reasons_cmp)
    r, r_cmp = rate(acc), rate(acc_cmp)
    (k, n), (k_cmp, n_cmp) = sums(acc), sums(acc_cmp)
    d_rate = r - r_cmp if r is not None and r_cmp is not None else None
    return {"acceptance": r, "d_acceptance": d_rate, "acceptance_ci": intervals.wilson(k, n),
            "acceptance_noise": intervals.change_verdict(k, n, k_cmp, n_cmp) if d_rate is not None else None,
            "counts": now, "deltas": {s: now[s] - before[s] if before is not None else None for s in now},
            "per_mql": {s: now[s] / mqls if mqls else None for s in now}}


def reps_handling(con: duckdb.DuckDBPyConnection, period: Period, filters: Filters) -> int:
    """Reps owning handed-over leads in the period (divisor of "MQLs per rep")."""
    return int(query(con, "reps_handling", period, filters).item(0, 0) or 0)


def whatif_curve(con: duckdb.DuckDBPyConnection, period: Period, filters: Filters, fit_weight: float,
                 engagement_weight: float) -> pl.DataFrame:
    """Volume and yield at every threshold 0..100 for the given weights (sla_review.metrics.whatif)."""
    from sla_review.metrics import whatif

    return whatif.threshold_curve(con, period, filters, fit_weight, engagement_weight)


def whatif_heatmap(con: duckdb.DuckDBPyConnection, period: Period, filters: Filters, bins: int = 10) -> pl.DataFrame:
    """Observed conversion per fit x engagement bin (sla_review.metrics.whatif)."""
    from sla_review.metrics import whatif

    return whatif.heatmap(con, period, filters, bins)


def whatif_method() -> str:
    from sla_review.metrics import whatif

    return whatif.ESTIMATE_METHOD


def _check(value: str, allowed: tuple[str, ...]) -> None:
    """Names that pick a column inside SQL come from fixed lists only."""
    if value not in allowed:
        raise ValueError(f"{value!r} is not one of {allowed}")
