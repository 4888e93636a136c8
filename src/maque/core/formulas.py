"""Keeping exported text from running as a spreadsheet formula (one guard for every export).

A spreadsheet program runs a cell as a formula when its text starts with `=` (and, in CSV, with
`+`, `-`, `@` or a tab), full-width forms typed with a Chinese input method included. In a
workbook such text is written as a text cell, unchanged; in CSV it gets a leading `'`, which
`unneutralise` takes off again on import.
"""

from __future__ import annotations

from typing import Any

from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

# What a spreadsheet program may run as a formula at the start of a cell, the full-width forms
# (typed with a Chinese input method) included.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")


def looks_like_formula(text: str) -> bool:
    return text.startswith(FORMULA_PREFIXES)


def neutralise(text: str) -> str:
    """Keep a CSV cell from being run as a formula by a spreadsheet program (a leading ' is
    doubled too, so that `unneutralise` gives back exactly the original text)."""
    return "'" + text if text.startswith((*FORMULA_PREFIXES, "'")) else text


def unneutralise(text: str) -> str:
    return (
        text[1:] if text.startswith("'") and text[1:].startswith((*FORMULA_PREFIXES, "'")) else text
    )


def xlsx_text(ws: Any, value: Any) -> Any:
    """A value for a write-only worksheet row: text without control characters (they have no
    place in a workbook), and text that looks like a formula as a text cell, unchanged."""
    if not isinstance(value, str):
        return value
    if ILLEGAL_CHARACTERS_RE.search(value):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    if looks_like_formula(value):
        cell = WriteOnlyCell(ws, value)
        cell.data_type = "s"
        return cell
    return value
