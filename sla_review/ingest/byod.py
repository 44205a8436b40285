"""Bring your own data: read CRM exports, apply a mapping, then the canonical all-or-nothing import.

The mapping layer (sla_review.ingest.mapping) sees problems only it can see (a date in the wrong format, a status it
does not know); the importer (sla_review.ingest.importer) then checks what every import checks. Both speak Problem.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl

from sla_review.core.problems import Problem
from sla_review.ingest.importer import ImportFailed, ImportSummary
from sla_review.ingest.mapping import MappedData, Mapping, MappingError, apply
from sla_review.ingest.readers import SourceError, read_table
from sla_review.store.sql import ROOT

SLA_TEMPLATE = ROOT / "data" / "sla_template.toml"


def sla_text_for(con: duckdb.DuckDBPyConnection, sla_path: Path | None) -> str | None:
    """An explicit sla.toml, else None (keep the database's), else the template when the database has none."""
    if sla_path is not None:
        try:
            return sla_path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as err:
            raise ImportFailed([Problem.worded("import.cannot_read", sla_path.name, error=err)]) from None
    if con.execute("SELECT count(*) FROM sla_versions").fetchall()[0][0]:
        return None
    return SLA_TEMPLATE.read_text(encoding="utf-8")


def read_files(paths: list[Path]) -> dict[str, pl.DataFrame]:
    """Read every file; the unreadable ones are the import's refusal (all of them, as problems)."""
    frames, problems = {}, []
    for path in paths:
        try:
            frames[path.name] = read_table(path)
        except SourceError as err:
            problems.append(err.as_problem(path.name))
    if problems:
        raise ImportFailed(problems)
    return frames


def map_files(mapping: Mapping, paths: list[Path]) -> MappedData:
    """Read every file and apply the mapping; unreadable files become problems, not exceptions."""
    return map_frames(mapping, read_files(paths))


def map_frames(mapping: Mapping, frames: dict[str, pl.DataFrame]) -> MappedData:
    """Apply the mapping to frames already read; a malformed mapping is the import's refusal."""
    try:
        return apply(mapping, frames)
    except MappingError as err:
        raise ImportFailed([Problem(mapping.name, None, None, None, str(err), err.texts)]) from None


def import_mapped(con: duckdb.DuckDBPyConnection, mapping_path: Path, paths: list[Path], *, mode: str = "replace",
                  sla_path: Path | None = None, replace_with_empty: bool = False,
                  leave_out: bool = False) -> ImportSummary:
    """`python -m sla_review import --mapping FILE FILES...`: map, then import all-or-nothing, through the Data
    page's checks (data_flow.check_and_import: every problem in one pass; rows left out only when asked)."""
    from sla_review.ingest import data_flow

    try:
        mapping = Mapping.from_toml(mapping_path)
    except (MappingError, OSError) as err:
        said = err.text if isinstance(err, MappingError) else str(err)
        raise ImportFailed([Problem.worded("import.not_a_mapping", mapping_path.name, detail=said)]) from None
    frames = read_files(paths)
    summary, _ = data_flow.check_and_import(
        con, frames, mapping, sla_text_for(con, sla_path), mode=mode,
        source=data_flow.source_label(mapping.name, [p.name for p in paths]),
        replace_with_empty=replace_with_empty, leave_out=leave_out)
    return summary
