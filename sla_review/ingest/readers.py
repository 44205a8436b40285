"""Read user-supplied files (CSV/TSV, XLSX, Parquet) into all-string polars frames.

Why all strings: the mapping layer decides what a value means (a date in which order, a score on which
scale, a placeholder such as ``Select``). Letting a reader guess types first loses information (leading
zeros, ``01/02/2023`` parsed month-first, ``=1+1`` evaluated), so every column comes back as ``pl.Utf8``.

Every frame also carries ``__row`` (the row number a person sees in a spreadsheet: the header is row 1, so
the first data row is row 2) and ``__file`` (the file name), so later error messages can point at a cell.

Formulas: CSV cells such as ``=HYPERLINK(...)`` are plain text here and stay plain text. XLSX is read with
openpyxl ``data_only=True``: a formula cell yields the value Excel saved with the workbook, never the formula
and never a fresh evaluation; a formula cell with no saved value (a file written by a tool, never opened in
Excel) comes back empty. Text cells that merely start with ``= + - @`` are kept verbatim.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path

import polars as pl

__all__ = [
    "DEFAULT_MAX_BYTES",
    "ENCODINGS",
    "ROW_COL",
    "FILE_COL",
    "SourceError",
    "read_table",
    "read_tables",
]

DEFAULT_MAX_BYTES = 200 * 1024 * 1024
#: Tried in this order for delimited text; UTF-16 is also accepted when the file starts with its BOM
#: (Excel's "Unicode text" export).
ENCODINGS = ("utf-8-sig", "utf-8", "cp932")
ROW_COL = "__row"
FILE_COL = "__file"

_DELIMITED = {".csv", ".tsv", ".txt", ".tab"}
_EXCEL = {".xlsx", ".xlsm"}
_PARQUET = {".parquet", ".pq"}
_SNIFF_CHARS = 64 * 1024
_CANDIDATE_DELIMITERS = (",", "\t", ";", "|")
# A header cell that looks like a value rather than a name (number, date, long hex id, uuid, e-mail).
_VALUE_LIKE = re.compile(
    r"^(?:[+-]?\d+(?:[.,]\d+)?"
    r"|\d{1,4}[-/.年]\d{1,2}[-/.月]\d{1,4}.*"
    r"|[0-9a-fA-F]{16,}"
    r"|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
    r"|[^@\s]+@[^@\s]+\.[^@\s]+)$"
)


class SourceError(ValueError):
    """A file cannot be read as a table. The message is meant for the person who uploaded it."""


def _human_size(n: int) -> str:
    """Format a byte count the way a file browser would."""
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.1f} MB"
    if n >= 1024:
        return f"{n / 1024:.1f} KB"
    return f"{n} bytes"


def _column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA: how a spreadsheet names a column, for unnamed headers."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def read_table(
    path: Path | str,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    sheet: str | int | None = None,
) -> pl.DataFrame:
    """Read one CSV/TSV, XLSX or Parquet file; every column is a string, plus ``__row`` and ``__file``.

    ``sheet`` picks an XLSX worksheet by name or 0-based index (default: the first sheet).
    Raises :class:`SourceError` with a plain-language message naming the file when the file is too big,
    empty, binary, headerless or otherwise unreadable.
    """
    path = Path(path)
    name = path.name
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise SourceError(f"{name}: the file does not exist.") from None
    if not path.is_file():
        raise SourceError(f"{name} is a folder, not a file.")
    if size > max_bytes:
        raise SourceError(
            f"{name} is {_human_size(size)}, larger than the {_human_size(max_bytes)} limit. "
            "Split it into smaller files or export fewer columns."
        )
    if size == 0:
        raise SourceError(f"{name} is empty (0 bytes): there is no header row and no data.")

    with path.open("rb") as fh:
        head = fh.read(8)
    suffix = path.suffix.lower()
    if suffix == ".xls" or head.startswith(b"\xd0\xcf\x11\xe0"):
        raise SourceError(
            f"{name} is an old-style Excel file (.xls). Open it in Excel and save it as .xlsx or CSV (UTF-8)."
        )
    if suffix in _EXCEL:
        frame = _read_xlsx(path, sheet)
    elif suffix in _PARQUET:
        frame = _read_parquet(path)
    else:
        if head.startswith(b"PK\x03\x04") and suffix in _DELIMITED:
            raise SourceError(
                f"{name} is not a text file: it looks like an Excel workbook (.xlsx) or a zip archive "
                "with a .csv name. Rename it to .xlsx, or save it from Excel as CSV."
            )
        if head.startswith(b"PAR1") and suffix in _DELIMITED:
            raise SourceError(f"{name} is a Parquet file with a {suffix} name. Rename it to .parquet.")
        frame = _read_delimited(path, default_tab=suffix in {".tsv", ".tab"})
    return frame.with_columns(pl.lit(name, dtype=pl.Utf8).alias(FILE_COL))


def read_tables(paths: list[Path] | list[str], *, max_bytes: int = DEFAULT_MAX_BYTES) -> dict[str, pl.DataFrame]:
    """Read several files into the ``{file name: frame}`` dict that ``mapping.detect``/``apply`` take."""
    return {Path(p).name: read_table(Path(p), max_bytes=max_bytes) for p in paths}


# --------------------------------------------------------------------------------------------------
# Delimited text


def _decode(data: bytes, name: str) -> tuple[str, str]:
    """Decode bytes with the first encoding that works; refuse binary content."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            pass
    if b"\x00" in data[:8192]:
        raise SourceError(
            f"{name} is not a text (CSV) file: it contains binary data, as an image, a zip or a database "
            "file would. Export the data from its program as CSV or XLSX."
        )
    for encoding in ENCODINGS:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        sample = text[:8192]
        control = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\r\n\f")
        if sample and control / len(sample) > 0.01:
            raise SourceError(
                f"{name} is not a text (CSV) file: it contains binary data. "
                "Export the data from its program as CSV or XLSX."
            )
        return text, encoding
    raise SourceError(
        f"{name}: the text encoding was not recognised (tried UTF-8 and Shift_JIS/CP932). "
        "Save the file as 'CSV UTF-8' from Excel and upload it again."
    )


