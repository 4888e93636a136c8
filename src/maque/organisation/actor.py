"""The signed-in user as the organisation sees them on one day: their person and roles.

Built by `access.actor_for`; read by the scope rules (`scopes.py`) and the apps' policies. This
module imports no models, so models may use the rules built on it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from maque.organisation.roles import Role

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

    from maque.organisation.models import Person

# Roles that may see phone and ID numbers unmasked.
PERSONAL_DATA_ROLES = frozenset({Role.PRINCIPAL, Role.DISCIPLINE})
# Town-wide roles that read every item of their town (a leader may be limited to campaigns).
WHOLE_TOWN_READERS = (Role.PRINCIPAL, Role.INSPECTOR, Role.DISCIPLINE, Role.COUNTY_SUPERVISOR)


@dataclass
class Actor:
    """A user's person and the role assignments in force on one day."""

    user: User | AnonymousUser | None
    person: Person | None
    day: date
    is_superuser: bool = False
    # role -> town ids where it applies town-wide
    town_roles: dict[str, set[int]] = field(default_factory=dict)
    # role -> village ids
    village_roles: dict[str, set[int]] = field(default_factory=dict)
    # leader campaign restrictions: town id -> campaign ids (empty set: all campaigns)
    leader_campaigns: dict[int, set[int]] = field(default_factory=dict)
    # The system acting on its own (`tick`): no person, no role; a state machine lets it take
    # only the actions it lists as automatic.
    automatic: bool = False

    @property
    def town_ids(self) -> set[int]:
        """Towns in which the actor holds any role (including through a village)."""
        towns: set[int] = set()
        for ids in self.town_roles.values():
            towns |= ids
        if self.person is not None and (self.village_roles or self.town_roles):
            towns.add(self.person.town_id)
        return towns

    def village_ids(self, *roles: str) -> set[int]:
        result: set[int] = set()
        for role in roles or self.village_roles.keys():
            result |= self.village_roles.get(role, set())
        return result

    def town_ids_for(self, *roles: str) -> set[int]:
        result: set[int] = set()
        for role in roles:
            result |= self.town_roles.get(role, set())
        return result

    def roles_over(
        self, *, town_id: int, village_id: int | None, campaign_id: int | None = None
    ) -> set[str]:
        """The roles that give this actor a say over something in that town/village/campaign."""
        roles = {
            role
            for role, towns in self.town_roles.items()
            if town_id in towns and role != Role.LEADER
        }
        if town_id in self.town_roles.get(Role.LEADER, set()):
            campaigns = self.leader_campaigns.get(town_id, set())
            if not campaigns or campaign_id is None or campaign_id in campaigns:
                roles.add(Role.LEADER)
        if village_id is not None:
            roles |= {
                role for role, villages in self.village_roles.items() if village_id in villages
            }
        return roles

    def masks_personal_data(self) -> bool:
        if self.is_superuser:
            return False
        return not any(self.town_roles.get(role) for role in PERSONAL_DATA_ROLES)

    def whole_town_ids(self) -> set[int]:
        """Towns of which the actor reads every item and every campaign: a town-wide role other
        than a leader limited to some campaigns."""
        towns = self.town_ids_for(*WHOLE_TOWN_READERS)
        towns |= {
            town
            for town in self.town_roles.get(Role.LEADER, set())
            if not self.leader_campaigns.get(town)
        }
        return towns

    def limited_campaign_ids(self) -> dict[int, set[int]]:
        """Town id -> the campaigns a leader limited to some campaigns leads there."""
        return {
            town: campaigns
            for town in self.town_roles.get(Role.LEADER, set())
            if (campaigns := self.leader_campaigns.get(town))
        }

    def catalogue_town_ids(self) -> set[int]:
        """Towns of which the actor reads every campaign and category: the whole-town readers'
        towns and, for village roles, the town of their person."""
        towns = self.whole_town_ids()
        if self.person is not None and self.village_roles:
            towns.add(self.person.town_id)
        return towns
