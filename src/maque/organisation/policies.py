"""Who may change the organisation's records from the screens and the API (design §6): decided
here, once. `_refusal` gives the reason as a key; `may_…` answers, `check_…` raises."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from maque.core.errors import NotPermitted
from maque.organisation.access import REGISTER_ROLES
from maque.organisation.actor import Actor

if TYPE_CHECKING:
    from maque.organisation.models import Village


def _refusal(actor: Actor, village: Village) -> str | None:
    """Why the actor may not register plots in the village, as a key: plots are registered by those
    who register items there (the ledger's policy reads the same role set), and the administrator."""
    if actor.is_superuser:
        return None
    if actor.person is None:
        return "no_person"
    return (
        None
        if actor.roles_over(town_id=village.town_id, village_id=village.pk) & REGISTER_ROLES
        else "role"
    )


def may_register_plots(actor: Actor, village: Village) -> bool:
    return _refusal(actor, village) is None


def check_register_plots(actor: Actor, village: Village) -> None:
    if _refusal(actor, village) is not None:
        raise NotPermitted(
            _("You may not register plots in %(village)s.") % {"village": village.name}
        )