def _sniff_delimiter(text: str, default_tab: bool) -> str:
    """Pick the delimiter that splits the first lines into the most consistent number (>1) of fields."""
    sample = text[:_SNIFF_CHARS]
    if len(text) > _SNIFF_CHARS and "\n" in sample:
        sample = sample[: sample.rfind("\n")]
    lines = [ln for ln in sample.splitlines() if ln.strip()][:50]
    if not lines:
        return "\t" if default_tab else ","
    best: tuple[float, int, str] | None = None
    order = ("\t", ",", ";", "|") if default_tab else _CANDIDATE_DELIMITERS
    for rank, delim in enumerate(order):
        try:
            records = list(csv.reader(lines, delimiter=delim))
        except csv.Error:
            continue
        if not records:
            continue
        width = len(records[0])
        if width < 2:
            continue
        consistent = sum(1 for r in records if len(r) in (width, width - 1, width + 1)) / len(records)
        key = (consistent, width, -rank)
        if best is None or key > (best[0], best[1], -order.index(best[2])):
            best = (consistent, width, delim)
    if best is None:
        return "\t" if default_tab else ","
    return best[2]


def _first_overlong_record(payload: bytes, delimiter: str, width: int) -> tuple[int, int]:
    """Find (spreadsheet row, field count) of the first record wider than ``width`` (error path only)."""
    text = payload.decode("utf-8", errors="replace")
    for index, record in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter)):
        if any(v.strip() for v in record[width:]):
            return index + 1, len(record)
    return 0, 0


def _max_width(payload: bytes, delimiter: str) -> int:
    """Widest record in the file (only used when polars reports ragged lines)."""
    text = payload.decode("utf-8", errors="replace")
    return max((len(r) for r in csv.reader(io.StringIO(text), delimiter=delimiter)), default=0)


