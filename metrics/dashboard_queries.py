"""The dashboard's data: thin wrappers over sql/metrics/dash_*.sql, period presets and the scorecard's logic.

Why a module of its own: pages stay thin (filters in, frames out) and everything here is plain Python with no
streamlit, so it can be tested without a browser and cached by metrics.ui on (data version, period, filters).
Every number follows DOMAIN.md; the scorecard's figures come from metrics.report.build_report so the
dashboard, the CLI and the deck can never disagree.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

import duckdb
import polars as pl

from metrics.periods import add_months, months_elapsed
from metrics.queries import run_sql
from metrics.report import Filters, Period, build_report, query
from metrics.terms import PeriodTerms, period_terms
from metrics.vocabulary import SEGMENTS

RESPONSE_DIMS = ("owner", "team", "channel", "weekday", "hour", "source", "campaign")
CLOSED_LOOP_DIMS = ("reason", "source", "campaign", "band", "month")
CSV_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


# ---------------------------------------------------------------- queries


def status(con: duckdb.DuckDBPyConnection) -> dict:
    """Is there data, is it the demo, which import: read before any page draws."""
    return query_plain(con, "dash_status").row(0, named=True)


def query_plain(con: duckdb.DuckDBPyConnection, name: str, **params: object) -> pl.DataFrame:
    """A dash_*.sql query that takes no period or filters."""
    return run_sql(con, name, **params)


def data_span(con: duckdb.DuckDBPyConnection) -> tuple[dt.datetime | None, dt.datetime | None]:
    """First and last lead creation (for the "nothing in this period" hint)."""
    row = status(con)
    return row["first_created"], row["last_created"]


def segment_values(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """segment, value, label, leads: the options of the sidebar's segment filters."""
    return query_plain(con, "dash_segment_values")


def terms(con: duckdb.DuckDBPyConnection, period: Period) -> PeriodTerms | None:
    """The SLA terms shown for the period and every version applied in it (metrics.terms' one rule)."""
    return period_terms(con, period)


def report(con: duckdb.DuckDBPyConnection, period: Period, filters: Filters) -> dict:
    """DOMAIN.md's report object: the scorecard's single source."""
    return build_report(con, period, (), filters)


COMPARISON_SECTIONS = ("mql_count", "mql_to_sql", "response", "follow_up", "rejections")


def comparison_report(con: duckdb.DuckDBPyConnection, period: Period, filters: Filters) -> dict:
    """The parts of the report the scorecard compares against (tiles() reads nothing else from it)."""
    return build_report(con, period, (), filters, sections=COMPARISON_SECTIONS)


def activity(con: duckdb.DuckDBPyConnection, period: Period, filters: Filters) -> dict:
    """created / mqls / handoffs / side events in the period: all zero means "nothing to show"."""
    return query(con, "dash_period_activity", period, filters).row(0, named=True)


def funnel(con: duckdb.DuckDBPyConnection, period: Period, filters: Filters, view: str = "cohort") -> pl.DataFrame:
    """step, stage, count, pct_prev, pct_first for the cohort (created in period) or flow (reached in period)."""
    frame = query(con, "funnel_cohort" if view == "cohort" else "dash_funnel_flow", period, filters)
    return with_step_shares(frame)


def with_step_shares(frame: pl.DataFrame) -> pl.DataFrame:
    """% of the previous step and of the first step; null where the base is zero (never NaN)."""
    counts = frame["count"].to_list()
    first = counts[0] if counts else 0
    prev = [None, *counts[:-1]]
    return frame.with_columns(
        pl.Series("pct_prev", [c / p if p else None for c, p in zip(counts, prev, strict=True)],
                  dtype=pl.Float64),
        pl.Series("pct_first", [c / first if first else None for c in counts], dtype=pl.Float64),
    )


def funnel_by(con: duckdb.DuckDBPyConnection, period: Period, filters: Filters, segment: str) -> pl.DataFrame:
    """Cohort funnel per value of one segment (wide: one column per stage)."""
    _check(segment, SEGMENTS)
    return query(con, "dash_funnel_by", period, filters, segment=segment)


def stage_days(con: duckdb.DuckDBPyConnection, period: Period, filters: Filters) -> pl.DataFrame:
    """Median and p90 days between consecutive ladder stages (cohort)."""
    return query(con, "dash_stage_days", period, filters)


def mql_cohorts(con: duckdb.DuckDBPyConnection, period: Period, filters: Filters, days: int = 90) -> pl.DataFrame:
    """Monthly MQL cohorts with conversion within `days` days and a maturity flag."""
    return query(con, "dash_mql_cohorts", period, filters, days=int(days))


def mql_curve(con: duckdb.DuckDBPyConnection, period: Period, filters: Filters, max_days: int = 180) -> pl.DataFrame:
    """Cumulative conversion by days since MQL (censoring-aware, see the SQL)."""
    return query(con, "dash_mql_curve", period, filters, max_days=int(max_days))


