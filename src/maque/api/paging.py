"""One envelope and one paging convention for every paged list of the API.

Every paged list answers

    {"items": [...], "count": N, "page": P, "page_size": S}

and takes `page` (from 1) and `page_size` (1–200, 50 by default) in the query. Lists that
answered under another key before (`results`, `bulletins`, `meetings`, `plots`) still carry
that key, holding the same list, marked deprecated in the OpenAPI document; lists that paged
with `limit`/`offset` still accept them (deprecated) and honour them as before. Mixing the two
conventions in one request is a 422.

Use `page_of(ItemOut, legacy="results")` for the response schema, inherit the filters from
`PageQuery` (or `LegacyPageQuery` where `limit`/`offset` were accepted), and build the answer
with `paginate(queryset, query, out=item_out, legacy="results")`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Schema
from pydantic import Field, create_model

from maque.api.schemas import Out

PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
MAX_PAGE = 100_000
# Deprecated `offset`: as far as the deepest page reaches.
MAX_OFFSET = MAX_PAGE * MAX_PAGE_SIZE


class PageQuery(Schema):
    """`page` and `page_size`: the paging of every list."""

    page: int = Field(1, ge=1, le=MAX_PAGE, description="The page, from 1.")
    page_size: int = Field(
        PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE, description=f"Items per page (at most {MAX_PAGE_SIZE})."
    )


class LegacyPageQuery(PageQuery):
    """`page`/`page_size`, and the `limit`/`offset` this list took before (deprecated)."""

    limit: int | None = Field(
        None, ge=1, le=MAX_PAGE_SIZE, deprecated=True, description="Deprecated: use page_size."
    )
    offset: int | None = Field(
        None, ge=0, le=MAX_OFFSET, deprecated=True, description="Deprecated: use page."
    )


def page_of(
    item: type[Out] | type[Schema], *, legacy: str | None = None, name: str | None = None
) -> type[Out]:
    """The envelope schema of a paged list of `item` (with the deprecated `legacy` key, if any).

    Subclass it to add fields of the list's own (the inbox adds `unread`)."""
    fields: dict[str, Any] = {
        "items": (list[item], Field(description="This page's entries.")),  # type: ignore[valid-type]
        "count": (int, Field(description="Entries matching the filters, on every page.")),
        "page": (int, Field(description="This page, from 1.")),
        "page_size": (int, Field(description="Entries per page.")),
    }
    if legacy is not None:
        fields[legacy] = (
            list[item],  # type: ignore[valid-type]
            Field(deprecated=True, description="Deprecated: the same list as `items`."),
        )
    model_name = name or f"{item.__name__.removesuffix('Out')}Page"
    envelope: type[Out] = create_model(model_name, __base__=Out, **fields)
    return envelope


def page_window(query: PageQuery) -> tuple[int, int, int, int]:
    """(start, size, page, page_size) of the request: from page/page_size, or from the
    deprecated limit/offset where the list takes them."""
    given = query.model_fields_set
    # Read past the attributes: reading a deprecated field through one warns.
    limit = query.__dict__.get("limit")
    offset = query.__dict__.get("offset")
    if limit is None and offset is None:
        return (query.page - 1) * query.page_size, query.page_size, query.page, query.page_size
    if given & {"page", "page_size"}:
        message = _("Page with page and page_size, or with limit and offset, not both.")
        raise ValidationError({"page": [message]})
    size = limit if limit is not None else PAGE_SIZE
    start = offset or 0
    return start, size, start // size + 1, size


def paginate(
    rows: Any,
    query: PageQuery,
    *,
    out: Callable[[Any], dict[str, Any]] | None = None,
    legacy: str | None = None,
    each: Callable[[list[Any]], Sequence[dict[str, Any]]] | None = None,
    counted: Any = None,
) -> dict[str, Any]:
    """One page of `rows` (a queryset) in the envelope. `out` turns each row into its output;
    `each` turns the whole page at once (when the output needs the page, e.g. the actions).
    `counted`: the queryset to count instead of `rows` (the same rows without the columns of a
    `values()` read, which a count would otherwise compute for every row)."""
    start, size, page, page_size = page_window(query)
    window = list(rows[start : start + size])
    # A short first page is the whole list: no count query.
    count = (
        (rows if counted is None else counted).count()
        if len(window) == size or start
        else len(window)
    )
    if each is not None:
        entries = list(each(window))
    elif out is not None:
        entries = [out(row) for row in window]
    else:
        entries = window
    body: dict[str, Any] = {"items": entries, "count": count, "page": page, "page_size": page_size}
    if legacy is not None:
        body[legacy] = entries
    return body