def _read_delimited(path: Path, default_tab: bool) -> pl.DataFrame:
    name = path.name
    data = path.read_bytes()
    text, encoding = _decode(data, name)
    if not re.search(r"[^\s\ufeff]", text):
        raise SourceError(f"{name} is empty: there is no header row and no data.")
    delimiter = _sniff_delimiter(text[: _SNIFF_CHARS + 1], default_tab)
    # Pass the original bytes when they already are UTF-8 without a BOM: no second copy of the file.
    plain_utf8 = encoding == "utf-8" or (encoding == "utf-8-sig" and not data.startswith(b"\xef\xbb\xbf"))
    payload = data if plain_utf8 else text.encode("utf-8")
    del text, data  # keep one copy of a file that may be 200 MB
    options = {
        "has_header": False,
        "infer_schema": False,
        "separator": delimiter,
        "quote_char": '"',
        "raise_if_empty": False,
    }
    try:
        raw = pl.read_csv(io.BytesIO(payload), **options)
    except pl.exceptions.ComputeError as exc:
        if "more fields" not in str(exc):
            raise SourceError(f"{name} could not be read as CSV: {exc}".splitlines()[0]) from None
        # Some rows are longer than the first one: read at the widest width, then decide.
        width = _max_width(payload, delimiter)
        schema = {f"column_{i + 1}": pl.Utf8 for i in range(width)}
        try:
            raw = pl.read_csv(io.BytesIO(payload), schema=schema, missing_columns="insert", **options)
        except pl.exceptions.PolarsError as exc2:
            raise SourceError(f"{name} could not be read as CSV: {exc2}".splitlines()[0]) from None
    except pl.exceptions.PolarsError as exc:
        raise SourceError(f"{name} could not be read as CSV: {exc}".splitlines()[0]) from None
    return _frame_from_records(raw, name, payload=payload, delimiter=delimiter)


def _frame_from_records(raw: pl.DataFrame, name: str, *, payload: bytes | None = None,
                        delimiter: str = ",") -> pl.DataFrame:
    """Turn a header-less all-string frame (record 1 = header) into the final frame with ``__row``."""
    if raw.height == 0 or raw.width == 0:
        raise SourceError(f"{name} is empty: there is no header row and no data.")
    raw = raw.with_row_index("__record", offset=1)
    cols = [c for c in raw.columns if c != "__record"]
    non_empty = raw.filter(pl.any_horizontal(pl.col(cols).str.strip_chars().str.len_chars() > 0))
    if non_empty.height == 0:
        raise SourceError(f"{name} has no header row and no data (every cell is empty).")
    header_record = int(non_empty["__record"][0])
    header_values = [
        (v.strip().lstrip("\ufeff").strip() if isinstance(v, str) else "")
        for v in raw.filter(pl.col("__record") == header_record).select(cols).row(0)
    ]
    data = raw.filter(pl.col("__record") > header_record)

    # Trailing columns without a header name: empty ones come from trailing commas and are dropped;
    # values there mean rows are longer than the header (often an unquoted comma inside a value).
    keep = len(cols)
    while keep > 0 and not header_values[keep - 1]:
        keep -= 1
    if keep == 0:
        raise SourceError(f"{name} has no header row: the first row is empty.")
    extra = cols[keep:]
    if extra and data.select(
        pl.any_horizontal(pl.col(extra).str.strip_chars().str.len_chars() > 0).fill_null(False).any()
    ).item():
        row, count = _first_overlong_record(payload, delimiter, keep) if payload is not None else (0, 0)
        where = f" (first at row {row}, which has {count} values for {keep} column names)" if row else ""
        raise SourceError(
            f"{name}: some rows have more values than there are column names in the header{where}. "
            "Check for unquoted commas inside values, or add the missing column names."
        )
    cols, header_values = cols[:keep], header_values[:keep]

    named = [v for v in header_values if v]
    value_like = [v for v in named if _VALUE_LIKE.match(v)]
    if named and len(value_like) * 2 > len(named):
        sample = ", ".join(f'"{v}"' for v in value_like[:3])
        raise SourceError(
            f"{name} seems to have no header row: the first row holds values such as {sample} instead of "
            "column names. Add a first row with the column names."
        )

    names: list[str] = []
    seen: dict[str, int] = {}
    for i, value in enumerate(header_values):
        label = value or f"Column {_column_letter(i)}"
        if label in seen:
            seen[label] += 1
            label = f"{label} ({seen[label]})"
        else:
            seen[label] = 1
        names.append(label)

    # Unnamed columns in the middle are kept (as "Column C") only when they hold something.
    pairs = [
        (c, n) for c, n, v in zip(cols, names, header_values, strict=True)
        if v or data.select(pl.col(c).str.strip_chars().str.len_chars().fill_null(0).max()).item()
    ]
    cols, names = [c for c, _ in pairs], [n for _, n in pairs]
    out = data.select(
        *[pl.col(c).alias(n) for c, n in pairs],
        pl.col("__record").cast(pl.Int64).alias(ROW_COL),
    )
    # Rows that are entirely empty (blank lines, ",,,," left by Excel) carry no data.
    return out.filter(pl.any_horizontal(pl.col(names).str.strip_chars().str.len_chars() > 0).fill_null(False))


