from __future__ import annotations

from pathlib import Path

import pytest

from maque.rhythm.services import calendar_import, calendar_parse

CALENDAR_2025 = Path(__file__).with_name("calendar-2025.csv")


@pytest.fixture
def calendar_2025(world):  # noqa: ANN001, ANN201
    """蒿坪镇's 2025 calendar, as an administrator would import it."""
    return calendar_import(
        town=world.town, rows=calendar_parse(CALENDAR_2025.read_text(encoding="utf-8")), year=2025
    )
