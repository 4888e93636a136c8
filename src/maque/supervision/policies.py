"""Who may inspect and who reads the town's supervision work (design §6): decided here, once.

`_refusal` gives the reason as a key; `may_…` answers screens and the API, `check_…` raises for
the services.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from maque.ledger.errors import NotPermitted
from maque.organisation.actor import Actor
from maque.organisation.roles import TOWN_WIDE_ROLES, Role

# The inspection group and the principal leaders record findings and open rounds and reviews.
INSPECTOR_ROLES = frozenset({Role.INSPECTOR, Role.PRINCIPAL})


def _refusal(actor: Actor, *, town_id: int | None) -> str | None:
    """Why the actor may not inspect in the town (in their own town when None), as a key."""
    if actor.person is None:
        return "no_person"
    town_id = actor.person.town_id if town_id is None else town_id
    if not actor.roles_over(town_id=town_id, village_id=None) & INSPECTOR_ROLES:
        return "role"
    return None


def may_inspect(actor: Actor, *, town_id: int | None = None) -> bool:
    """Inspection group and principal leaders record findings (a superuser acts as the system)."""
    return _refusal(actor, town_id=town_id) is None


def check_inspect(actor: Actor, *, town_id: int) -> None:
    if _refusal(actor, town_id=town_id) is not None:
        raise NotPermitted(_("Only the inspection group or a principal leader may do this."))


def reads_whole_town(actor: Actor, *, town_id: int | None = None) -> bool:
    """Town-wide roles read all of the town's supervision work and scores (any town's when None);
    village roles read their villages' rows only."""
    if actor.is_superuser:
        return True
    towns = actor.town_ids_for(*TOWN_WIDE_ROLES)
    return bool(towns) if town_id is None else town_id in towns


# --- look-backs (回头看) ----------------------------------------------------------------------
# The inspection group and the principal leaders look back anywhere in the town; a contact
# leader (联村领导) looks back on the villages in their charge (the 推进会's 回头看), one at a time.


def _review_refusal(actor: Actor, *, town_id: int, village_id: int | None) -> str | None:
    if _refusal(actor, town_id=town_id) is None:
        return None
    if actor.person is None:
        return "no_person"
    if village_id is not None and village_id in actor.village_ids(Role.CONTACT_LEADER):
        return None
    return "role"


def may_review(actor: Actor, *, town_id: int, village_id: int | None = None) -> bool:
    """May the actor open (and record) a look-back of that village (the whole town when None)?"""
    return _review_refusal(actor, town_id=town_id, village_id=village_id) is None


def may_review_somewhere(actor: Actor, *, town_id: int) -> bool:
    """May the actor open a look-back at all in the town (of some village at least)?"""
    return may_inspect(actor, town_id=town_id) or bool(reviewable_villages(actor))


def reviewable_villages(actor: Actor) -> set[int]:
    """The villages a contact leader may look back on (the inspectors' are the whole town)."""
    return actor.village_ids(Role.CONTACT_LEADER)


def check_review(actor: Actor, *, town_id: int, village_id: int | None) -> None:
    if _review_refusal(actor, town_id=town_id, village_id=village_id) is not None:
        raise NotPermitted(
            _(
                "Only the inspection group, a principal leader or the village's contact leader "
                "may look back on it."
            )
        )