def conversion_by(con: duckdb.DuckDBPyConnection, period: Period, filters: Filters, segment: str,
                  days: int = 90) -> pl.DataFrame:
    """MQL→SQL per value of one segment (to date and within `days`)."""
    _check(segment, SEGMENTS)
    return query(con, "dash_conversion_by", period, filters, segment=segment, days=int(days))


def response_hist(con: duckdb.DuckDBPyConnection, period: Period, filters: Filters, bin_hours: float = 0.5,
                  max_hours: float = 24.0) -> pl.DataFrame:
    """Right-closed bins of business hours to first response with the ECDF at each bin's right edge."""
    max_bin = int(round(max_hours / bin_hours)) + 1
    frame = query(con, "dash_response_hist", period, filters, bin_hours=float(bin_hours), max_bin=max_bin)
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
    return query(con, "dash_response_by", period, filters, dim=dim, dim2=dim2)


def breaches(con: duckdb.DuckDBPyConnection, period: Period, filters: Filters, limit: int = 100_000) -> pl.DataFrame:
    """Breached handoffs, longest first (local handoff time)."""
    return query(con, "dash_response_breaches", period, filters, limit=int(limit), tz=period.tz)


def followup_attempts(con: duckdb.DuckDBPyConnection, period: Period, filters: Filters,
                      max_attempts: int = 6) -> pl.DataFrame:
    """Due handoffs by number of attempts within the window."""
    return query(con, "dash_followup_attempts", period, filters, max_attempts=int(max_attempts))


def closed_loop_by(con: duckdb.DuckDBPyConnection, period: Period, filters: Filters, dim: str) -> pl.DataFrame:
    """Rejected / recycled events in the period by one dimension (stage, key, count)."""
    _check(dim, CLOSED_LOOP_DIMS)
    frame = query(con, "dash_closed_loop_by", period, filters, dim=dim)
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
    """Monthly MQL cohorts: accepted (reached sal), rejected, recycled."""
    return query(con, "dash_acceptance", period, filters)


def reps_handling(con: duckdb.DuckDBPyConnection, period: Period, filters: Filters) -> int:
    """Reps owning handed-over leads in the period (divisor of "MQLs per rep")."""
    return int(query(con, "dash_reps_handling", period, filters).item(0, 0) or 0)


def whatif_curve(con: duckdb.DuckDBPyConnection, period: Period, filters: Filters, fit_weight: float,
                 engagement_weight: float) -> pl.DataFrame:
    """Volume and yield at every threshold 0..100 for the given weights (metrics.whatif)."""
    from metrics import whatif

    return whatif.threshold_curve(con, period, filters, fit_weight, engagement_weight)


def whatif_heatmap(con: duckdb.DuckDBPyConnection, period: Period, filters: Filters, bins: int = 10) -> pl.DataFrame:
    """Observed conversion per fit x engagement bin (metrics.whatif)."""
    from metrics import whatif

    return whatif.heatmap(con, period, filters, bins)


def whatif_method() -> str:
    from metrics import whatif

    return whatif.ESTIMATE_METHOD


def _check(value: str, allowed: tuple[str, ...]) -> None:
    """Names that pick a column inside SQL come from fixed lists only."""
    if value not in allowed:
        raise ValueError(f"{value!r} is not one of {allowed}")


# ---------------------------------------------------------------- scorecard


@dataclass(frozen=True)
class Guides:
    """Review guidelines that sla.toml does not define (it fixes the per-lead target, not the share that
    must meet it). Shown as such on the scorecard; amber = within `band` (relative) of the line."""

    attainment: float = 0.90
    follow_up: float = 0.90
    rejection: float = 0.20
    band: float = 0.10


@dataclass(frozen=True)
class Tile:
    key: str
    actual: float | None
    target: float | None
    status: str  # green | amber | red | none
    delta: float | None
    higher_is_better: bool
    kind: str  # rate | number
    extra: dict


def rag(actual: float | None, target: float | None, band: float, higher_is_better: bool = True) -> str:
    """Green when the target is met, amber when within `band` of it (relative), red beyond; none if unknown."""
    if actual is None or target is None:
        return "none"
    if higher_is_better:
        if actual >= target:
            return "green"
        return "amber" if actual >= target * (1 - band) else "red"
    if actual <= target:
        return "green"
    return "amber" if actual <= target * (1 + band) else "red"


def _ratio(num: float | None, den: float | None) -> float | None:
    return num / den if num is not None and den else None


def _delta(a: float | None, b: float | None) -> float | None:
    return a - b if a is not None and b is not None else None


