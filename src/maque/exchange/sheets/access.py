"""Who may export and import each sheet kind — decided here only, for the API and the screens.

An export holds what the reader's scoped queryset holds, so exporting is open to whoever may
open the list (the petition register only to those it exists for). An import creates records
through each app's own service, which checks the uploader's right again row by row; these say
whether the import is offered at all."""

from __future__ import annotations

from maque.deliberation.policies import PROPOSE_ROLES
from maque.fieldwork.policies import may_log_anywhere
from maque.organisation.actor import Actor
from maque.petitions.policies import may_open_register, may_register
from maque.projects.policies import may_manage

KINDS = ("topics", "projects", "visits", "publicity", "petitions")


def may_export(actor: Actor, kind: str) -> bool:
    """Whether the export is offered: its rows are the reader's scoped list, empty for one who
    may see nothing (as the ledger's export); the petition register only where it exists."""
    if kind == "petitions":
        return may_open_register(actor)
    return kind in KINDS


def may_import(actor: Actor, kind: str) -> bool:
    if actor.person is None and not actor.is_superuser:
        return False
    match kind:
        case "topics":
            return actor.is_superuser or bool(
                actor.village_ids(*PROPOSE_ROLES) or actor.town_ids_for(*PROPOSE_ROLES)
            )
        case "projects":
            return may_manage(actor)
        case "visits":
            return may_log_anywhere(actor)
        case "petitions":
            return may_register(actor)
    return False
