"""Which screens and forms a user is offered: the navigation and the rhythm's buttons.

Offering is not permitting: every read below still starts from the apps' `visible_to` querysets,
and every write goes through their services, which check the actor again. These answers only
decide what the navigation links to and which buttons a page draws.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User

from maque.accountability.policies import may_handle_cases
from maque.bulletins.policies import may_issue
from maque.ledger.policies import may_register
from maque.meetings.policies import may_organise
from maque.notifications.queries import unread_count
from maque.organisation.access import Actor, actor_for
from maque.organisation.models import Town
from maque.petitions.policies import may_open_register
from maque.supervision.policies import may_inspect as _may_inspect
from maque.supervision.policies import may_review as _may_review
from maque.supervision.policies import may_review_somewhere as _may_review_somewhere
from maque.supervision.policies import reads_whole_town


def staff_town(actor: Actor) -> Town | None:
    """The town a member of staff works in (the town of their person), as the API takes it."""
    return actor.person.town if actor.person is not None else None


def sees_town(actor: Actor) -> bool:
    """Town-wide roles (principal, leaders, inspectors, discipline, county) read the whole town."""
    return reads_whole_town(actor)


def may_organise_meetings(actor: Actor) -> bool:
    return actor.person is not None and may_organise(actor)


def may_inspect(actor: Actor, town_id: int) -> bool:
    """Inspection group and principal leaders record findings (the services check it again)."""
    return _may_inspect(actor, town_id=town_id)


def may_review(actor: Actor, town_id: int, village_id: int | None) -> bool:
    """Inspectors, principal leaders and the village's contact leader record look-backs."""
    return _may_review(actor, town_id=town_id, village_id=village_id)


def may_review_somewhere(actor: Actor, town_id: int) -> bool:
    return _may_review_somewhere(actor, town_id=town_id)


def may_issue_bulletins(actor: Actor) -> bool:
    return actor.person is not None and may_issue(actor)


def may_see_cases_anywhere(actor: Actor) -> bool:
    """Whether the user may know that accountability cases exist in some town."""
    return may_handle_cases(actor)


def nav_for(user: User) -> dict[str, Any]:
    actor = actor_for(user)
    staff = actor.is_superuser or (actor.person is not None and bool(actor.town_ids))
    return {
        "unread": unread_count(user=user),
        "register": may_register(actor),
        "meetings": staff,
        "decisions": staff,
        "visits": staff,
        "bulletins": staff,
        "scores": staff,
        "watchlist": staff,
        "projects": staff,
        # Contact leaders come for the look-backs of their villages.
        "inspections": sees_town(actor)
        or (
            actor.person is not None and _may_review_somewhere(actor, town_id=actor.person.town_id)
        ),
        "accountability": may_see_cases_anywhere(actor),
        "petitions": may_open_register(actor),
    }
