"""Hostile uploads, generated on demand: what tests/bad_input and `python -m sla_review bench --hostile` feed the
readers. Generated, not committed: the largest is 7.9 MB on disk and several GB once expanded.

Each function writes one file into ``folder`` and returns its path; the sizes are the ones issue 16 measured
(a 7.9 MB CSV whose header has 10^6 columns; a 2.6 MB xlsx that expands to 2.7 GB).
"""

from __future__ import annotations

import zipfile
from pathlib import Path

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>"
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Leads" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'sharedStrings" Target="sharedStrings.xml"/></Relationships>'
)
_SHEET_OPEN = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">{dimension}<sheetData>'
)
_SHEET_CLOSE = "</sheetData></worksheet>"
_HEADER_ROW = ('<row r="1"><c r="A1" t="inlineStr"><is><t>lead_id</t></is></c>'
               '<c r="B1" t="inlineStr"><is><t>created_at</t></is></c></row>')


def wide_header_csv(folder: Path, columns: int = 1_000_000, name: str = "leads.csv") -> Path:
    """A CSV whose header has ``columns`` names (c0, c1, ...) and one data row: 7.9 MB at 10^6 columns."""
    header = ",".join(f"c{i}" for i in range(columns))
    path = folder / name
    path.write_text(f"{header}\n{','.join(['x'] * 3)}\n", encoding="utf-8")
    return path


def long_cell_csv(folder: Path, chars: int = 50 * 1024 * 1024, name: str = "leads.csv") -> Path:
    """A CSV with an ordinary header and one cell of ``chars`` characters in row 3, column "notes"."""
    path = folder / name
    with path.open("w", encoding="utf-8") as fh:
        fh.write("lead_id,created_at,notes\nL1,2026-04-01,short\nL2,2026-04-02,")
        fh.write("A" * chars)
        fh.write("\nL3,2026-04-03,short\n")
    return path


def _package(zf: zipfile.ZipFile) -> None:
    """The parts every workbook here shares: content types, relationships, the workbook naming one sheet."""
    zf.writestr("[Content_Types].xml", _CONTENT_TYPES)
    zf.writestr("_rels/.rels", _ROOT_RELS)
    zf.writestr("xl/workbook.xml", _WORKBOOK)
    zf.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)


def _workbook(path: Path, sheet_rows: list[bytes] | None = None, *, dimension: str = "", repeat: bytes = b"",
              repeat_bytes: int = 0, shared: tuple[int, bytes] | None = None) -> Path:
    """An xlsx written with zipfile (DEFLATE, streamed): the sheet is ``sheet_rows`` then ``repeat`` written
    until ``repeat_bytes``; ``shared`` = (count, one <si> entry) writes a shared-strings table of that size."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        _package(zf)
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            dim = f'<dimension ref="{dimension}"/>' if dimension else ""
            fh.write(_SHEET_OPEN.format(dimension=dim).encode())
            fh.write(_HEADER_ROW.encode())
            for row in sheet_rows or []:
                fh.write(row)
            if repeat:
                block = repeat * max(1, (8 << 20) // len(repeat))
                written = 0
                while written < repeat_bytes:
                    fh.write(block)
                    written += len(block)
            fh.write(_SHEET_CLOSE.encode())
        count, entry = shared or (0, b"")
        with zf.open("xl/sharedStrings.xml", "w", force_zip64=True) as fh:
            fh.write(b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                     b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                     + f'count="{count}" uniqueCount="{count}">'.encode())
            block = entry * 10_000
            for _ in range(count // 10_000):
                fh.write(block)
            fh.write(entry * (count % 10_000))
            fh.write(b"</sst>")
    return path


def xlsx_bomb(folder: Path, expanded_bytes: int = 2_700_000_000, name: str = "leads.xlsx") -> Path:
    """A 2.6 MB workbook whose one sheet expands to ``expanded_bytes`` (2.7 GB): cells of 8 MB of "A", which
    DEFLATE packs about 1,000 times (about 30 s to write at the default size)."""
    cell = b'<row><c t="inlineStr"><is><t>' + b"A" * (8 << 20) + b"</t></is></c></row>"
    return _workbook(folder / name, repeat=cell, repeat_bytes=expanded_bytes)


def xlsx_shared_strings(folder: Path, count: int = 2_500_000, name: str = "leads.xlsx") -> Path:
    """A small workbook whose shared-strings table holds ``count`` entries (about 30 MB of XML, 0.1 MB zipped)."""
    return _workbook(folder / name, shared=(count, b"<si><t>same text</t></si>"))


def xlsx_wide_dimension(folder: Path, name: str = "leads.xlsx") -> Path:
    """A tiny workbook whose sheet claims the whole grid (A1:XFD1048576): openpyxl would pad every row to
    16,384 cells."""
    row = b'<row r="2"><c r="A2" t="inlineStr"><is><t>L1</t></is></c></row>'
    return _workbook(folder / name, [row], dimension="A1:XFD1048576")


def xlsx_many_rows(folder: Path, rows: int = 1_500_000, name: str = "slow.xlsx") -> Path:
    """A legitimate but slow workbook: ``rows`` leads with random ids and a dimension, about 35 MB zipped;
    openpyxl reads it row by row for well over ten seconds. For the "closing the tab stops the read" figure."""
    import secrets

    block_rows = 10_000
    template = '<row><c t="inlineStr"><is><t>{}</t></is></c><c t="inlineStr"><is><t>2026-04-01</t></is></c></row>'
    path = folder / name
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        _package(zf)
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            dimension = f'<dimension ref="A1:B{rows + 1}"/>'  # as Excel writes it: openpyxl need not scan the sheet
            fh.write((_SHEET_OPEN.format(dimension=dimension) + _HEADER_ROW).encode())
            for _ in range(rows // block_rows):
                ids = secrets.token_hex(16 * block_rows)
                fh.write("".join(template.format(ids[i:i + 32]) for i in range(0, len(ids), 32)).encode())
            fh.write(_SHEET_CLOSE.encode())
        zf.writestr("xl/sharedStrings.xml", '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                                            'count="0" uniqueCount="0"/>')
    return path


def xlsx_unsized(folder: Path, rows: int = 150_000, name: str = "leads.xlsx") -> Path:
    """A workbook whose sheet has no dimension and is over 10 MB of XML: openpyxl would parse it all to size it."""
    path = xlsx_many_rows(folder, rows=rows, name=name)
    with zipfile.ZipFile(path) as zf:
        parts = {i.filename: zf.read(i) for i in zf.infolist()}
    sheet = parts["xl/worksheets/sheet1.xml"]
    start = sheet.find(b"<dimension")
    parts["xl/worksheets/sheet1.xml"] = sheet[:start] + sheet[sheet.find(b"/>", start) + 2:]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for member, data in parts.items():
            zf.writestr(member, data)
    return path
