"""Request parsing for the API: JSON bodies and query/form data, refusing NUL characters.

A NUL character cannot be stored in a PostgreSQL text or JSON column; refusing it here, with the
path of the offending field, keeps such input a 422 instead of a database error.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from ninja.parser import Parser

NUL = "\x00"
FORM_TYPES = frozenset({"multipart/form-data", "application/x-www-form-urlencoded"})


def _nul_error(path: str) -> ValidationError:
    return ValidationError({path or "__all__": [_("Text may not contain NUL characters.")]})


def _check(value: Any, path: str) -> None:
    if isinstance(value, str):
        if NUL in value:
            raise _nul_error(path)
    elif isinstance(value, dict):
        for key, item in value.items():
            child = f"{path}.{key}" if path else str(key)
            if NUL in str(key):
                raise _nul_error(path)
            _check(item, child)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check(item, f"{path}.{index}" if path else str(index))


class MaqueParser(Parser):
    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        if request.content_type in FORM_TYPES:
            # A form post (a browser form, `curl -F`) is read as its fields; anything else is JSON.
            data: Any = request.POST.dict()
        else:
            data = json.loads(request.body)
        _check(data, "")
        return data  # type: ignore[no-any-return]

    def parse_querydict(
        self, data: MultiValueDict, list_fields: list[str], request: HttpRequest
    ) -> dict[str, Any]:
        result = super().parse_querydict(data, list_fields, request)
        for key, value in result.items():
            name = getattr(value, "name", None)  # uploaded files: check the file name
            _check(name if name is not None else value, str(key))
            if isinstance(value, list):
                for upload in value:
                    _check(getattr(upload, "name", ""), str(key))
        return result
