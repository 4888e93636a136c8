"""Importing a ledger spreadsheet: find the header, read every row, and create or update items
through the ledger's lifecycle services — all or nothing, in one transaction that holds the
write lock only for the writing: every row is read and checked before it begins.

A preview is the same run rolled back at the end, so what the preview says is exactly what the
commit does. Rows are read and checked in chunks; each checked chunk keeps only what the writing
needs (the new items' checked values, an existing item's edits, the progress and state cells),
so the plan costs a few hundred bytes a row and the file itself is never held in memory.

`run` prepares and then writes in one transaction; `sheet` reads one sheet (with `headers`,
`cells` and `matching` for its reading steps and `writing` for its checks and writes);
`results` is what the import reports.
"""

from maque.exchange.importer.headers import HEADER_SEARCH_ROWS
from maque.exchange.importer.matching import natural_key
from maque.exchange.importer.results import ImportResult, Problem, Progress
from maque.exchange.importer.run import PreparedImport, import_prepare, ledger_import
from maque.exchange.importer.sheet import CHUNK_ROWS, MAX_BLANK_WARNINGS, SheetImport
from maque.exchange.importer.state import ParsedRow
from maque.exchange.importer.writing import IMPORT_ACTIONS, MAX_LISTED_CODES, NOTE_ACTIONS

__all__ = [
    "CHUNK_ROWS",
    "HEADER_SEARCH_ROWS",
    "IMPORT_ACTIONS",
    "MAX_BLANK_WARNINGS",
    "MAX_LISTED_CODES",
    "NOTE_ACTIONS",
    "ImportResult",
    "ParsedRow",
    "PreparedImport",
    "Problem",
    "Progress",
    "SheetImport",
    "import_prepare",
    "ledger_import",
    "natural_key",
]
