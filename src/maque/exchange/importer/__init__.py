"""Importing a ledger spreadsheet: find the header, read every row, and create or update items
through the ledger's lifecycle services — all or nothing, in one transaction.

A preview is the same run rolled back at the end, so what the preview says is exactly what the
commit does. Rows are read and processed in chunks: memory holds one chunk of rows, the problems
found and the codes already seen (to refuse duplicates), never the whole sheet.

`run` holds the transaction, `sheet` reads one sheet (with `headers`, `cells`, `matching` and
`writing` for its steps), `results` what the import reports.
"""

from maque.exchange.importer.headers import HEADER_SEARCH_ROWS
from maque.exchange.importer.matching import natural_key
from maque.exchange.importer.results import ImportResult, Problem, Progress
from maque.exchange.importer.run import ledger_import
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
    "Problem",
    "Progress",
    "SheetImport",
    "ledger_import",
    "natural_key",
]
