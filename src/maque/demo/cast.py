"""The demo's cast: the people, logins, villages and stock the story is told with, shared by
the organisation half (`town`) and the ledger half (`items`) of the build."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.contrib.auth.models import User

from maque.demo.wording import VillageStock
from maque.organisation.actor import Actor
from maque.organisation.models import Person, Plot, Town, Village, VillageGroup
from maque.organisation.services import plot_save


@dataclass
class Cast:
    """The people of the demo by key, with their logins; villages and stock by key."""

    town: Town
    admin: User
    people: dict[str, Person]
    users: dict[str, User]
    villages: dict[str, Village]
    stock: dict[str, VillageStock]
    groups: dict[int, VillageGroup]
    grid_start: date
    change_day: date
    actors: dict[tuple[int, bool], Actor] = field(default_factory=dict)

    @property
    def key_of(self) -> dict[int, str]:
        """Person id -> key in `people`."""
        return {person.pk: key for key, person in self.people.items()}


def plot_restore(*, plot: Plot, by: User) -> None:
    """Mark a plot as restored after its rectification was closed out."""
    if plot.status != Plot.Status.RESTORED:
        plot.status = Plot.Status.RESTORED
        plot_save(plot=plot, by=by)