# --------------------------------------------------------------------------------------------------
# XLSX


def _cell_text(value: object) -> str | None:
    """Render an openpyxl cell value as the text a person would type for it."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0) and value.tzinfo is None:
            return value.date().isoformat()
        return value.isoformat(timespec="seconds" if not value.microsecond else "microseconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.isoformat(timespec="seconds")
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, dt.timedelta):
        return str(value)
    return str(value)


def _read_xlsx(path: Path, sheet: str | int | None) -> pl.DataFrame:
    import zipfile

    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    name = path.name
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise SourceError(f"{name} could not be opened as an Excel workbook (.xlsx): {exc}") from None
    try:
        if sheet is None:
            ws = wb.worksheets[0]
        elif isinstance(sheet, int):
            try:
                ws = wb.worksheets[sheet]
            except IndexError:
                raise SourceError(f"{name} has no sheet number {sheet + 1}.") from None
        else:
            if sheet not in wb.sheetnames:
                raise SourceError(
                    f"{name} has no sheet named \"{sheet}\"; its sheets are: {', '.join(wb.sheetnames)}."
                )
            ws = wb[sheet]
        rows = [tuple(_cell_text(v) for v in row) for row in ws.iter_rows(values_only=True)]
    finally:
        wb.close()
    if not rows:
        raise SourceError(f"{name}: the sheet \"{ws.title}\" is empty: there is no header row and no data.")
    width = max(len(r) for r in rows)
    columns = {f"column_{i + 1}": [r[i] if i < len(r) else None for r in rows] for i in range(width)}
    raw = pl.DataFrame(columns, schema={c: pl.Utf8 for c in columns})
    return _frame_from_records(raw, name)


# --------------------------------------------------------------------------------------------------
# Parquet


def _read_parquet(path: Path) -> pl.DataFrame:
    name = path.name
    try:
        df = pl.read_parquet(path)
    except Exception as exc:  # any reader failure is a user-facing "cannot read"
        raise SourceError(f"{name} could not be read as a Parquet file: {str(exc).splitlines()[0]}") from None
    if df.width == 0:
        raise SourceError(f"{name} has no columns.")
    exprs = []
    for col, dtype in df.schema.items():
        c = pl.col(col)
        if isinstance(dtype, pl.Datetime):
            fmt = "%Y-%m-%dT%H:%M:%S%.f%:z" if dtype.time_zone else "%Y-%m-%dT%H:%M:%S%.f"
            exprs.append(c.dt.to_string(fmt).str.replace(r"\.0+(\+|-|$)", "$1").alias(col))
        elif dtype == pl.Date:
            exprs.append(c.dt.to_string("%Y-%m-%d").alias(col))
        elif dtype.is_nested():
            raise SourceError(
                f"{name}: column \"{col}\" holds lists or nested records; flatten it to plain values first."
            )
        else:
            exprs.append(c.cast(pl.Utf8).alias(col))
    return df.select(exprs).with_row_index(ROW_COL, offset=2).with_columns(pl.col(ROW_COL).cast(pl.Int64)).select(
        *df.columns, ROW_COL
    )
