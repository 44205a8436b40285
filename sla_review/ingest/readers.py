"""Read user-supplied files (CSV/TSV, XLSX, Parquet) into all-string polars frames.

Why all strings: the mapping layer decides what a value means (a date in which order, a score on which
scale, a placeholder such as ``Select``). Letting a reader guess types first loses information (leading
zeros, ``01/02/2023`` parsed month-first, ``=1+1`` evaluated), so every column comes back as ``pl.Utf8``.

Every frame also carries ``__row`` (the row number a person sees in a spreadsheet: the header is row 1, so
the first data row is row 2) and ``__file`` (the file name), so later error messages can point at a cell.

Formulas: CSV cells such as ``=HYPERLINK(...)`` are plain text here and stay plain text. XLSX (and the old
.xls) is read with fastexcel (Rust calamine): a formula cell yields the value Excel saved with the workbook,
never the formula and never a fresh evaluation; a formula cell with no saved value (a file written by a tool,
never opened in Excel) comes back empty. Text cells that merely start with ``= + - @`` are kept verbatim.

Limits (sla_review/ingest/limits.py): :func:`check_before_read` refuses a file that is too large, has too many
columns, or is an xlsx/Parquet that would expand past the limits, before anything expensive is read; the
readers then check cell lengths, the read budget and whether the browser tab is still open (``should_stop``)
between chunks. The CLI's canonical import (DuckDB reads those files itself) runs the same checks through
:func:`check_before_read` and :func:`explain_csv_error`, so both refuse the same files with the same words.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import itertools
import logging
import re
import time
import warnings
import zipfile
from collections.abc import Callable
from pathlib import Path

import polars as pl

from sla_review.core.problems import Problem
from sla_review.ingest import limits
from sla_review.present import formats

__all__ = [
    "DEFAULT_MAX_BYTES",
    "ENCODINGS",
    "ROW_COL",
    "FILE_COL",
    "ReadBudget",
    "SourceError",
    "check_before_read",
    "explain_csv_error",
    "read_after_parser_error",
    "read_table",
    "read_tables",
]

DEFAULT_MAX_BYTES = limits.MAX_BYTES
#: Tried in this order for delimited text; UTF-16 is also accepted when the file starts with its BOM
#: (Excel's "Unicode text" export).
ENCODINGS = ("utf-8-sig", "utf-8", "cp932")
ROW_COL = "__row"
FILE_COL = "__file"

_DELIMITED = {".csv", ".tsv", ".txt", ".tab"}
_EXCEL = {".xlsx", ".xlsm", ".xls"}
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
    """A file cannot be read as a table. The message is meant for the person who uploaded it.

    Refusals built by :meth:`refuse` also carry a :class:`Problem` (file, row, column, value) whose message
    speaks every language of the catalogue; ``str(err)`` is the English sentence.
    """

    def __init__(self, message: str, problem: Problem | None = None) -> None:
        super().__init__(message)
        self.problem = problem

    @classmethod
    def refuse(cls, key: str, file: str, *, row: int | None = None, column: str | None = None,
               value: object = None, **values: object) -> SourceError:
        """A refusal worded by locales/*.toml [reader].<key>; numbers in ``values`` arrive formatted."""
        problem = Problem.worded(f"reader.{key}", file, row, column, value, **values)
        return cls(problem.sentence("en"), problem)

    @classmethod
    def said(cls, key: str, file: str, joiner: str = " ", *, column: str | None = None,
             **values: object) -> SourceError:
        """A refusal worded by [reader].<key> whose English stays the file's own sentence ("x.csv is empty: …",
        ``joiner`` between the name and the words), as these refusals always read in the CLI."""
        problem = Problem.worded(f"reader.{key}", file, None, column, None, **values)
        return cls(f"{file}{joiner}{problem.message}", problem)

    def as_problem(self, file: str) -> Problem:
        """The refusal as a Problem (older messages, English only, become the file's message)."""
        if self.problem is not None:
            return self.problem
        return Problem(file, None, None, None, str(self).removeprefix(file).lstrip(": "))

    def text(self, lang: str) -> str:
        """The whole sentence in ``lang`` (English for messages that have no translation yet)."""
        return self.problem.sentence(lang) if self.problem is not None and lang != "en" else str(self)


class ReadCancelled(SourceError):
    """The browser session that asked for the read has gone: nobody is waiting for the result."""


class ReadBudget:
    """The wall-clock budget of one file's read, and the question "is anybody still waiting for it?".

    ``check`` is called between chunks of rows and between the stages of a read; it raises a refusal once the
    budget is spent or ``should_stop`` (the Data page: the browser tab was closed) says so.
    """

    def __init__(self, file: str, should_stop: Callable[[], bool] | None = None,
                 seconds: float = limits.READ_BUDGET_SECONDS) -> None:
        self.file, self.should_stop, self.seconds = file, should_stop, seconds
        self.started = time.monotonic()

    def check(self, row: int | None = None) -> None:
        if self.should_stop is not None and self.should_stop():
            logging.getLogger(__name__).warning("stopped reading %s at row %s: its browser session has gone",
                                                self.file, row)
            raise ReadCancelled.refuse("cancelled", self.file)
        if time.monotonic() - self.started > self.seconds:
            raise SourceError.refuse("over_budget", self.file, row=row, seconds=formats.integer(self.seconds))


def _over(count: float, limit: float) -> str:
    return formats.integer(count - limit)


def _human_size(n: int) -> str:
    """Format a byte count the way a file browser would."""
    if n >= 1024 * 1024 * 1024:
        return f"{n / (1024 * 1024 * 1024):.1f} GB"
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
    should_stop: Callable[[], bool] | None = None,
    budget_seconds: float = limits.READ_BUDGET_SECONDS,
) -> pl.DataFrame:
    """Read one CSV/TSV, XLSX or Parquet file; every column is a string, plus ``__row`` and ``__file``.

    ``sheet`` picks an XLSX worksheet by name or 0-based index (default: the first sheet). ``should_stop`` is
    asked between chunks whether anybody still waits for the result (the Data page: is the tab still open).
    Raises :class:`SourceError` with a plain-language message naming the file when the file is too big,
    empty, binary, headerless, over a limit (sla_review/ingest/limits.py) or otherwise unreadable.
    """
    path = Path(path)
    name = path.name
    budget = ReadBudget(name, should_stop, budget_seconds)
    check_before_read(path, max_bytes=max_bytes, sheet=sheet)
    with path.open("rb") as fh:
        head = fh.read(8)
    suffix = path.suffix.lower()
    if suffix in _EXCEL:
        frame = _read_xlsx(path, sheet, budget)
    elif suffix in _PARQUET:
        frame = _read_parquet(path)
    else:
        if head.startswith(b"PK\x03\x04") and suffix in _DELIMITED:
            raise SourceError.said("zip_named_csv", name)
        if head.startswith(b"PAR1") and suffix in _DELIMITED:
            raise SourceError.said("parquet_misnamed", name, suffix=suffix)
        frame = _read_delimited(path, default_tab=suffix in {".tsv", ".tab"}, budget=budget)
    budget.check()
    _check_cells(frame, name)
    return frame.with_columns(pl.lit(name, dtype=pl.Utf8).alias(FILE_COL))


def read_tables(paths: list[Path] | list[str], *, max_bytes: int = DEFAULT_MAX_BYTES,
                should_stop: Callable[[], bool] | None = None) -> dict[str, pl.DataFrame]:
    """Read several files into the ``{file name: frame}`` dict that ``mapping.detect``/``apply`` take."""
    return {Path(p).name: read_table(Path(p), max_bytes=max_bytes, should_stop=should_stop) for p in paths}


# --------------------------------------------------------------------------------------------------
# Limits checked before the read (sla_review/ingest/limits.py)


def check_before_read(path: Path | str, *, max_bytes: int | None = DEFAULT_MAX_BYTES,
                      sheet: str | int | None = None) -> None:
    """Refuse a file the readers must not start on: missing, empty, too large, an old .xls, a header wider than
    limits.MAX_COLUMNS, an xlsx or Parquet file that would expand past the limits. Reads at most the first
    limits.HEADER_BYTES of a text file (more only to count an overlong first line's delimiters, at C speed) and
    the zip directory and first bytes of an xlsx's parts. ``max_bytes=None`` (the CLI's canonical import, which
    DuckDB streams) skips the size limit only."""
    path = Path(path)
    name = path.name
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise SourceError.said("no_such_file", name, ": ") from None
    if not path.is_file():
        raise SourceError.said("folder", name)
    if max_bytes is not None and size > max_bytes:
        raise SourceError.refuse("too_big", name, size=_human_size(size), limit=_human_size(max_bytes),
                                 over=_human_size(size - max_bytes))
    if size == 0:
        raise SourceError.said("zero_bytes", name)
    with path.open("rb") as fh:
        head = fh.read(8)
    suffix = path.suffix.lower()
    if suffix != ".xls" and head.startswith(b"\xd0\xcf\x11\xe0"):
        raise SourceError.said("xls", name)  # an old workbook (or an encrypted one) under another name
    if suffix == ".xls":
        pass  # no zip directory to check: the reader checks the sheet's size once read (xls holds 16.7M cells)
    elif suffix in _EXCEL:
        _check_xlsx(path, sheet)
    elif suffix in _PARQUET:
        _check_parquet(path)
    elif not head.startswith((b"PK\x03\x04", b"PAR1")):
        _check_text(path, default_tab=suffix in {".tsv", ".tab"})
        _check_header(path, default_tab=suffix in {".tsv", ".tab"})


def _check_text(path: Path, default_tab: bool) -> None:
    """A delimited file is text: refuse binary content, and name the row, column and value of a NUL character
    (DuckDB and polars would store it silently). Streams the file in chunks; C-speed searches only."""
    name = path.name
    with path.open("rb") as fh:
        head = fh.read(8192)
        if head.startswith((b"\xff\xfe", b"\xfe\xff")):
            return  # UTF-16: every other byte is zero
        if head.count(b"\x00") > max(8, len(head) // 100):  # many zero bytes: not text at all
            raise SourceError.said("binary", name)
        fh.seek(0)
        header = fh.readline(limits.HEADER_BYTES)
        fh.seek(0)
        row, carry = 1, b""
        while chunk := fh.read(limits.HEADER_BYTES):
            nul = chunk.find(b"\x00")
            if nul < 0:
                row += chunk.count(b"\n")
                last = chunk.rfind(b"\n")
                carry = chunk[last + 1:] if last >= 0 else carry + chunk
                continue
            before = chunk.rfind(b"\n", 0, nul)
            row += chunk.count(b"\n", 0, nul)
            start = (carry + chunk[:nul]) if before < 0 else chunk[before + 1:nul]
            end = chunk.find(b"\n", nul)
            line = start + (chunk[nul:] if end < 0 else chunk[nul:end])
            data, base = _row_window(header, row, line)
            raise _located("nul_byte", name, data, base + len(start), default_tab)


def _row_window(header: bytes, row: int, line: bytes) -> tuple[bytes, int]:
    """Bytes standing for a file whose header is ``header`` and whose line ``row`` is ``line`` (blank lines in
    between), and where that line starts: what :func:`_located` needs, without holding the file."""
    if row <= 1:
        return line, 0
    header = header if header.endswith(b"\n") else header + b"\n"
    data = header + b"\n" * (row - 2) + line
    return data, len(data) - len(line)


def _too_many_columns(name: str, count: int, row: int | None = None) -> SourceError:
    return SourceError.refuse("too_many_columns", name, row=row, count=formats.integer(count),
                              limit=formats.integer(limits.MAX_COLUMNS), over=_over(count, limits.MAX_COLUMNS))


def _check_header(path: Path, default_tab: bool) -> None:
    """Count the header row's columns from the first limits.HEADER_BYTES (a million-column header is refused
    here, before the file is read); a first line longer than that is counted on by its delimiters."""
    name = path.name
    with path.open("rb") as fh:
        head = fh.read(limits.HEADER_BYTES)
        utf16 = head.startswith((b"\xff\xfe", b"\xfe\xff"))
        text = head.decode("utf-16" if utf16 else "utf-8-sig", errors="replace")
        delimiter = _sniff_delimiter(text[: _SNIFF_CHARS + 1], default_tab)
        records = csv.reader(io.StringIO(text), delimiter=delimiter)
        try:
            first = next((r for r in records if any(v.strip() for v in r)), None)
            ended = len(head) < limits.HEADER_BYTES or next(records, None) is not None
        except csv.Error:  # a header cell over csv's own field limit (128 K characters)
            first, ended = [], False
        if first is None:
            return  # blank: the reader says "empty" in its own words
        count = len(first)
        if not ended:
            needle = delimiter.encode("utf-16-le" if utf16 else "utf-8")
            while chunk := fh.read(limits.HEADER_BYTES):
                stop = chunk.find(b"\n")
                count += chunk.count(needle, 0, len(chunk) if stop < 0 else stop)
                if stop >= 0:
                    break
    if count > limits.MAX_COLUMNS:
        raise _too_many_columns(name, count, 1)
    if not ended:
        raise SourceError.refuse("header_too_long", name, row=1, limit=_human_size(limits.HEADER_BYTES))


def _zip_head(zf: zipfile.ZipFile, member: str, n: int = 64 * 1024) -> bytes:
    """The first ``n`` uncompressed bytes of a zip member (decompression stops there)."""
    with zf.open(member) as fh:
        return fh.read(n)


def _xml_attrs(tag: bytes) -> dict[str, str]:
    return {k.decode().split(":")[-1]: v.decode("utf-8", errors="replace")
            for k, v in re.findall(rb'([\w:]+)="([^"]*)"', tag)}


def _sheet_member(zf: zipfile.ZipFile, sheet: str | int | None) -> tuple[str, str] | None:
    """(sheet name, zip member) of the sheet the reader will read, from workbook.xml and its relationships."""
    try:
        workbook = _zip_head(zf, "xl/workbook.xml", 1 << 20)
        sheets = [_xml_attrs(t) for t in re.findall(rb"<(?:\w+:)?sheet\b[^>]*>", workbook)]
        rels = {a.get("Id"): a.get("Target", "") for a in (
            _xml_attrs(t) for t in re.findall(rb"<(?:\w+:)?Relationship\b[^>]*>",
                                              _zip_head(zf, "xl/_rels/workbook.xml.rels", 1 << 20)))}
    except KeyError:
        return None
    if isinstance(sheet, int):
        chosen = sheets[sheet] if 0 <= sheet < len(sheets) else None
    elif sheet is None:
        chosen = sheets[0] if sheets else None
    else:
        chosen = next((a for a in sheets if a.get("name") == sheet), None)
    target = rels.get(chosen.get("id")) if chosen else None
    if not target:
        return None
    member = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    return chosen.get("name", ""), member


def _cell_ref(ref: str) -> tuple[int, int]:
    """"AB12" -> (column number 28, row 12)."""
    letters, digits = re.fullmatch(r"\$?([A-Z]+)\$?(\d+)", ref.upper()).groups()
    col = 0
    for ch in letters:
        col = col * 26 + ord(ch) - 64
    return col, int(digits)


def _check_xlsx(path: Path, sheet: str | int | None) -> None:
    """The zip directory and the first bytes of the shared strings and the sheet, before the reader parses anything:
    uncompressed size, compression ratio, shared-strings count, the sheet's width and cell count."""
    name = path.name
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise SourceError.said("not_xlsx", name, detail=exc) from None
    with zf:
        infos = zf.infolist()
        total = sum(i.file_size for i in infos)
        packed = max(sum(i.compress_size for i in infos), 1)
        if total > limits.MAX_UNCOMPRESSED_BYTES:
            raise SourceError.refuse("uncompressed", name, size=_human_size(total),
                                     limit=_human_size(limits.MAX_UNCOMPRESSED_BYTES),
                                     over=_human_size(total - limits.MAX_UNCOMPRESSED_BYTES))
        members = {i.filename for i in infos}
        try:
            if "xl/sharedStrings.xml" in members:
                tag = re.search(rb"<(?:\w+:)?sst\b[^>]*>", _zip_head(zf, "xl/sharedStrings.xml", 4096))
                attrs = _xml_attrs(tag.group(0)) if tag else {}
                count = max(int(attrs.get(k, "0") or 0) for k in ("uniqueCount", "count")) if attrs else 0
                if count > limits.MAX_SHARED_STRINGS:
                    raise SourceError.refuse("shared_strings", name, count=formats.integer(count),
                                             limit=formats.integer(limits.MAX_SHARED_STRINGS),
                                             over=_over(count, limits.MAX_SHARED_STRINGS))
            if total > limits.RATIO_CHECK_FROM and total > packed * limits.MAX_COMPRESSION_RATIO:
                raise SourceError.refuse("ratio", name, ratio=formats.integer(total // packed),
                                         size=_human_size(total), compressed=_human_size(packed),
                                         limit=formats.integer(limits.MAX_COMPRESSION_RATIO))
            found = _sheet_member(zf, sheet)
            if found is None or found[1] not in members:
                return  # the reader names the missing sheet in its own words
            title, member = found
            dim = re.search(rb'<(?:\w+:)?dimension\s+ref="([A-Za-z$]+[$\d]+)(?::([A-Za-z$]+[$\d]+))?"',
                            _zip_head(zf, member))
            sheet_bytes = zf.getinfo(member).file_size
        except SourceError:
            raise
        except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
            raise SourceError.said("not_xlsx", name, detail=exc) from None
    if dim is None:
        if sheet_bytes > limits.MAX_UNSIZED_SHEET_BYTES:
            raise SourceError.refuse("unsized_sheet", name, sheet=title, size=_human_size(sheet_bytes),
                                     limit=_human_size(limits.MAX_UNSIZED_SHEET_BYTES))
        return  # a small sheet without a dimension: the reader checks the width and the budget row by row
    first = _cell_ref(dim.group(1).decode())
    last = _cell_ref(dim.group(2).decode()) if dim.group(2) else first
    columns, rows = last[0] - first[0] + 1, last[1] - first[1] + 1
    if columns > limits.MAX_COLUMNS:
        raise _too_many_columns(name, columns, 1)
    if columns * rows > limits.MAX_XLSX_CELLS:
        raise SourceError.refuse("xlsx_cells", name, sheet=title, rows=formats.integer(rows),
                                 columns=formats.integer(columns), cells=formats.integer(columns * rows),
                                 limit=formats.integer(limits.MAX_XLSX_CELLS),
                                 over=_over(columns * rows, limits.MAX_XLSX_CELLS))


def _check_parquet(path: Path) -> None:
    """Columns and uncompressed size from the Parquet footer, before any data page is decoded."""
    import pyarrow.parquet as pq

    try:
        meta = pq.ParquetFile(path).metadata
    except Exception:  # noqa: BLE001 - the reader says "cannot be read as Parquet" in its own words
        return
    if meta.num_columns > limits.MAX_COLUMNS:
        raise _too_many_columns(path.name, meta.num_columns, 1)
    total = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
    if total > limits.MAX_UNCOMPRESSED_BYTES:
        raise SourceError.refuse("uncompressed", path.name, size=_human_size(total),
                                 limit=_human_size(limits.MAX_UNCOMPRESSED_BYTES),
                                 over=_human_size(total - limits.MAX_UNCOMPRESSED_BYTES))


def _check_cells(frame: pl.DataFrame, name: str) -> None:
    """Refuse the first cell longer than limits.MAX_CELL_CHARS (one vectorised pass over the columns)."""
    cols = [c for c in frame.columns if c not in (ROW_COL, FILE_COL)]
    if not cols or frame.height == 0:
        return
    longest = frame.select(pl.col(cols).str.len_chars().max()).row(0)
    worst = max(range(len(cols)), key=lambda i: longest[i] or 0)
    if (longest[worst] or 0) <= limits.MAX_CELL_CHARS:
        return
    column = cols[worst]
    row, value = frame.filter(pl.col(column).str.len_chars() > limits.MAX_CELL_CHARS).select(
        ROW_COL, pl.col(column).str.slice(0, 61)).row(0)
    count = int(longest[worst])
    raise SourceError.refuse("cell_too_long", name, row=int(row), column=column, value=value,
                             count=formats.integer(count), limit=formats.integer(limits.MAX_CELL_CHARS),
                             over=_over(count, limits.MAX_CELL_CHARS))


def read_after_parser_error(path: Path | str, error: Exception) -> pl.DataFrame:
    """After DuckDB refused a canonical CSV ("CSV Error on Line: N"), read it with this module's reader, the Data
    page's: it either reads the file (the CLI then imports that frame, so both accept the same files) or refuses
    it in the file's terms. A file over the size limit gets :func:`explain_csv_error`'s refusal."""
    path = Path(path)
    if path.stat().st_size <= DEFAULT_MAX_BYTES:
        return read_table(path)
    raise explain_csv_error(path, error)


def explain_csv_error(path: Path | str, error: Exception) -> SourceError:
    """A parser's failure on a CSV in the file's terms: the row DuckDB names, with its value and, for bytes that
    are not UTF-8, the column (what :func:`read_after_parser_error` says of a file too big to re-read)."""
    path = Path(path)
    detail = [ln.strip() for ln in str(error).strip().splitlines() if ln.strip()]
    found = re.search(r"Line: (\d+)", str(error))
    if found:
        line = max(int(found.group(1)), 1)
        with path.open("rb") as fh:
            header = fh.readline() if line > 1 else b""
            raw = next(itertools.islice(fh, max(line - 2, 0), None), b"") if line > 1 else fh.readline()
        data, base = _row_window(header, line, raw)
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as err:
            return _located("bad_encoding", path.name, data, base + err.start, path.suffix.lower() == ".tsv")
        return SourceError.refuse("unreadable_csv_row", path.name, row=line,
                                  value=raw.decode("utf-8", errors="replace").rstrip("\r\n"),
                                  detail=next((d for d in detail[1:] if not d.startswith("Original Line")),
                                              detail[0] if detail else ""))
    return SourceError.refuse("unreadable_csv", path.name, detail=detail[0] if detail else type(error).__name__)


# --------------------------------------------------------------------------------------------------
# Delimited text


def _decode(data: bytes, name: str, default_tab: bool = False) -> tuple[str, str]:
    """Decode bytes with the first encoding that works; refuse binary content, NUL characters and bytes that no
    accepted encoding reads (naming the row, column and value where they are)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            pass
    first_error = None
    for encoding in ENCODINGS:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as err:
            first_error = err.start if first_error is None else first_error
            continue
        sample = text[:8192]
        control = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\r\n\f")
        if sample and control / len(sample) > 0.01:
            raise SourceError.said("binary_text", name)
        if encoding == "cp932":
            _refuse_misread_latin(data, text, name, default_tab)
        return text, encoding
    raise _located("bad_encoding", name, data, first_error or 0, default_tab)


#: What a Japanese text in Shift_JIS nearly always holds: kana, Japanese punctuation, full-width letters.
_JAPANESE_MARKS = re.compile(r"[\u3000-\u30ff\uff01-\uff5e]")


@functools.cache
def _latin_made() -> re.Pattern[str]:
    """The characters CP932 makes of Western text: an accented letter (bytes 0xE0–0xFC: à … ü) followed by an
    ASCII letter or sign (0x40–0x7E) is a rare kanji or a private-use character ("Renée" -> 「Ren馥」), and a
    capital accented letter or ß alone (0xA1–0xDF) is a half-width katakana."""
    chars = set()
    for lead in range(0xE0, 0xFD):
        for trail in range(0x40, 0x7F):
            try:
                made = bytes([lead, trail]).decode("cp932")
            except UnicodeDecodeError:
                continue  # a pair CP932 does not read: the file would not have decoded at all
            if len(made) == 1 and not made.isascii():
                chars.add(made)
    return re.compile("[" + "".join(re.escape(c) for c in sorted(chars)) + "\uff61-\uff9f]")


def _refuse_misread_latin(data: bytes, text: str, name: str, default_tab: bool) -> None:
    """Refuse a file that reads as Shift_JIS only by accident: Western text (Windows-1252 / Latin-1, what Excel
    writes on a European PC) whose accents CP932 turns into rare kanji. The signs, all needed: not a single kana
    or Japanese punctuation mark in the Shift_JIS reading; in the Windows-1252 reading no run of three or more
    non-ASCII characters (Japanese is runs of two-byte characters; Western names have an accent here and there);
    and a character that only Western bytes make (see _latin_made). The message names the first such value as
    each reading shows it: silently storing 「Ren馥」 for Renée would change the name in every chart."""
    if _JAPANESE_MARKS.search(text):
        return
    western = data.decode("cp1252", errors="replace")
    if re.search(r"[^\x00-\x7f]{3,}", western):
        return
    found = _latin_made().search(text)
    if found is None:
        return
    offset = len(text[: found.start()].encode("cp932"))
    raise _located("latin_as_shift_jis", name, data, offset, default_tab, encoding="cp932", also="cp1252")


def _located(key: str, name: str, data: bytes, offset: int, default_tab: bool = False, delimiter: str | None = None,
             encoding: str = "utf-8", also: str | None = None, **values: object) -> SourceError:
    """A refusal about the byte at ``offset`` of a delimited file, naming its row, column and value.

    Rows are counted as lines (a quoted value spanning lines before it would shift the count; the message
    still names the value). C-speed byte searches only: no loop over the file's rows. ``encoding``: how the
    header and the value are shown; ``also``: a second encoding whose reading of the value the message gets as
    ``{other}``.
    """
    start = data.rfind(b"\n", 0, offset) + 1
    end = data.find(b"\n", offset)
    line = data[start:] if end < 0 else data[start:end]
    row = data.count(b"\n", 0, start) + 1
    header_end = data.find(b"\n")
    header_text = (data if header_end < 0 else data[:header_end]).decode(encoding, errors="replace")
    delimiter = delimiter or _sniff_delimiter(header_text[:_SNIFF_CHARS], default_tab)
    before = line[: offset - start].decode(encoding, errors="replace")

    def split(raw: bytes, how: str) -> list[str]:
        return next(csv.reader([raw.decode(how, errors="replace").rstrip("\r")], delimiter=delimiter), [])
    try:
        index = max(len(next(csv.reader([before], delimiter=delimiter), [""])) - 1, 0)
        fields = split(line, encoding)
        header = next(csv.reader([header_text.lstrip("\ufeff").rstrip("\r")], delimiter=delimiter), [])
        others = split(line, also) if also else []
    except csv.Error:
        index, fields, header, others = 0, [], [], []
    column = header[index].strip() if index < len(header) and row > 1 else _column_letter(index)
    value = fields[index].replace("\x00", "\u2400") if index < len(fields) else None  # a NUL shown as ␀
    if also:
        values["other"] = others[index] if index < len(others) else ""
    return SourceError.refuse(key, name, row=row, column=column, value=value,
                              offset=formats.integer(offset + 1), **values)


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


def _max_width(payload: bytes, delimiter: str, name: str, budget: ReadBudget) -> int:
    """Widest record in the file (only used when polars reports ragged lines); a record wider than
    limits.MAX_COLUMNS is refused at once, and the budget is checked between chunks of records."""
    text = payload.decode("utf-8", errors="replace")
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    widest = 0
    try:
        while chunk := list(itertools.islice(reader, limits.CHECK_EVERY_ROWS)):
            widest = max(widest, max(len(r) for r in chunk))
            if widest > limits.MAX_COLUMNS:
                raise SourceError.refuse("row_too_wide", name, row=reader.line_num, count=formats.integer(widest),
                                         limit=formats.integer(limits.MAX_COLUMNS),
                                         over=_over(widest, limits.MAX_COLUMNS))
            budget.check(reader.line_num)
    except csv.Error:
        pass  # a cell over csv's own field limit: polars reads at this width and the cell check names it
    return widest


def _read_delimited(path: Path, default_tab: bool, budget: ReadBudget) -> pl.DataFrame:
    name = path.name
    data = path.read_bytes()
    text, encoding = _decode(data, name, default_tab)
    budget.check()
    if not re.search(r"[^\s\ufeff]", text):
        raise SourceError.said("empty", name)
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
            raise _parse_error(name, payload, delimiter, exc) from None
        budget.check()
        # Some rows are longer than the first one: read at the widest width, then decide.
        width = _max_width(payload, delimiter, name, budget)
        schema = {f"column_{i + 1}": pl.Utf8 for i in range(width)}
        try:
            raw = pl.read_csv(io.BytesIO(payload), schema=schema, missing_columns="insert", **options)
        except pl.exceptions.PolarsError as exc2:
            raise _parse_error(name, payload, delimiter, exc2) from None
    except pl.exceptions.PolarsError as exc:
        raise _parse_error(name, payload, delimiter, exc) from None
    budget.check()
    return _frame_from_records(raw, name)


def _parse_error(name: str, payload: bytes, delimiter: str, exc: Exception) -> SourceError:
    """The parser's failure said in the file's terms. The one failure left once encodings and NULs are checked
    is a quote that opens and never closes: the first line with an odd number of quotes is where it opens."""
    lines = pl.Series([payload.decode("utf-8", errors="replace")]).str.split("\n").explode()
    odd = (lines.str.count_matches('"', literal=True) % 2 == 1).arg_true()
    if len(odd):
        line = int(odd[0])
        start = int((lines.str.len_bytes() + 1).cum_sum()[line - 1]) if line else 0
        end = payload.find(b"\n", start)
        quote = payload.rfind(b'"', start, len(payload) if end < 0 else end)
        return _located("open_quote", name, payload, max(quote, start), delimiter=delimiter)
    detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return SourceError.refuse("unreadable_csv", name, detail=detail)


def _frame_from_records(raw: pl.DataFrame, name: str) -> pl.DataFrame:
    """Turn a header-less all-string frame (record 1 = header) into the final frame with ``__row``."""
    if raw.height == 0 or raw.width == 0:
        raise SourceError.said("empty", name)
    raw = raw.with_row_index("__record", offset=1)
    cols = [c for c in raw.columns if c != "__record"]
    non_empty = raw.filter(pl.any_horizontal(pl.col(cols).str.strip_chars().str.len_chars() > 0))
    if non_empty.height == 0:
        raise SourceError.said("all_empty", name)
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
        raise SourceError.said("first_row_empty", name)
    extra = cols[keep:]
    if extra and data.select(
        pl.any_horizontal(pl.col(extra).str.strip_chars().str.len_chars() > 0).fill_null(False).any()
    ).item():
        first = data.filter(pl.any_horizontal(pl.col(extra).str.strip_chars().str.len_chars() > 0).fill_null(False))
        values = first.select(cols).row(0)
        count = max(i + 1 for i, v in enumerate(values) if v is not None and v.strip())
        raise SourceError.refuse("ragged", name, row=int(first["__record"][0]), count=formats.integer(count),
                                 names=formats.integer(keep))
    cols, header_values = cols[:keep], header_values[:keep]

    named = [v for v in header_values if v]
    value_like = [v for v in named if _VALUE_LIKE.match(v)]
    if named and len(value_like) * 2 > len(named):
        sample = ", ".join(f'"{v}"' for v in value_like[:3])
        raise SourceError.said("no_header", name, sample=sample)

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


#: Excel keeps a time of day as a fraction of a day: calamine gives it on day 0 of its epoch.
_EXCEL_DAY_ZERO = (dt.date(1899, 12, 30), dt.date(1899, 12, 31))


def _excel_text(col: str, dtype: pl.DataType) -> pl.Expr:
    """One typed column of a sheet as the text a person sees in the cell:
    dates ISO (a midnight alone as the date), a time of day alone as HH:MM:SS, whole numbers without ".0",
    TRUE/FALSE, a duration as Python writes a timedelta. Vectorised: no loop over the rows."""
    c = pl.col(col)
    if dtype == pl.Boolean:
        return pl.when(c).then(pl.lit("TRUE")).when(c.not_()).then(pl.lit("FALSE")).alias(col)
    if isinstance(dtype, pl.Datetime):
        micro = c.dt.microsecond() != 0
        text = pl.when(c.dt.date().is_in(_EXCEL_DAY_ZERO)).then(c.dt.to_string("%H:%M:%S")).when(
            (c.dt.time() == dt.time(0)) & (dtype.time_zone is None)).then(c.dt.to_string("%Y-%m-%d")).when(
            micro).then(c.dt.to_string("%Y-%m-%dT%H:%M:%S%.6f")).otherwise(c.dt.to_string("%Y-%m-%dT%H:%M:%S"))
        return text.alias(col)
    if dtype == pl.Date:
        return c.dt.to_string("%Y-%m-%d").alias(col)
    if isinstance(dtype, pl.Duration):
        seconds = c.dt.total_seconds()
        days = seconds // 86400
        rest = seconds - days * 86400
        clock = pl.format("{}:{}:{}", (rest // 3600).cast(pl.Int64).cast(pl.Utf8),
                          (rest // 60 % 60).cast(pl.Int64).cast(pl.Utf8).str.zfill(2),
                          (rest % 60).cast(pl.Int64).cast(pl.Utf8).str.zfill(2))
        prefix = pl.when(days == 1).then(pl.lit("1 day, ")).when(days != 0).then(
            pl.format("{} days, ", days.cast(pl.Int64).cast(pl.Utf8))).otherwise(pl.lit(""))
        return pl.when(c.is_not_null()).then(pl.concat_str(prefix, clock)).alias(col)
    if dtype.is_float():
        whole = (c == c.floor()) & (c.abs() < 1e15)
        return pl.when(whole).then(c.cast(pl.Int64).cast(pl.Utf8)).otherwise(c.cast(pl.Utf8)).alias(col)
    return c.cast(pl.Utf8).alias(col)


def _read_xlsx(path: Path, sheet: str | int | None, budget: ReadBudget) -> pl.DataFrame:
    """An Excel workbook (.xlsx/.xlsm, and the old .xls) through fastexcel (Rust calamine): about six times
    faster than openpyxl. Two reads of the sheet: as text, to find the header row (the first row that holds
    anything; rows are the sheet's, from row 1), then typed from that header on, so each column's dates,
    numbers and booleans become the text a person sees (_excel_text). A column mixing kinds (a date here, a
    text there) comes as calamine's text for each cell. Formula cells give the value Excel saved, never the
    formula. The budget and the session are checked between chunks of rows while the cells become text."""
    import fastexcel

    name = path.name
    try:
        reader = fastexcel.read_excel(path)
        names = reader.sheet_names
    except Exception as exc:  # noqa: BLE001 - any reader failure is a user-facing "cannot be opened"
        if path.suffix.lower() == ".xls":
            raise SourceError.said("xls", name) from None
        raise SourceError.said("not_xlsx", name, detail=exc) from None
    if sheet is None:
        index = 0
    elif isinstance(sheet, int):
        if not 0 <= sheet < len(names):
            raise SourceError.said("no_sheet_number", name, number=sheet + 1)
        index = sheet
    else:
        if sheet not in names:
            raise SourceError.said("no_sheet", name, sheet=sheet, sheets=", ".join(names))
        index = names.index(sheet)
    title = names[index] if names else ""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "could not determine dtype ... falling back to string"
            loaded = reader.load_sheet(index, header_row=None, dtypes="string", skip_rows=0)
            text = loaded.to_polars()
            # calamine's columns start at the first one that holds a cell: how many empty ones precede it
            offset = loaded.available_columns()[0].absolute_index if text.width else 0
            filled = text.select(pl.any_horizontal(pl.all().str.strip_chars().str.len_chars() > 0)
                                 .fill_null(False).arg_true().first()).item() if text.width else None
    except Exception as exc:  # noqa: BLE001
        raise SourceError.said("not_xlsx", name, detail=str(exc).splitlines()[0]) from None
    if filled is None:
        raise SourceError.said("empty_sheet", name, ": ", sheet=title)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            typed = reader.load_sheet(index, header_row=filled, skip_rows=0, schema_sample_rows=None).to_polars()
    except Exception:  # noqa: BLE001 - kinds calamine cannot put in one column (a duration among texts)
        typed = None
    if typed is None or typed.width != text.width:
        typed = text.slice(filled + 1)  # every cell as calamine writes it as text
    width = offset + text.width
    if width > limits.MAX_COLUMNS:
        raise _too_many_columns(name, width, 1)
    if text.height * width > limits.MAX_XLSX_CELLS:  # .xls has no zip directory to check before the read
        raise SourceError.refuse("xlsx_cells", name, sheet=title, rows=formats.integer(text.height),
                                 columns=formats.integer(width), cells=formats.integer(text.height * width),
                                 limit=formats.integer(limits.MAX_XLSX_CELLS),
                                 over=_over(text.height * width, limits.MAX_XLSX_CELLS))
    columns = [f"column_{i + 1}" for i in range(width)]
    empty = [pl.lit(None, dtype=pl.Utf8).alias(c) for c in columns[:offset]]  # the sheet's columns from A
    head = text.head(filled + 1).rename(dict(zip(text.columns, columns[offset:], strict=True)))
    typed = typed.rename(dict(zip(typed.columns, columns[offset:], strict=True)))
    pieces = [head.select(*empty, *columns[offset:])]
    for start in range(0, typed.height, limits.CHECK_EVERY_ROWS):
        chunk = typed.slice(start, limits.CHECK_EVERY_ROWS)
        pieces.append(chunk.select(*empty, *[_excel_text(c, chunk.schema[c]) for c in columns[offset:]]))
        budget.check(filled + min(start + limits.CHECK_EVERY_ROWS, typed.height))
    return _frame_from_records(pl.concat(pieces, how="vertical"), name)


# --------------------------------------------------------------------------------------------------
# Parquet


def _read_parquet(path: Path) -> pl.DataFrame:
    name = path.name
    try:
        df = pl.read_parquet(path)
    except Exception as exc:  # any reader failure is a user-facing "cannot read"
        raise SourceError.said("not_parquet", name, detail=str(exc).splitlines()[0]) from None
    if df.width == 0:
        raise SourceError.said("no_columns", name)
    exprs = []
    for col, dtype in df.schema.items():
        c = pl.col(col)
        if isinstance(dtype, pl.Datetime):
            fmt = "%Y-%m-%dT%H:%M:%S%.f%:z" if dtype.time_zone else "%Y-%m-%dT%H:%M:%S%.f"
            exprs.append(c.dt.to_string(fmt).str.replace(r"\.0+(\+|-|$)", "$1").alias(col))
        elif dtype == pl.Date:
            exprs.append(c.dt.to_string("%Y-%m-%d").alias(col))
        elif dtype.is_nested():
            raise SourceError.said("nested", name, ": ", column=col, name=col)
        else:
            exprs.append(c.cast(pl.Utf8).alias(col))
    return df.select(exprs).with_row_index(ROW_COL, offset=2).with_columns(pl.col(ROW_COL).cast(pl.Int64)).select(
        *df.columns, ROW_COL
    )
