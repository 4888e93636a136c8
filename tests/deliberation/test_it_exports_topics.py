"""`GET /api/v1/topics/export`: the caller's topics as a workbook, personal data masked unless
the role sees it, nothing of other villages, formulas written as text."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from tests.conftest import World
from tests.deliberation.helpers import propose

pytestmark = pytest.mark.django_db


def cells(response) -> list[list[object]]:  # noqa: ANN001
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return [list(row) for row in book.active.iter_rows()]


def rows(response) -> list[list[object]]:  # noqa: ANN001
    return [[cell.value for cell in row] for row in cells(response)]


def test_it_exports_what_the_reader_sees_with_phones_masked(world: World, api):  # noqa: ANN001
    mine = propose(world, title='=HYPERLINK("http://x")', description="电话13912345678")
    theirs = propose(world, persona="cadre_shuangsheng", village=world.shuangsheng, title="双胜")
    response = api("cadre_gaige").get("/api/v1/topics/export")
    assert response.status_code == 200
    table = rows(response)
    codes = [row[0] for row in table[1:]]
    assert codes == [mine.code] and theirs.code not in codes
    row = table[1]
    assert row[2] == '=HYPERLINK("http://x")'  # the text itself, unchanged…
    title = cells(api("cadre_gaige").get("/api/v1/topics/export"))[1][2]
    assert title.data_type == "s"  # …written as text, never as a formula
    assert "13912345678" not in str(row) and "139****5678" in str(row)
    unmasked = rows(api("principal").get("/api/v1/topics/export", {"village": "改革村"}))
    assert "13912345678" in str(unmasked[1])
    assert api(None).get("/api/v1/topics/export").status_code == 401
