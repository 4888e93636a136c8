"""A town's deadlines for topics: its `DeliberationSettings` row, or the defaults without one."""

from __future__ import annotations

from maque.deliberation.models import DeliberationSettings
from maque.organisation.models import Town


def deliberation_settings(town: Town | int) -> DeliberationSettings:
    """The town's settings (an unsaved row with the defaults when the town has none: reading
    them writes nothing)."""
    town_id = town if isinstance(town, int) else town.pk
    found = DeliberationSettings.objects.filter(town_id=town_id).first()
    return found if found is not None else DeliberationSettings(town_id=town_id)
