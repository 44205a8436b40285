"""The canonical import: validate everything first, then write everything in one transaction.

Files (or frames from a mapping) are staged in TEMP tables, which live outside the database file, and
checked by SQL (vectorised, one query per check). Only when no problem is left does a transaction replace
or append the data, reload the calendar and the SLA versions, and rebuild the derived tables. Any failure
leaves the database file as it was.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import zoneinfo
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl

from sla_review.core.problems import Problem, summarize
from sla_review.core.terms import (
    TIER_MATCH_KEYS,
    WEEKDAYS,
    Calendar,
    ConfigError,
    SlaConfig,
    SlaVersion,
    Tier,
    parse_sla,
)
from sla_review.core.vocabulary import CANONICAL_COLUMNS, CHANNELS, REQUIRED_COLUMNS, STAGES, TIMESTAMP_COLUMNS
from sla_review.ingest import problem_rows
from sla_review.ingest.mapping import ISO_TIMESTAMP, NOT_ISO_KEY, ZONE_NAME_KEY, ZONE_NAME_SUFFIX
from sla_review.ingest.readers import SourceError, check_before_read, read_after_parser_error
from sla_review.present import catalogue
from sla_review.store import business_time as business_calendar
from sla_review.store.db import rebuild_derived
from sla_review.store.sql import bind

MAX_SHOWN = 20
#: The plausible span of a timestamp: none before this instant (1900-01-01 is a spreadsheet's "no date")...
PLAUSIBLE_FROM = dt.datetime(1990, 1, 1, tzinfo=dt.UTC)
#: ... and none more than this many years after the import's moment (2999 is a typo, not a meeting).
PLAUSIBLE_YEARS_AHEAD = 5
#: The flag (CLI) and the checkbox (Data page) that ask by name for a replace import with no leads.
REPLACE_WITH_EMPTY_FLAG = "--replace-with-empty"
#: The refusal of an import without leads (locales [import].no_leads; the ja one names the ja checkbox).
EMPTY_KEY = "import.no_leads"
EMPTY_MESSAGE = catalogue.t(EMPTY_KEY, "en", flag=REPLACE_WITH_EMPTY_FLAG)
#: imports.mode of a terms change (replace_terms): no rows moved, every handoff judged again
TERMS_MODE = "terms"


def no_leads(file: str) -> Problem:
    """The refusal of a replace import without leads: the CLI's and the Data page's, in every language."""
    return Problem.worded(EMPTY_KEY, file, flag=REPLACE_WITH_EMPTY_FLAG)


@dataclass(frozen=True)
class TableSpec:
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()
    timestamps: tuple[str, ...] = ()
    scores: tuple[str, ...] = ()

    @property
    def columns(self) -> tuple[str, ...]:
        return self.required + self.optional


SPECS: dict[str, TableSpec] = {
    table: TableSpec(REQUIRED_COLUMNS[table], tuple(c for c in columns if c not in REQUIRED_COLUMNS[table]),
                     timestamps=TIMESTAMP_COLUMNS[table],
                     scores=tuple(c for c in columns if c.endswith("_score")))
    for table, columns in CANONICAL_COLUMNS.items()
}
REQUIRED_TABLES = ("leads", "stage_events", "activities")

# A string timestamp carries an offset when it ends in Z or ±HH[:MM] after a time of day.
_OFFSET = r"[T ]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?\s*(Z|z|[+-]\d{2}(:?\d{2})?)$"
OFFSET = _OFFSET  # the same rule where a span is read before the import (ingest.coverage)


class ImportFailed(Exception):
    """The import was refused; nothing was written. `problems` lists what to fix."""

    def __init__(self, problems: list[Problem], total: int | None = None,
                 rows: pl.DataFrame | None = None, leavable: int = 0) -> None:
        self.problems = problems
        self.total = total if total is not None else len(problems)
        #: every row of the row-level problems (sla_review.ingest.problem_rows.SCHEMA), listed or not
        self.rows = rows if rows is not None else problem_rows.empty()
        #: how many rows an import could go on without when asked by name (0: some problem is not about rows)
        self.leavable = leavable
        super().__init__(summarize(problems, self.total))


@dataclass
class ImportSummary:
    import_id: int
    rows: dict[str, int] = field(default_factory=dict)
    first: dt.datetime | None = None
    last: dt.datetime | None = None
    imported_at: dt.datetime | None = None
    future_rows: int = 0  # rows of this import dated after its moment: kept, but never in the default view
    future_examples: list[Problem] = field(default_factory=list)
    left_out_rows: int = 0  # rows of the user's files left out because the user asked (import_left_out)
    left_out: pl.DataFrame | None = None  # those rows with their reasons (problem_rows.SCHEMA)


MAX_FUTURE_EXAMPLES = 5


def default_as_of(con: duckdb.DuckDBPyConnection) -> dt.datetime | None:
    """The default as_of: the newest timestamp in the data not after the latest import's moment (a terms change,
    mode "terms", moves no data and so not the cap either).

    Why capped: one scheduled meeting in 2030 would otherwise move "data as of" to 2030 and every default
    period to months with nothing in them. Rows dated after the import are reported when imported
    (ImportSummary.future_rows) and count only when someone asks for a later as_of on purpose."""
    return con.execute(
        "WITH m AS (SELECT coalesce(max(imported_at), 'infinity'::TIMESTAMPTZ) AS t FROM imports "
        "WHERE mode <> $terms) "
        "SELECT greatest((SELECT max(created_at) FROM leads, m WHERE created_at <= m.t), "
        "(SELECT max(entered_at) FROM stage_events, m WHERE entered_at <= m.t), "
        "(SELECT max(occurred_at) FROM activities, m WHERE occurred_at <= m.t))", {"terms": TERMS_MODE}
    ).fetchall()[0][0]


def _future_rows(con: duckdb.DuckDBPyConnection, staged: list[str], moment: dt.datetime) -> tuple[int, list[Problem]]:
    """Rows of the staged tables dated after the import moment: their count and the first few, as problems
    (file, row, column, value) so the CLI and the Data page show them like any other finding."""
    parts = [f"SELECT __file, __row, '{c}' AS col, {_q(c)} AS t FROM {_t(t, 'typed')} WHERE {_q(c)} > $moment"
             for t in staged for c in TIMESTAMP_COLUMNS[t] if c in _COLUMNS]
    if not parts:
        return 0, []
    # one scan: the first rows and, on each, the total (a row-less result means there are none)
    found = con.execute(f"SELECT *, count(*) OVER () FROM ({' UNION ALL '.join(parts)}) "
                        "ORDER BY t DESC, __file, __row LIMIT $n", {"moment": moment, "n": MAX_FUTURE_EXAMPLES}
                        ).fetchall()
    total = found[0][-1] if found else 0
    rows = [r[:-1] for r in found]
    examples = [Problem.worded("import.future_row", f, int(r) if r is not None else None, c, v.isoformat())
                for f, r, c, v in rows]
    return int(total), examples


# The only names ever formatted into SQL text here: table and column names from SPECS (and the raw_ copies of
# parseable columns). Values always go in as bound $parameters.
_COLUMNS = frozenset(c for spec in SPECS.values() for c in spec.columns)
_IDENTIFIERS = _COLUMNS | {f"raw_{c}" for c in _COLUMNS}


def _q(name: str) -> str:
    """Quote a canonical column name; anything else (e.g. a header from a user's file) is refused."""
    if name not in _IDENTIFIERS:
        raise ValueError(f"{name!r} is not a canonical column")
    return f'"{name}"'


def _t(table: str, stage: str = "") -> str:
    """A canonical table name, or its TEMP staging copy (stage "raw" or "typed"); anything else is refused, so
    only names from SPECS are ever formatted into SQL text."""
    if table not in SPECS or stage not in ("", "raw", "typed"):
        raise ValueError(f"{table!r} is not a canonical table")
    return f"{stage}_{table}" if stage else table


_TABLE_NAMES = frozenset(_t(t, stage) for t in SPECS for stage in ("", "raw", "typed"))
"""Every table name the checks may read (what _t produces)."""


class _Checks:
    """Collects problems from SQL checks: the first MAX_SHOWN rows of each check (the rest as one "… and n more
    rows" line), a total count, and every row of every row-level check (``every_row``, for leaving rows out)."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        self.problems: list[Problem] = []
        self.total = 0
        self.found: list[pl.DataFrame] = []

    @property
    def every_row(self) -> pl.DataFrame:
        """Every row of every row-level check so far (problem_rows.SCHEMA)."""
        return problem_rows.combine(self.found)

    def add(self, problem: Problem) -> None:
        self.total += 1
        if len(self.problems) < MAX_SHOWN:
            self.problems.append(problem)

    def rows(self, table: str, column: str, where: str, key: str, params: dict | None = None,
             value: str | None = None, **words: object) -> None:
        """Report each staged row of `table` matching `where` (SQL over fixed identifiers), worded by the
        catalogue's `key` with `words` filled in."""
        if table not in _TABLE_NAMES:
            raise ValueError(f"{table!r} is not a canonical table")
        shown = value or f"CAST({_q(column)} AS VARCHAR)"
        # one scan: the first rows and, on each, the total
        found = self.con.execute(f"SELECT __file, __row, {shown}, count(*) OVER () FROM {table} WHERE {where} "
                                 "ORDER BY __file, __row LIMIT $n", {**(params or {}), "n": MAX_SHOWN}).fetchall()
        if not found:
            return
        total = found[0][-1]
        for file, row, val, _ in found:
            self.problems.append(Problem.worded(key, file, int(row) if row is not None else None, column, val,
                                                **words))
        if total > len(found):
            self.problems.append(dataclasses.replace(Problem.worded(
                "import.more_rows", found[0][0], None, column, None, n=f"{total - len(found):,}"),
                count=total - len(found)))
        self.total += total
        # every row, for an import that leaves them out (only when there are some: a refusal's cost)
        every = self.con.sql(f"SELECT __file AS file, __row AS row, CAST({shown} AS VARCHAR) AS value FROM {table} "
                             f"WHERE {where}", params=params or None).pl()
        self.found.append(problem_rows.rows_of(every, Problem.worded(key, found[0][0], None, column, None, **words)))


def _stage_file(con: duckdb.DuckDBPyConnection, table: str, path: Path) -> None:
    """Read one canonical file into TEMP raw_<table>, with __file and __row (header is row 1)."""
    if path.suffix.lower() == ".parquet":
        reader = "read_parquet($path)"
    else:
        # the delimiter is given: DuckDB's sniffer would read a ragged file as one wide column without a word
        delim = "\t" if path.suffix.lower() == ".tsv" else ","
        reader = f"read_csv($path, all_varchar = true, header = true, delim = '{delim}', quote = '\"')"
    con.execute(f"CREATE OR REPLACE TEMP TABLE {_t(table, 'raw')} AS SELECT *, $name AS __file, "
                f"row_number() OVER () + 1 AS __row FROM {reader}", {"path": str(path), "name": path.name})


def _stage_checked(con: duckdb.DuckDBPyConnection, table: str, path: Path) -> None:
    """Stage a canonical file after the readers' limits (sla_review/ingest/limits.py; DuckDB streams the file, so
    no size limit); a CSV DuckDB cannot parse is read by the Data page's reader, which reads or refuses it."""
    check_before_read(path, max_bytes=None)
    try:
        _stage_file(con, table, path)
    except duckdb.Error as err:
        if path.suffix.lower() == ".parquet":
            raise
        _stage_frame(con, table, read_after_parser_error(path, err))


def _stage_frame(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame) -> None:
    """Stage a frame from a mapping; it may carry __file and __row naming the source rows."""
    if "__file" not in frame.columns:
        frame = frame.with_columns(pl.lit(f"{table} (mapped)").alias("__file"))
    if "__row" not in frame.columns:
        frame = frame.with_row_index("__row", offset=2)
    arrow = frame.with_columns(pl.col("__row").cast(pl.Int64)).to_arrow()
    con.register("_frame_in", arrow)
    try:
        con.execute(f"CREATE OR REPLACE TEMP TABLE {_t(table, 'raw')} AS SELECT * FROM _frame_in")
    finally:
        con.unregister("_frame_in")


def _types(con: duckdb.DuckDBPyConnection, table: str) -> dict[str, str]:
    return {r[0]: r[1] for r in con.execute(f"DESCRIBE {_t(table, 'raw')}").fetchall()}


def _timestamp_expr(column: str, kind: str) -> str:
    """SQL turning a staged column into an instant: offsets are absolute, the rest is calendar-local."""
    col = _q(column)
    if kind.startswith("TIMESTAMP WITH TIME ZONE"):
        return col
    # naive values: local time in the calendar's zone, by sla_review.store.business_time.local_instant's rule (fold=0)
    if kind.startswith("TIMESTAMP") or kind == "DATE":
        return f"local_instant(CAST({col} AS TIMESTAMP), $tz)"
    text = f"nullif(trim(CAST({col} AS VARCHAR)), '')"
    # only the canonical grammar (mapping.ISO_TIMESTAMP, also the Data page's): DuckDB's own cast would read
    # "10:00 America/New_York" as 10:00 in the calendar's zone, dropping the name
    return (f"CASE WHEN NOT regexp_full_match({text}, '{ISO_TIMESTAMP}') THEN NULL "
            f"WHEN regexp_matches({text}, '{_OFFSET}') THEN try_cast({text} AS TIMESTAMPTZ) "
            f"ELSE local_instant(try_cast({text} AS TIMESTAMP), $tz) END")


def _typed(con: duckdb.DuckDBPyConnection, table: str, checks: _Checks, tz: str) -> None:
    """Build TEMP typed_<table> in canonical types, reporting missing columns and bad values."""
    spec, types = SPECS[table], _types(con, table)
    file = con.execute(f"SELECT any_value(__file) FROM {_t(table, 'raw')}").fetchall()[0][0] or table
    missing = [c for c in spec.required if c not in types]
    for column in missing:
        found = ", ".join(c for c in types if not c.startswith("__"))
        checks.add(Problem.worded("import.missing_column" if found else "import.missing_column_none", file, 1,
                                  column, None, name=column, found=found))
    if missing:
        return
    select = []
    for column in spec.columns:
        if column not in types:
            select.append(f"NULL AS {_q(column)}")
        elif column in spec.timestamps:
            select.append(f"{_timestamp_expr(column, types[column])} AS {_q(column)}")
        elif column in spec.scores:
            select.append(f"try_cast({_q(column)} AS DOUBLE) AS {_q(column)}")
        else:
            select.append(f"nullif(trim(CAST({_q(column)} AS VARCHAR)), '') AS {_q(column)}")
    # keep the raw text only where parsing can fail, so messages can quote it (typed Parquet needs none)
    texts = [c for c in spec.timestamps + spec.scores if c in types and types[c] == "VARCHAR"]
    raws = "".join(f", {_q(c)} AS {_q('raw_' + c)}" for c in texts)
    typed = f"CREATE OR REPLACE TEMP TABLE {_t(table, 'typed')} AS SELECT {', '.join(select)}{raws}, __file, __row " \
            f"FROM {_t(table, 'raw')}"
    business_calendar.install_local_instant(con)
    con.execute(typed, bind(typed, {"tz": tz}))
    con.execute(f"DROP TABLE {_t(table, 'raw')}")
    t = _t(table, "typed")
    for column in spec.required:
        if column not in spec.timestamps:
            checks.rows(t, column, f"{_q(column)} IS NULL", "import.empty_value", value="NULL")
    for column in spec.timestamps:
        if column in texts:
            raw = _q("raw_" + column)
            bad = f"{_q(column)} IS NULL AND nullif(trim({raw}), '') IS NOT NULL"
            zoned = f"regexp_full_match(trim({raw}), '{ZONE_NAME_SUFFIX}')"
            checks.rows(t, column, f"{bad} AND {zoned}", ZONE_NAME_KEY, value=raw)
            checks.rows(t, column, f"{bad} AND NOT {zoned}", NOT_ISO_KEY, value=raw)
            empty = f"nullif(trim({raw}), '') IS NULL"
        else:
            empty = f"{_q(column)} IS NULL"
        checks.rows(t, column, empty, "import.empty_time", value="NULL")
    for column in spec.scores:
        if column not in types:
            continue
        raw = _q("raw_" + column) if column in texts else f"CAST({_q(column)} AS VARCHAR)"
        if column in texts:
            checks.rows(t, column, f"{_q(column)} IS NULL AND nullif(trim({raw}), '') IS NOT NULL",
                        "import.not_a_number", value=raw)
        checks.rows(t, column, f"{_q(column)} < 0 OR {_q(column)} > 100", "import.score_range",
                    value=raw)


def _implausible(con: duckdb.DuckDBPyConnection, checks: _Checks, moment: dt.datetime) -> None:
    """Timestamps outside the plausible span (before PLAUSIBLE_FROM, or more than PLAUSIBLE_YEARS_AHEAD years
    after the import): refused with the rows listed. One such row would otherwise stretch the data's span, the
    business calendar and the Data page's "first – last" to 1900 or 2999."""
    try:
        latest = moment.replace(year=moment.year + PLAUSIBLE_YEARS_AHEAD)
    except ValueError:  # 29 February
        latest = moment.replace(year=moment.year + PLAUSIBLE_YEARS_AHEAD, day=28)
    span = {"start": f"{PLAUSIBLE_FROM:%Y-%m-%d}", "years": PLAUSIBLE_YEARS_AHEAD, "end": f"{latest:%Y-%m-%d}"}
    for table in SPECS:
        typed = _t(table, "typed")
        if not _exists(con, typed):
            continue
        names = {r[0] for r in con.execute(f"DESCRIBE {typed}").fetchall()}
        for column in TIMESTAMP_COLUMNS[table]:
            raw = _q("raw_" + column) if "raw_" + column in names else f"CAST({_q(column)} AS VARCHAR)"
            checks.rows(typed, column, f"{_q(column)} < $lo OR {_q(column)} > $hi", "import.implausible",
                        {"lo": PLAUSIBLE_FROM, "hi": latest}, value=raw, **span)


def _relations(con: duckdb.DuckDBPyConnection, checks: _Checks, append: bool) -> None:
    """Cross-table checks: unique ids, known leads, known stages and channels."""
    existing = "UNION ALL SELECT lead_id FROM leads" if append else ""
    checks.rows("typed_leads", "lead_id",
                f"lead_id IN (SELECT lead_id FROM (SELECT lead_id FROM typed_leads {existing}) "
                "GROUP BY lead_id HAVING count(*) > 1)",
                "import.duplicate_lead_append" if append else "import.duplicate_lead")
    known = "(SELECT lead_id FROM typed_leads" + (" UNION SELECT lead_id FROM leads)" if append else ")")
    for table in ("stage_events", "activities"):
        if _exists(con, _t(table, "typed")):
            checks.rows(_t(table, "typed"), "lead_id", f"lead_id IS NOT NULL AND lead_id NOT IN {known}",
                        "import.unknown_lead")
    if _exists(con, "typed_stage_events"):
        checks.rows("typed_stage_events", "stage", "stage IS NOT NULL AND NOT list_contains($stages, stage)",
                    "import.unknown_stage", {"stages": list(STAGES)}, names=", ".join(STAGES))
    if _exists(con, "typed_activities"):
        checks.rows("typed_activities", "channel",
                    "channel IS NOT NULL AND NOT list_contains($channels, channel)",
                    "import.unknown_channel", {"channels": list(CHANNELS)}, names=", ".join(CHANNELS))
    if _exists(con, "typed_reps"):
        checks.rows("typed_reps", "rep_id",
                    "rep_id IN (SELECT rep_id FROM typed_reps GROUP BY rep_id HAVING count(*) > 1)",
                    "import.duplicate_rep")


def _exists(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    return bool(con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = $n AND temporary",
                            {"n": name}).fetchall()[0][0])


def find_files(folder: Path) -> dict[str, Path]:
    """leads.csv / leads.parquet, ... in a folder (case-insensitive)."""
    found: dict[str, Path] = {}
    for path in sorted(folder.iterdir()):
        stem, suffix = path.stem.lower(), path.suffix.lower()
        if stem in SPECS and suffix in (".csv", ".parquet", ".tsv", ".txt"):
            found.setdefault(stem, path)
    return found


def import_dir(con: duckdb.DuckDBPyConnection, folder: str | os.PathLike[str], *, mode: str = "replace",
               is_demo: bool = False, source: str | None = None,
               imported_at: dt.datetime | None = None, replace_with_empty: bool = False) -> ImportSummary:
    """`python -m sla_review import DIR`: the canonical files and sla.toml from one folder."""
    folder = Path(folder)
    problems: list[Problem] = []
    if not folder.is_dir():
        raise ImportFailed([Problem.worded("import.not_a_folder", str(folder))])
    files = find_files(folder)
    for table in REQUIRED_TABLES:
        if table not in files and mode == "replace":
            problems.append(Problem.worded("import.table_missing", f"{table}.csv", folder=folder, table=table))
    sla_path = folder / "sla.toml"
    sla_text = None
    if sla_path.exists():
        try:
            sla_text = sla_path.read_text(encoding="utf-8-sig")
        except (UnicodeDecodeError, OSError) as err:
            problems.append(Problem.worded("import.cannot_read", "sla.toml", error=err))
    elif mode == "replace":
        problems.append(Problem.worded("import.sla_missing", "sla.toml", folder=folder))
    if problems:
        raise ImportFailed(problems)
    return import_sources(con, files, sla_text, mode=mode, is_demo=is_demo, source=source or str(folder),
                          imported_at=imported_at, replace_with_empty=replace_with_empty)


def import_sources(con: duckdb.DuckDBPyConnection, sources: Mapping[str, Path | pl.DataFrame],
                   sla: str | SlaConfig | None, *, mode: str = "replace", is_demo: bool = False,
                   source: str = "import", imported_at: dt.datetime | None = None,
                   replace_with_empty: bool = False, record: Callable[[int], None] | None = None,
                   left_out: pl.DataFrame | None = None) -> ImportSummary:
    """Validate staged tables (files or frames) and write them all-or-nothing. `imported_at` is the import's
    moment (default: now); rows dated after it are kept and reported (ImportSummary.future_rows), rows far
    outside the plausible span refuse the import. A replace import without leads is refused unless
    `replace_with_empty` (it would empty the database). `record(import_id)`, when given, writes its own rows (the
    audit trail) inside the same transaction. `left_out`: the rows of the user's files the import goes on without
    because the user asked by name (problem_rows.SCHEMA), recorded with the import (import_left_out)."""
    if mode not in ("replace", "append"):
        raise ValueError(f"mode must be replace or append, not {mode!r}")
    unknown = set(sources) - set(SPECS)
    if unknown:  # table names end up in staging tables' names: only the canonical four are accepted
        raise ValueError(f"unknown tables {sorted(unknown)}; expected some of {list(SPECS)}")
    checks = _Checks(con)
    config = _config(con, sla, checks)
    tz = config.calendar.timezone if config else "UTC"
    _drop_staging(con)
    for table, src in sources.items():
        try:
            if isinstance(src, pl.DataFrame):
                _stage_frame(con, table, src)
            else:
                _stage_checked(con, table, Path(src))
        except SourceError as err:  # over a limit, or a parser error said in the file's terms (readers)
            checks.add(err.as_problem(Path(src).name))
            continue
        except duckdb.Error as err:
            name = src.name if isinstance(src, Path) else table
            first = str(err).strip().splitlines()[0]
            checks.add(Problem.worded("import.not_a_table", name, detail=first))
            continue
        _typed(con, table, checks, tz)
    imported_at = imported_at or dt.datetime.now(dt.UTC)
    if mode == "replace" and not replace_with_empty and _exists(con, "typed_leads") and not checks.total \
            and not con.execute("SELECT count(*) FROM typed_leads").fetchall()[0][0]:
        src = sources["leads"]
        checks.add(no_leads(src.name if isinstance(src, Path) else "leads"))
    if mode == "replace" and not all(_exists(con, _t(t, "typed")) for t in REQUIRED_TABLES):
        for t in REQUIRED_TABLES:
            if t not in sources:
                checks.add(Problem.worded("import.table_not_given", f"{t}.csv"))
    # every check in one pass (issue 10): rows with bad values stay in the typed tables (as NULL), so the
    # span and the cross-table checks still judge every row, and one round of fixes sees every problem
    _implausible(con, checks, imported_at)
    if _exists(con, "typed_leads"):
        _relations(con, checks, append=mode == "append")
    if checks.total:
        _drop_staging(con)
        rows = checks.every_row
        raise ImportFailed(checks.problems, checks.total, rows, problem_rows.leavable(checks.problems, rows))
    assert config is not None
    return _write(con, config, mode, is_demo, source, imported_at, record, left_out)


def _drop_staging(con: duckdb.DuckDBPyConnection) -> None:
    """Free the TEMP staging tables (a refused import must not keep gigabytes in memory)."""
    for table in SPECS:
        con.execute(f"DROP TABLE IF EXISTS temp.{_t(table, 'raw')}")
        con.execute(f"DROP TABLE IF EXISTS temp.{_t(table, 'typed')}")


def _config(con: duckdb.DuckDBPyConnection, sla: str | SlaConfig | None, checks: _Checks) -> SlaConfig | None:
    if isinstance(sla, SlaConfig):
        return sla
    if sla is None:
        stored = con.execute("SELECT count(*) FROM sla_versions").fetchall()[0][0]
        if stored:
            return stored_config(con)
        checks.add(Problem.worded("import.sla_needed", "sla.toml"))
        return None
    try:
        return parse_sla(sla)
    except ConfigError as err:
        checks.add(err.problem())
        return None


def stored_config(con: duckdb.DuckDBPyConnection) -> SlaConfig:
    """The calendars, teams, versions and tiers as last imported (for append imports and the dashboard). Five
    small queries (about 1 ms each on a quiet machine); one query of list(struct_pack(...)) aggregates was slower."""

    def calendar(row: tuple) -> Calendar:
        tz, days, start, end, country, extra, breaks, subdivision = row
        pairs = tuple((dt.time.fromisoformat(b.split("-")[0]), dt.time.fromisoformat(b.split("-")[1]))
                      for b in (breaks or "").split(",") if b)
        return Calendar(tz, tuple(WEEKDAYS.index(d) for d in days.split(",") if d), dt.time.fromisoformat(start),
                        dt.time.fromisoformat(end), country,
                        tuple(dt.date.fromisoformat(d) for d in (extra or "").split(",") if d), pairs, subdivision)

    cols = "timezone, workdays, day_start, day_end, holiday_country, extra_holidays, breaks, holiday_subdivision"
    cal = calendar(con.execute(f"SELECT {cols} FROM calendar_settings").fetchall()[0])
    named = tuple((r[0], calendar(r[1:]))
                  for r in con.execute(f"SELECT name, {cols} FROM named_calendars ORDER BY position").fetchall())
    teams = tuple(con.execute("SELECT team, calendar FROM team_calendars ORDER BY rowid").fetchall())
    match_cols = ", ".join(f"match_{k}" for k in TIER_MATCH_KEYS)
    tiers: dict[dt.date, list[Tier]] = {}
    for r in con.execute(f"SELECT effective_from, name, {match_cols}, response_target_hours, min_attempts, "
                         "attempt_window_business_days FROM sla_tiers ORDER BY effective_from, position").fetchall():
        match = tuple((k, tuple(v)) for k, v in zip(TIER_MATCH_KEYS, r[2:8], strict=True) if v is not None)
        tiers.setdefault(r[0], []).append(Tier(r[1], match, *r[8:]))
    names = [f for f in SlaVersion.__dataclass_fields__ if f != "tiers"]
    rows = con.execute(f"SELECT {', '.join(names)} FROM sla_versions ORDER BY effective_from").fetchall()
    versions = tuple(SlaVersion(*r, tiers=tuple(tiers.get(r[1], ()))) for r in rows)
    return SlaConfig(cal, versions, named, teams)


def _write(con: duckdb.DuckDBPyConnection, config: SlaConfig, mode: str, is_demo: bool,
           source: str, imported_at: dt.datetime | None = None,
           record: Callable[[int], None] | None = None,
           left_out: pl.DataFrame | None = None) -> ImportSummary:
    """One transaction: data, calendar, versions, derived tables, and the import's record."""
    staged = [t for t in SPECS if _exists(con, _t(t, "typed"))]
    moment = imported_at or dt.datetime.now(dt.UTC)
    future, future_examples = _future_rows(con, staged, moment)
    # nothing below depends on row order (the staging's __row numbers are already taken): letting DuckDB
    # drop it parallelises the inserts and the derived tables' writes
    con.execute("SET preserve_insertion_order = false")
    con.execute("BEGIN")
    try:
        if mode == "replace":
            for table in SPECS:
                con.execute(f"DELETE FROM {_t(table)}")
        for table in staged:
            cols = ", ".join(_q(c) for c in SPECS[table].columns)
            con.execute(f"INSERT INTO {_t(table)} ({cols}) SELECT {cols} FROM {_t(table, 'typed')}")
        first, last = _apply_terms(con, config)
        counts = _counts(con)
        import_id = con.execute(
            "INSERT INTO imports (imported_at, source, mode, is_demo, leads, stage_events, activities, reps) "
            "VALUES ($at, $source, $mode, $demo, $l, $e, $a, $r) RETURNING import_id",
            {"at": moment, "source": source, "mode": mode, "demo": is_demo,
             "l": counts["leads"], "e": counts["stage_events"], "a": counts["activities"],
             "r": counts["reps"]}).fetchall()[0][0]
        left = _record_left_out(con, int(import_id), left_out)
        if record is not None:
            record(int(import_id))
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    finally:
        _drop_staging(con)
        con.execute("RESET preserve_insertion_order")
    return ImportSummary(int(import_id), counts, first, last, moment, future, future_examples, left, left_out)


def _record_left_out(con: duckdb.DuckDBPyConnection, import_id: int, left_out: pl.DataFrame | None) -> int:
    """The rows the user asked to leave out, with the import (sql/schema/008): how many rows of their files
    (imports.left_out_rows, 0 for an import that left none out) and each (file, row, reason) in import_left_out."""
    if left_out is None or not left_out.height:
        con.execute("UPDATE imports SET left_out_rows = 0 WHERE import_id = $id", {"id": import_id})
        return 0
    rows = problem_rows.source_rows(left_out)
    frame = left_out.select(pl.lit(import_id, dtype=pl.Int64).alias("import_id"), "file", "row", "column", "value",
                            "key", "reason_en", "reason_ja")
    con.register("_left_out_in", frame.to_arrow())
    try:
        con.execute("INSERT INTO import_left_out (import_id, file, row, column_name, value, kind, reason_en, "
                    "reason_ja) SELECT import_id, file, row, \"column\", value, key, reason_en, reason_ja "
                    "FROM _left_out_in")
    finally:
        con.unregister("_left_out_in")
    con.execute("UPDATE imports SET left_out_rows = $n WHERE import_id = $id", {"n": rows, "id": import_id})
    return rows


def data_instants(con: duckdb.DuckDBPyConnection) -> tuple[dt.datetime | None, dt.datetime | None]:
    """The earliest and latest instant of the stored data (leads, stage events, activities); None, None when empty."""
    return con.execute(
        "SELECT min(t), max(t) FROM (SELECT min(created_at) t FROM leads UNION ALL "
        "SELECT max(created_at) FROM leads UNION ALL SELECT min(entered_at) FROM stage_events UNION ALL "
        "SELECT max(entered_at) FROM stage_events UNION ALL SELECT min(occurred_at) FROM activities "
        "UNION ALL SELECT max(occurred_at) FROM activities)").fetchall()[0]


def span_days(first: dt.datetime | None, last: dt.datetime | None, tz: zoneinfo.ZoneInfo) -> tuple[dt.date, dt.date]:
    """The local days business time is laid over: the data's first day to the later of its last day and today
    (handoffs still open are judged up to now)."""
    today = dt.datetime.now(tz).date()
    lo = first.astimezone(tz).date() if first else today
    hi = max(last.astimezone(tz).date(), today) if last else today
    return lo, hi


def _counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    return {t: con.execute(f"SELECT count(*) FROM {_t(t)}").fetchall()[0][0] for t in SPECS}


def _apply_terms(con: duckdb.DuckDBPyConnection, config: SlaConfig) -> tuple[dt.datetime | None, dt.datetime | None]:
    """Store the terms, lay the business spans over the data's span (to today at least) and rebuild every derived
    table: the part of an import that judges. Inside the caller's transaction; returns the data's first and last
    instants."""
    _store_config(con, config)
    first, last = data_instants(con)
    business_calendar.load_business_spans(con, config, *span_days(first, last, config.calendar.tz))
    rebuild_derived(con, config.calendar.timezone)
    return first, last


def replace_terms(con: duckdb.DuckDBPyConnection, config: SlaConfig, *, source: str = "SLA terms edited",
                  changed_at: dt.datetime | None = None,
                  record: Callable[[int], None] | None = None) -> ImportSummary:
    """Put new SLA terms in force over the data already stored, all-or-nothing: the terms, the business spans and
    every derived table in one transaction, recorded in the import history as mode "terms" (so data_version
    moves and every cached figure is recomputed). Why not import_sources(con, {}, config, mode="append"): that
    records an ordinary import, whose moment would also move the cap on "data as of" (default_as_of) and let rows
    dated after the last real import into the default view without anyone importing them. The caller validated
    `config` with parse_sla; timestamps already stored stay the instants they were read as. `record(import_id)`, when
    given, writes its own rows inside the same transaction."""
    moment = changed_at or dt.datetime.now(dt.UTC)
    con.execute("BEGIN")
    try:
        first, last = _apply_terms(con, config)
        counts = _counts(con)
        demo = con.execute("SELECT coalesce(any_value(is_demo), false) FROM (SELECT is_demo FROM imports "
                           "ORDER BY import_id DESC LIMIT 1)").fetchall()[0][0]
        import_id = con.execute(
            "INSERT INTO imports (imported_at, source, mode, is_demo, leads, stage_events, activities, reps) "
            "VALUES ($at, $source, $mode, $demo, $l, $e, $a, $r) RETURNING import_id",
            {"at": moment, "source": source, "mode": TERMS_MODE, "demo": demo, "l": counts["leads"],
             "e": counts["stage_events"], "a": counts["activities"], "r": counts["reps"]}).fetchall()[0][0]
        if record is not None:  # e.g. the adoption of a draft: in the same transaction as the terms it put in force
            record(int(import_id))
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return ImportSummary(int(import_id), counts, first, last, moment)


def _calendar_values(cal: Calendar) -> dict[str, object]:
    return {"tz": cal.timezone, "days": ",".join(WEEKDAYS[d] for d in cal.workdays),
            "start": cal.day_start.isoformat("minutes"), "end": cal.day_end.isoformat("minutes"),
            "hours": cal.day_hours, "country": cal.holiday_country,
            "extra": ",".join(d.isoformat() for d in cal.extra_holidays),
            "breaks": ",".join(f"{a.isoformat('minutes')}-{b.isoformat('minutes')}" for a, b in cal.breaks),
            "subdivision": cal.holiday_subdivision}


def _store_config(con: duckdb.DuckDBPyConnection, config: SlaConfig) -> None:


    cal = config.calendar
    con.execute("DELETE FROM calendar_settings")
    con.execute("INSERT INTO calendar_settings (timezone, workdays, day_start, day_end, day_hours, holiday_country, "
                "extra_holidays, breaks, holiday_subdivision) "
                "VALUES ($tz, $days, $start, $end, $hours, $country, $extra, $breaks, $subdivision)",
                _calendar_values(cal))
    con.execute("DELETE FROM named_calendars")
    for position, (name, named) in enumerate(config.calendars):
        con.execute("INSERT INTO named_calendars VALUES ($name, $position, $tz, $days, $start, $end, $hours, "
                    "$country, $extra, $breaks, $subdivision)",
                    {"name": name, "position": position, **_calendar_values(named)})
    con.execute("DELETE FROM team_calendars")
    for team, calendar in config.teams:
        con.execute("INSERT INTO team_calendars VALUES ($team, $calendar)", {"team": team, "calendar": calendar})
    con.execute("DELETE FROM sla_versions")
    con.execute("DELETE FROM sla_tiers")
    for v in config.versions:
        start = dt.datetime.combine(v.effective_from, dt.time(0), tzinfo=cal.tz)
        con.execute(
            "INSERT INTO sla_versions VALUES ($name, $from, $from_ts, $thr, $fw, $ew, $stage, $target, "
            "$commit, $attempts, $window, $conv)",
            {"name": v.name, "from": v.effective_from, "from_ts": start, "thr": v.mql_threshold,
             "fw": v.fit_weight, "ew": v.engagement_weight, "stage": v.handoff_stage,
             "target": v.response_target_hours, "commit": v.monthly_mql_commitment,
             "attempts": v.min_attempts, "window": v.attempt_window_business_days,
             "conv": v.mql_to_sql_target})
        for position, tier in enumerate(v.tiers):
            match = dict(tier.match)
            con.execute(
                "INSERT INTO sla_tiers VALUES ($from, $position, $name, $m0, $m1, $m2, $m3, $m4, $m5, $target, "
                "$attempts, $window)",
                {"from": v.effective_from, "position": position, "name": tier.name,
                 **{f"m{i}": list(match[k]) if k in match else None for i, k in enumerate(TIER_MATCH_KEYS)},
                 "target": tier.response_target_hours, "attempts": tier.min_attempts,
                 "window": tier.attempt_window_business_days})
