"""CSV downloads: formula-safe cells, UTF-8 with BOM, the breaches list built only when asked for."""

from __future__ import annotations

import io

import duckdb
import polars as pl

from sla_review.core.periods import Period
from sla_review.core.vocabulary import Filters
from sla_review.metrics.breakdowns import breaches

CSV_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def escape_formulas(column: str) -> pl.Expr:
    """Neutralise spreadsheet formulas, vectorised: a text cell starting with = + - @ (or tab/CR) gets a '."""
    col = pl.col(column)
    starts = pl.any_horizontal(*(col.str.starts_with(t) for t in CSV_TRIGGERS))
    return pl.when(starts).then(pl.lit("'") + col).otherwise(col).alias(column)


def breaches_csv(con: duckdb.DuckDBPyConnection, period: Period, filters: Filters, columns: dict[str, str],
                 no_response: str, no_tier: str | None = None) -> bytes:
    """Every breach as CSV, built only when the download button is clicked. Streamlit calls this outside
    the script thread, so it takes its own cursor on the shared connection and touches no st.* state."""
    cur = con.cursor()
    try:
        frame = breaches(cur, period, filters, limit=2**62).with_columns(pl.col("channel").fill_null(no_response))
        if no_tier is not None:  # a tiered SLA: the rows no tier matched, in words
            frame = frame.with_columns(pl.col("tier").fill_null(no_tier))
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


def leads_csv(con: duckdb.DuckDBPyConnection, period: Period, filters: Filters, number: str, columns: dict[str, str],
              values: dict[str, dict[str, str]]) -> bytes:
    """Every lead behind a number (sla_review.metrics.drill) as CSV, built only when the button is clicked, on
    its own cursor like breaches_csv; `values` words coded cells (stages, verdicts) in the reader's language."""
    from sla_review.metrics import drill

    cur = con.cursor()
    try:
        frame = drill.leads(cur, period, filters, number)
    finally:
        cur.close()
    frame = frame.with_columns(pl.col(c).replace(m) for c, m in values.items() if c in frame.columns)
    return csv_bytes(frame.select([c for c in columns if c in frame.columns]).rename(columns, strict=False))
