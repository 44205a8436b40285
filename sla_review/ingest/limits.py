"""The limits every uploaded file must respect, in one place: the Data page and the CLI read through
sla_review.ingest.readers, which checks them before the expensive read.

Why limits at all: a 7.9 MB CSV whose header had a million columns took the dashboard to 7.3 GB, and a 2.6 MB
xlsx that expands to gigabytes held the server for 230 s. Every value below is far above what a real CRM export
of this dashboard's size needs (a few dozen columns, cells of a few hundred characters, up to a few million
rows), and far below what takes the shared server down. Change a value here and every reader follows.
"""

from __future__ import annotations

#: Largest file accepted (any format). A CSV of 10 million leads with the canonical columns is about 1.2 GB,
#: but a CRM export uploaded through a browser is rarely above 50 MB; 200 MB leaves room and keeps one read
#: within a few seconds and a few times its size in memory.
MAX_BYTES = 200 * 1024 * 1024

#: Most columns in a header row. HubSpot's "all properties" contacts export has a few hundred columns,
#: Salesforce reports at most a few hundred; 2,000 is several times that, and each column costs the page a
#: column in every preview table (a million columns was the 7.3 GB case).
MAX_COLUMNS = 2_000

#: How much of a CSV is read to find its header row (before anything else is read). A 2,000-column header with
#: 100-character names is 200 KB; a first row longer than this is not a header a person wrote.
HEADER_BYTES = 1024 * 1024

#: Longest cell, in characters. Salesforce's longest text field (Long Text Area) holds 131,072 characters and
#: Excel's cell 32,767; nothing the dashboard reads needs more than a few hundred.
MAX_CELL_CHARS = 131_072

#: Largest total uncompressed size of an xlsx (its XML parts) or a Parquet file's data. An xlsx is a zip of XML:
#: its data is typically 5-10 times its size once uncompressed, so a 200 MB workbook is at most about 2 GB of
#: XML; past 1 GB, openpyxl would parse for many minutes anyway.
MAX_UNCOMPRESSED_BYTES = 1024 * 1024 * 1024

#: Highest compression ratio (uncompressed / compressed) accepted once the uncompressed size passes
#: RATIO_CHECK_FROM. Real workbooks compress 5-20 times (very repetitive sheets up to about 50); a zip bomb
#: compresses about 1,000 times.
MAX_COMPRESSION_RATIO = 100
RATIO_CHECK_FROM = 50 * 1024 * 1024

#: Most entries in an xlsx's shared-strings table (xl/sharedStrings.xml's uniqueCount). openpyxl keeps the whole
#: table in memory (about 100 bytes a string); 2 million distinct texts is about 200 MB, far above a CRM export's
#: distinct names, stages and e-mail addresses at 1 million leads.
MAX_SHARED_STRINGS = 2_000_000

#: Most cells (rows x columns) in the xlsx sheet, read from its dimension before parsing. openpyxl read 400,000
#: cells in 18 s on this 2-core machine under a load of 8 (about 22,000 a second; several times that when idle):
#: 5 million cells is about the read budget below on an idle machine. A CSV of the same data reads in a second
#: or two, and the message says so. A sheet without a dimension is bounded by the budget, chunk by chunk.
MAX_XLSX_CELLS = 5_000_000

#: Largest sheet (uncompressed XML) read when the sheet does not state its size (no <dimension>, which Excel,
#: Google Sheets and xlsxwriter always write): openpyxl then parses the whole sheet once just to size it, in one
#: call nothing can interrupt (a 165 MB sheet took 84 s under load here). 10 MB is about 100,000 rows.
MAX_UNSIZED_SHEET_BYTES = 10 * 1024 * 1024

#: Wall-clock seconds one file's read may take. The reader checks it (and whether the browser tab is still
#: open) between chunks of rows and between stages of a read, and stops with a message past it.
READ_BUDGET_SECONDS = 60.0

#: Rows read between two checks of the budget and of the session (a chunk): small enough to stop within a
#: fraction of a second, large enough that checking costs nothing measurable.
CHECK_EVERY_ROWS = 2_000
