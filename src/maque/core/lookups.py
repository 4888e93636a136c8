"""`field__literal_in`: an IN over fixed code values, written into the SQL as literals.

SQLite uses a partial index (`Index(..., condition=Q(state__in=...))`) only when the query states
the index's condition in the same literal terms; with the values bound as parameters (Django's
`__in`) it cannot prove the condition and falls back to a wider index. Register this lookup on
the field whose partial index matters and filter with it there. Only short identifier-like
values (the choices of a `TextChoices`) are accepted, so nothing a person typed ever reaches the
SQL text.
"""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db.models.lookups import In

CODE_VALUE = re.compile(r"^[a-z][a-z0-9_]{0,31}$")


class LiteralIn(In):
    lookup_name = "literal_in"

    def process_rhs(self, compiler: Any, connection: Any) -> tuple[str, tuple[str | int, ...]]:
        values = [str(value) for value in self.rhs]
        if not values:
            raise EmptyResultSet
        for value in values:
            if not CODE_VALUE.match(value):
                raise ValueError(f"literal_in takes code values only, not {value!r}")
        return "(" + ", ".join(f"'{value}'" for value in values) + ")", ()
