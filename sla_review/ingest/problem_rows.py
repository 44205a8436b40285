"""Which rows of the user's files a problem is about: every one, not only the first ones listed.

Why a module of its own: the mapping (its _Collector) and the importer (its _Checks) list the first rows of each
problem and count the rest; an import "without these N rows" (issue 10) needs them all, by file and row as Excel
shows it, with the reason in every language. Both build the same frame here, the Data page and the CLI leave the
same rows out (sla_review.ingest.data_flow.preview), and the import records them (the import_left_out table).
"""

from __future__ import annotations

import polars as pl

from sla_review.core.problems import Problem
from sla_review.ingest.readers import FILE_COL, ROW_COL
from sla_review.present import catalogue

#: One row per (file, row, reason): the column as the user's file names it, the value as read.
SCHEMA: dict[str, pl.DataType] = {"file": pl.Utf8, "row": pl.Int64, "column": pl.Utf8, "value": pl.Utf8,
                                  "key": pl.Utf8, **{f"reason_{lang}": pl.Utf8 for lang in catalogue.LANGS}}


def empty() -> pl.DataFrame:
    """No rows."""
    return pl.DataFrame(schema=SCHEMA)


def rows_of(found: pl.DataFrame, problem: Problem, column: str | None = None) -> pl.DataFrame:
    """``found`` (file, row, value: every row with one kind of problem) worded as ``problem`` (its first one).
    The reason is the problem's message, which names no value (the value has its own column)."""
    return found.select(
        pl.col("file").cast(pl.Utf8), pl.col("row").cast(pl.Int64),
        pl.lit(column if column is not None else problem.column, dtype=pl.Utf8).alias("column"),
        pl.col("value").cast(pl.Utf8), pl.lit(problem.key, dtype=pl.Utf8).alias("key"),
        *[pl.lit(problem.text(lang), dtype=pl.Utf8).alias(f"reason_{lang}") for lang in catalogue.LANGS])


def combine(frames: list[pl.DataFrame]) -> pl.DataFrame:
    """Every piece in one frame, each (file, row, column, reason) once, in file and row order."""
    pieces = [f.select(list(SCHEMA)) for f in frames if f.height]
    if not pieces:
        return empty()
    return (pl.concat(pieces, how="vertical").unique(subset=["file", "row", "column", "reason_en"], keep="first",
                                                     maintain_order=True).sort("file", "row", maintain_order=True))


def without(frames: dict[str, pl.DataFrame], rows: pl.DataFrame) -> dict[str, pl.DataFrame]:
    """The source frames without ``rows`` (matched by their file and row, __file/__row)."""
    drop = rows.select(pl.col("file").alias(FILE_COL), pl.col("row").alias(ROW_COL)).unique()
    out = {}
    for name, frame in frames.items():
        if FILE_COL in frame.columns and ROW_COL in frame.columns:
            out[name] = frame.join(drop, on=[FILE_COL, ROW_COL], how="anti", maintain_order="left")
        else:
            out[name] = frame
    return out


def source_rows(rows: pl.DataFrame) -> int:
    """How many distinct rows of the user's files (file, row)."""
    return rows.select("file", "row").unique().height


def relabel(rows: pl.DataFrame, headers: dict[tuple[str, str], str]) -> pl.DataFrame:
    """The canonical column names of ``rows`` replaced by the user's headers (file, column) → header."""
    if not headers or not rows.height:
        return rows
    names = pl.DataFrame({"file": [k[0] for k in headers], "column": [k[1] for k in headers],
                          "header": list(headers.values())}, schema={"file": pl.Utf8, "column": pl.Utf8,
                                                                     "header": pl.Utf8})
    return (rows.join(names, on=["file", "column"], how="left", maintain_order="left")
            .with_columns(pl.coalesce("header", "column").alias("column")).drop("header"))


def leavable(problems: list[Problem], rows: pl.DataFrame) -> int:
    """How many rows of the user's files an import could go on without: every problem is one of ``rows`` (a row
    of a data file, below its header) or counts more of them ("… and n more rows"); none is about a file as a
    whole (a missing column, the SLA terms, an unreadable file, no leads). 0 when that is not so."""
    if not problems or not rows.height:
        return 0
    found = set(rows.select("file", "row").unique().iter_rows())
    if all(p.key == "import.more_rows" or (p.row is not None and p.row >= 2 and (p.file, p.row) in found)
           for p in problems):
        return len(found)
    return 0