def monthly_commitment(rep: dict, period: Period) -> float | None:
    """The commitment for the period per month: each month's commitment weighted by its elapsed share."""
    import zoneinfo

    tz = zoneinfo.ZoneInfo(period.tz)
    end = min(dt.datetime.combine(period.to_day, dt.time(0), tzinfo=tz), period.as_of)
    start = dt.datetime.combine(period.from_day, dt.time(0), tzinfo=tz)
    total = weight = 0.0
    for month in rep["mql_monthly"]:
        first = dt.datetime.combine(dt.date.fromisoformat(month["month"] + "-01"), dt.time(0), tzinfo=tz)
        following = dt.datetime.combine(add_months(first.date(), 1), dt.time(0), tzinfo=tz)
        low, high = max(start, first), min(end, following)
        if high > low and month["commitment"] is not None:
            share = (high - low) / (following - first)
            total += share * float(month["commitment"])
            weight += share
    return total / weight if weight else None


def rejection_count(rep: dict) -> int:
    return sum(int(r["count"]) for r in rep["rejections"])


def tiles(rep: dict, cmp: dict | None, period: Period, cmp_period: Period | None, terms: dict | None,
          guides: Guides) -> list[Tile]:
    """The five scorecard clauses with target, actual, status and change vs the comparison period."""
    months = months_elapsed(period)
    cmp_months = months_elapsed(cmp_period) if cmp_period is not None else 0.0

    def per_month(r: dict | None, m: float) -> float | None:
        return r["mql_count"] / m if r is not None and m > 0 else None

    def rej_rate(r: dict | None) -> float | None:
        return _ratio(rejection_count(r), r["mql_count"]) if r is not None else None

    commitment = monthly_commitment(rep, period)
    mpm = per_month(rep, months)
    conv_target = terms["mql_to_sql_target"] if terms else None
    r, c = rep["response"], (cmp or {}).get("response", {})
    f, cf = rep["follow_up"], (cmp or {}).get("follow_up", {})
    met = [m for m in rep["mql_monthly"] if m["met"]]
    out = [
        Tile("mql_volume", mpm, commitment, rag(mpm, commitment, guides.band),
             _delta(mpm, per_month(cmp, cmp_months)), True, "number",
             {"count": rep["mql_count"], "months": months, "met": len(met), "n_months": len(rep["mql_monthly"])}),
        Tile("mql_to_sql", rep["mql_to_sql"]["rate"], conv_target,
             rag(rep["mql_to_sql"]["rate"], conv_target, guides.band),
             _delta(rep["mql_to_sql"]["rate"], (cmp or {}).get("mql_to_sql", {}).get("rate")), True, "rate",
             {"cohort": rep["mql_to_sql"]["cohort"], "converted": rep["mql_to_sql"]["converted"]}),
        Tile("response", r["attainment"], guides.attainment, rag(r["attainment"], guides.attainment, guides.band),
             _delta(r["attainment"], c.get("attainment")), True, "rate",
             {"median": r["median_business_hours"], "p90": r["p90_business_hours"],
              "target_hours": terms["response_target_hours"] if terms else None,
              "handoffs": r["handoffs"], "within": r["within_target"], "breached": r["breached"],
              "pending": r["pending"]}),
        Tile("follow_up", f["rate"], guides.follow_up, rag(f["rate"], guides.follow_up, guides.band),
             _delta(f["rate"], cf.get("rate")), True, "rate", {"due": f["due"], "compliant": f["compliant"]}),
        Tile("rejection", rej_rate(rep), guides.rejection, rag(rej_rate(rep), guides.rejection, guides.band, False),
             _delta(rej_rate(rep), rej_rate(cmp)), False, "rate",
             {"rejected": rejection_count(rep), "mqls": rep["mql_count"]}),
    ]
    return out


# ---------------------------------------------------------------- export


def escape_formulas(column: str) -> pl.Expr:
    """Neutralise spreadsheet formulas, vectorised: a text cell starting with = + - @ (or tab/CR) gets a '."""
    col = pl.col(column)
    starts = pl.any_horizontal(*(col.str.starts_with(t) for t in CSV_TRIGGERS))
    return pl.when(starts).then(pl.lit("'") + col).otherwise(col).alias(column)


def breaches_csv(con: duckdb.DuckDBPyConnection, period: Period, filters: Filters, columns: dict[str, str],
                 no_response: str) -> bytes:
    """Every breach as CSV, built only when the download button is clicked. Streamlit calls this outside
    the script thread, so it takes its own cursor on the shared connection and touches no st.* state."""
    cur = con.cursor()
    try:
        frame = breaches(cur, period, filters, limit=2**62).with_columns(pl.col("channel").fill_null(no_response))
    finally:
        cur.close()
    return csv_bytes(frame.select(list(columns)).rename(columns))


def csv_bytes(frame: pl.DataFrame) -> bytes:
    """CSV (UTF-8 with BOM, so Excel opens Japanese text correctly) with formula-like cells escaped."""
    safe = frame.with_columns(escape_formulas(c) for c, t in frame.schema.items() if t == pl.Utf8)
    buffer = io.BytesIO()
    buffer.write("\ufeff".encode())
    safe.write_csv(buffer)
    return buffer.getvalue()
