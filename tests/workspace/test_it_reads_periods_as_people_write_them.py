"""Scores take a period as people write it (2026年11月, 2026/11, 2026年第4季度), refuse what is not
one without showing another period's ranking under the error, and show rates as percentages."""

from __future__ import annotations

from datetime import date

import pytest

from maque.supervision.scoring import period_parse

from ..conftest import drive_to_closed, make_item

TODAY = date(2026, 12, 2)


@pytest.mark.parametrize(
    ("typed", "period"),
    [
        ("2026-11", "2026-11"),
        ("2026年11月", "2026-11"),
        ("2026年11月份", "2026-11"),
        ("2026/11", "2026-11"),
        ("2026.1", "2026-01"),
        ("202611", "2026-11"),
        ("2026-q4", "2026-Q4"),
        ("2026年第四季度", "2026-Q4"),
        ("2026年第4季度", "2026-Q4"),
        ("2026年第47周", "2026-W47"),
        ("2026-w47", "2026-W47"),
        ("2026-3", "2026-03"),
    ],
)
def test_it_understands_the_ways_a_period_is_written(typed, period):  # noqa: ANN001
    assert period_parse(typed, today=TODAY) == period


@pytest.mark.parametrize(
    "typed", ["十一月", "2026-13", "1900-01", "2031-01", "2026年", "2026-Q5", ""]
)
def test_it_refuses_what_is_not_a_sane_period(typed):  # noqa: ANN001
    with pytest.raises(ValueError):
        period_parse(typed, today=TODAY)


def test_it_ranks_the_period_typed_in_chinese_and_shows_rates_as_percentages(client, world):  # noqa: ANN001
    drive_to_closed(world, make_item(world))
    make_item(world, title="未销号")
    client.force_login(world.user("principal"))
    from django.utils import timezone

    today = timezone.localdate()
    page = client.get("/scores/", {"period": f"{today.year}年{today.month}月"})
    assert page.status_code == 200
    rows = page.context["rows"]
    assert rows and page.context["period"] == f"{today.year}-{today.month:02d}"
    gaige = next(row for row in rows if row["name"] == "改革村")
    closure = next(line for line in gaige["breakdown"] if line["rule"] == "closure_rate")
    assert closure["count"] == "50.0%"


def test_it_shows_no_other_period_under_an_error(client, world):  # noqa: ANN001
    make_item(world)
    client.force_login(world.user("principal"))
    page = client.get("/scores/", {"period": "十一月"})
    assert page.status_code == 200
    assert page.context["rows"] == [] and page.context["error"]
    assert "十一月" in page.content.decode()  # the mistake stays in the field to correct
