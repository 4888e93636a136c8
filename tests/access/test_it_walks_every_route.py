"""Every screen and every API operation, as every persona, against the scoped querysets (design §6).

The registry below names each route (a URL pattern name, or "METHOD /api/v1/path" from the
OpenAPI document) and says how to fill its parameters from the world and what the persona may
see there. A route without an entry fails `test_it_has_an_entry_for_every_route`, so a new screen
or endpoint is covered the day it is added.

What is compared:
- `Detail`: the route on each of a few objects answers 200 when the object is in the persona's
  scoped queryset (and the policy `gate` lets the persona in), else 404; the anonymous visitor is
  sent to sign in (screens) or answered 401 (API).
- `Listing`: the ids a JSON list shows are exactly those of the scoped queryset; an HTML list
  shows no code of an item the persona may not see.
- `Write`: a POST-only route. The personas the policy refuses get 403 or 404 and nothing changes.
- `Public`: a route of the village's public page: every persona, the anonymous visitor too,
  gets the same answer (no sign-in asked, nothing shown that depends on who asks).
- `Excluded`: not walked, with the reason.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Model
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from maque.accountability.models import AccountabilityCase
from maque.accountability.policies import may_handle_cases
from maque.accountability.services import case_open
from maque.api.services import token_issue
from maque.api_root import api as ninja_api
from maque.bulletins.models import Bulletin
from maque.bulletins.policies import may_issue
from maque.bulletins.services import bulletin_issue
from maque.decisions import lifecycle as decision_rules
from maque.decisions.models import DecisionStep, VillageDecision
from maque.decisions.services import decision_create
from maque.deliberation import lifecycle as topics
from maque.deliberation.models import Topic
from maque.deliberation.policies import may_propose, may_triage
from maque.diagnosis import goals
from maque.diagnosis import lifecycle as watch_lifecycle
from maque.diagnosis.models import VillageGoal, WatchEntry, WatchEvent
from maque.diagnosis.services import entry_propose
from maque.fieldwork.catalogue import policies_of
from maque.fieldwork.models import FieldVisit, PublicityRecord, VisitTopic
from maque.fieldwork.policies import may_log_anywhere
from maque.fieldwork.services import publicity_record, visit_log
from maque.ledger.models import (
    Attachment,
    Campaign,
    Category,
    CoordinationLog,
    Item,
    ProgressLog,
    Transition,
)
from maque.ledger.policies import may_register
from maque.meetings.models import (
    Meeting,
    MeetingFile,
    MeetingKind,
    Resolution,
    RollEntry,
    RosterBody,
    RosterMember,
    VillagePopulation,
)
from maque.meetings.policies import may_organise
from maque.meetings.rolls import roster_member_add
from maque.meetings.services import meeting_create, meeting_file_add
from maque.notifications.models import Notification
from maque.notifications.services import notify
from maque.organisation.access import Actor, actor_for
from maque.organisation.models import Household, Person, Plot, Village
from maque.petitions.lifecycle import petition_accept
from maque.petitions.models import Petition, PetitionNotice
from maque.petitions.policies import may_open_register
from maque.petitions.policies import may_register as may_register_petitions
from maque.petitions.services import petition_register
from maque.projects.models import Project
from maque.projects.policies import may_manage as may_manage_projects
from maque.projects.services import project_create
from maque.supervision.models import FindingPhoto, InspectionRound, Review
from maque.supervision.policies import (
    may_inspect,
    may_review,
    may_review_somewhere,
    reads_whole_town,
)
from maque.supervision.services import finding_record, review_open, round_open
from tests.conftest import World, add_evidence, make_item, photo

PERSONAS: tuple[str | None, ...] = (
    "principal",
    "leader",
    "leader_projects",
    "inspector",
    "discipline",
    "contact_gaige",
    "cadre_gaige",
    "secretary_gaige",
    "cadre_shuangsheng",
    "contact_shuangsheng",
    "outsider",
    None,
)

Gate = Callable[[Actor], bool]


def everyone(actor: Actor, objects: Any = None) -> bool:
    return True


def staff(actor: Actor, objects: Any = None) -> bool:
    return actor.is_superuser or (actor.person is not None and bool(actor.town_ids))


@dataclass(frozen=True)
class Detail:
    """GET one object: 200 if it is in `model.objects.visible_to(user)` and `gate` says yes, else 404."""

    model: type[Model]
    objects: tuple[str, ...]
    url: Callable[[Any], str]
    gate: Gate = everyone
    # Routes that answer 403 rather than 404 to a signed-in persona the gate refuses.
    refused: int = 404
    # The object's field whose row the scope decides on (a meeting's file: its meeting).
    via: str | None = None
    shown: frozenset[int] = frozenset({200})


@dataclass(frozen=True)
class Listing:
    """GET a list. `shown` reads the ids out of a JSON answer (None: an HTML page, checked by item
    codes); `allowed` gives the ids the persona may see. `gate` refused → `refused` status."""

    url: str
    allowed: Callable[[Any], set[Any]] | None = None
    shown: Callable[[Any], set[Any]] | None = None
    # Who may open the list at all; everyone else gets 403/404 (`refused`). Without a gate, a
    # persona who may see nothing gets an empty list.
    gate: Gate | None = None
    refused: int = 404
    exact: bool = True


@dataclass(frozen=True)
class Write:
    """A POST-only route: the personas `gate` refuses get 403 or 404 and the database is unchanged."""

    url: Callable[[dict[str, Any]], str]
    gate: Callable[[Actor, dict[str, Any]], bool]
    body: dict[str, Any] = field(default_factory=dict)
    # What a refused signed-in persona gets (a screen may send them back with a message).
    refused: frozenset[int] = frozenset({302, 403, 404, 422})


@dataclass(frozen=True)
class Public:
    """GET a public page or API route: the same status and body for everyone, signed in or not."""

    url: Callable[[dict[str, Any]], str]
    status: int = 200
    # A page's form carries the visitor's own CSRF token: only its status is compared.
    same_body: bool = True


@dataclass(frozen=True)
class Excluded:
    reason: str


Entry = Detail | Listing | Write | Public | Excluded


def ids(key: str, name: str = "id") -> Callable[[Any], set[Any]]:
    return lambda document: {row[name] for row in document[key]}


def rows(name: str = "id") -> Callable[[Any], set[Any]]:
    return lambda document: {row[name] for row in document}


def scoped(model: type[Model], name: str = "pk") -> Callable[[Any], set[Any]]:
    return lambda user: set(model.objects.visible_to(user).values_list(name, flat=True))  # type: ignore[attr-defined]


def item_codes(user: Any) -> set[str]:
    return set(Item.objects.visible_to(user).values_list("code", flat=True))


def cases_gate(actor: Actor, objects: Any = None) -> bool:
    return may_handle_cases(actor)


def inspect_gate(actor: Actor, objects: Any = None) -> bool:
    return actor.person is not None and may_inspect(actor)


def review_gate(actor: Actor, objects: Any = None) -> bool:
    """Inspectors and principal leaders anywhere, a contact leader in their villages."""
    return actor.person is not None and may_review_somewhere(actor, town_id=actor.person.town_id)


def review_record_gate(actor: Actor, objects: Any) -> bool:
    """The walked look-back is 改革村's: the inspectors, the principal and its contact leader."""
    review = objects["review"]
    return actor.person is not None and may_review(
        actor, town_id=review.town_id, village_id=review.village_id
    )


def issue_gate(actor: Actor, objects: Any = None) -> bool:
    return actor.person is not None and may_issue(actor)


def organise_gate(actor: Actor, objects: Any = None) -> bool:
    return actor.person is not None and may_organise(actor)


def decision_open_gate(actor: Actor, objects: Any = None) -> bool:
    """Who may open a village decision: an organiser of some village's meetings (not a cadre:
    the six steps are the secretary's, the contact leader's and the town's organisers')."""
    return actor.person is not None and any(
        may_organise(actor, town_id=village.town_id, village_ids=[village.pk])
        for village in Village.objects.all()
    )


def petitions_gate(actor: Actor, objects: Any = None) -> bool:
    return may_open_register(actor)


def petition_register_gate(actor: Actor, objects: Any = None) -> bool:
    return may_register_petitions(actor)


def whole_town_gate(actor: Actor, objects: Any = None) -> bool:
    return reads_whole_town(actor)


def watch_propose_gate(actor: Actor, objects: dict[str, Any]) -> bool:
    return watch_lifecycle.may_propose(actor, town_id=objects["gaige"].town_id)


def watch_act_gate(action: str) -> Callable[[Actor, dict[str, Any]], bool]:
    return lambda actor, objects: watch_lifecycle.ENTRIES.may(actor, objects["watch_gaige"], action)


def policy(gate: Gate) -> Callable[[Actor, dict[str, Any]], bool]:
    return lambda actor, objects: gate(actor)


def sees(key: str) -> Callable[[Actor, dict[str, Any]], bool]:
    """Writes on one object: whoever may not see it gets a 404 (the lifecycle refuses the rest)."""

    def gate(actor: Actor, objects: dict[str, Any]) -> bool:
        obj = objects[key]
        return type(obj).objects.filter(pk=obj.pk).visible_to(actor).exists()

    return gate


def goal_gate(actor: Actor, objects: dict[str, Any]) -> bool:
    return goals.may_edit(actor, objects["gaige"])


def own_inbox(actor: Actor, objects: dict[str, Any]) -> bool:
    return actor.user is not None and objects["notification"].user_id == actor.user.pk


NOBODY_HERE = frozenset({302})  # a screen that sends the user back with a message


ITEMS = ("item_gaige", "item_shuangsheng", "item_projects")
TOPICS = ("topic_gaige", "topic_shuangsheng")
SCREENS: dict[str, Entry] = {
    "workspace:home": Listing("/"),
    "workspace:login": Excluded("the sign-in form: public by design, shows nothing scoped"),
    "workspace:logout": Excluded("signs out; tested in tests/workspace/test_it_sign_in.py"),
    "workspace:password_change": Excluded("the user's own password; nothing scoped"),
    "workspace:set_language": Excluded("switches the interface language; nothing scoped"),
    "workspace:ledger": Listing("/ledger/"),
    "workspace:ledger_bulk": Write(
        lambda o: "/ledger/bulk/",
        gate=sees("item_gaige"),
        refused=NOBODY_HERE,
        body={"operation": "deadline", "deadline": "2031-01-01"},
    ),
    "workspace:item": Detail(Item, ITEMS, lambda item: f"/items/{item.pk}/"),
    "workspace:item_progress": Write(
        lambda o: f"/items/{o['item_gaige'].pk}/progress/",
        gate=sees("item_gaige"),
        body={"text": "越权上报"},
    ),
    "workspace:item_act": Write(
        lambda o: f"/items/{o['item_gaige'].pk}/act/cancel/",
        gate=sees("item_gaige"),
        body={"reason": "越权"},
    ),
    "workspace:item_breakdown": Write(
        lambda o: f"/items/{o['item_gaige'].pk}/breakdown/",
        gate=lambda actor, o: may_register(
            actor, o["item_gaige"].village, o["item_gaige"].campaign
        ),
        body={"title": "越权"},
    ),
    "workspace:register": Listing("/register/"),
    "workspace:attachment": Detail(Attachment, ("attachment",), lambda a: f"/files/{a.pk}/"),
    "workspace:attachment_thumb": Detail(
        Attachment, ("attachment",), lambda a: f"/files/{a.pk}/thumb/"
    ),
    "workspace:spreadsheets": Listing("/spreadsheets/"),
    "workspace:sheet_import": Listing(
        "/sheets/visits/import/", gate=lambda actor, objects=None: may_log_anywhere(actor)
    ),
    "workspace:import": Excluded(
        "an upload's preview, private to its uploader; tests/workspace/test_it_spreadsheets.py"
    ),
    "workspace:import_commit": Excluded(
        "commits the uploader's own upload; tests/workspace/test_it_spreadsheets.py"
    ),
    "workspace:villages": Listing("/villages/"),
    "workspace:village": Detail(Village, ("gaige", "shuangsheng"), lambda v: f"/villages/{v.pk}/"),
    "workspace:legacy_board": Detail(
        Village, ("gaige", "shuangsheng"), lambda v: f"/villages/{v.pk}/legacy/"
    ),
    "workspace:visits": Listing("/visits/"),
    "workspace:visit_new": Excluded(
        "the visit form lists only the caller's own villages; tests/fieldwork"
    ),
    "workspace:visit": Detail(FieldVisit, ("visit",), lambda v: f"/visits/{v.pk}/"),
    "workspace:visit_register": Write(
        lambda o: f"/visits/{o['visit'].pk}/register/",
        gate=sees("visit"),
        body={"title": "越权"},
    ),
    "workspace:visit_topic": Write(
        lambda o: f"/visits/{o['visit'].pk}/topic/",
        gate=sees("visit"),
        body={"title": "越权", "concern": "urgent"},
    ),
    "workspace:household": Detail(
        Village, ("household",), lambda h: f"/households/{h.pk}/", via="village"
    ),
    "workspace:inbox": Listing("/inbox/"),
    "workspace:inbox_read_all": Excluded(
        "marks the user's own inbox read; nothing of anyone else's"
    ),
    "workspace:inbox_open": Detail(
        Notification, ("notification",), lambda n: f"/inbox/{n.pk}/", shown=frozenset({200, 302})
    ),  # marks it read and follows its link
    "workspace:inbox_read": Write(lambda o: f"/inbox/{o['notification'].pk}/read/", gate=own_inbox),
    "workspace:bulletins": Listing("/bulletins/"),
    "workspace:bulletin_issue": Write(lambda o: "/bulletins/issue/", gate=issue_gate),
    "workspace:meetings": Listing("/meetings/"),
    "workspace:meeting_new": Listing("/meetings/new/", gate=organise_gate, refused=403),
    "workspace:meeting": Detail(Meeting, ("meeting",), lambda m: f"/meetings/{m.pk}/"),
    "workspace:meeting_record": Write(
        lambda o: f"/meetings/{o['meeting'].pk}/record/", gate=organise_gate
    ),
    "workspace:meeting_file": Write(
        lambda o: f"/meetings/{o['meeting'].pk}/files/", gate=organise_gate
    ),
    "workspace:meeting_attendance": Write(
        lambda o: f"/meetings/{o['meeting'].pk}/attendance/", gate=organise_gate
    ),
    "workspace:meeting_resolution": Write(
        lambda o: f"/meetings/{o['meeting'].pk}/resolutions/",
        gate=organise_gate,
        body={"text": "越权决议", "votes_for": "1", "votes_against": "0", "votes_abstain": "0"},
    ),
    "workspace:meeting_resolution_check": Detail(
        Meeting, ("meeting",), lambda m: f"/meetings/{m.pk}/resolutions/check/?votes_for=1"
    ),
    "workspace:decisions": Listing("/decisions/"),
    "workspace:decision_new": Listing("/decisions/new/", gate=decision_open_gate, refused=403),
    "workspace:decision": Detail(
        VillageDecision, ("village_decision",), lambda d: f"/decisions/{d.pk}/"
    ),
    "workspace:decision_step": Write(
        lambda o: f"/decisions/{o['village_decision'].pk}/steps/",
        gate=lambda actor, o: (
            decision_rules.refusal(actor, o["village_decision"], "propose") is None
        ),
        body={"step": "propose", "on": "2026-01-01", "text": "越权", "version": "1"},
    ),
    "workspace:meeting_file_download": Detail(
        Meeting, ("meeting_file",), lambda f: f"/meetings/files/{f.pk}/", via="meeting"
    ),
    "workspace:inspections": Listing("/inspections/"),
    "workspace:inspection_new": Write(lambda o: "/inspections/new/", gate=inspect_gate),
    "workspace:inspection": Detail(InspectionRound, ("round",), lambda r: f"/inspections/{r.pk}/"),
    "workspace:inspection_report": Detail(
        InspectionRound, ("round",), lambda r: f"/inspections/{r.pk}/report/"
    ),
    "workspace:inspection_finding": Write(
        lambda o: f"/inspections/{o['round'].pk}/samples/{o['sample'].pk}/finding/",
        gate=inspect_gate,
        body={"outcome": "confirmed", "note": "越权"},
    ),
    "workspace:finding_photo": Detail(
        FindingPhoto, ("finding_photo",), lambda p: f"/inspections/photos/{p.pk}/"
    ),
    "workspace:inspection_problem": Write(
        lambda o: f"/inspections/{o['round'].pk}/problems/", gate=inspect_gate
    ),
    "workspace:inspection_close": Write(
        lambda o: f"/inspections/{o['round'].pk}/close/", gate=inspect_gate
    ),
    "workspace:review_new": Write(lambda o: "/reviews/new/", gate=review_gate),
    "workspace:review": Detail(Review, ("review",), lambda r: f"/reviews/{r.pk}/"),
    "workspace:review_check": Write(
        lambda o: f"/reviews/{o['review'].pk}/checks/{o['review'].checks.order_by('pk')[0].pk}/",
        gate=review_record_gate,
    ),
    "workspace:scores": Listing("/scores/"),
    "workspace:cases": Listing("/accountability/", gate=cases_gate),
    "workspace:case_new": Listing("/accountability/new/", gate=cases_gate),
    "workspace:case": Detail(AccountabilityCase, ("case",), lambda c: f"/accountability/{c.pk}/"),
    "workspace:case_status": Write(
        lambda o: f"/accountability/{o['case'].pk}/status/",
        gate=cases_gate,
        body={"to": "dismissed", "note": "越权"},
    ),
    "workspace:watchlist": Listing("/watchlist/", gate=staff, refused=404),
    "workspace:watch_entry": Detail(
        WatchEntry, ("watch_gaige", "watch_shuangsheng"), lambda e: f"/watchlist/{e.pk}/"
    ),
    "workspace:watch_act": Write(
        lambda o: f"/watchlist/{o['watch_gaige'].pk}/act/dismiss/",
        gate=watch_act_gate("dismiss"),
        body={"reason": "越权"},
    ),
    "workspace:watch_dissect": Write(
        lambda o: f"/watchlist/{o['watch_gaige'].pk}/dissect/",
        gate=watch_act_gate("dissect"),
        body={"reason": "越权"},
    ),
    "workspace:village_diagnosis": Detail(
        Village, ("gaige", "shuangsheng"), lambda v: f"/villages/{v.pk}/diagnosis/"
    ),
    "workspace:goal_add": Write(
        lambda o: f"/villages/{o['gaige'].pk}/goals/",
        gate=goal_gate,
        body={"goal-horizon": "near", "goal-title": "越权"},
    ),
    "workspace:goal": Detail(
        VillageGoal, ("goal_gaige", "goal_shuangsheng"), lambda g: f"/goals/{g.pk}/"
    ),
    "workspace:goal_edit": Write(
        lambda o: f"/goals/{o['goal_gaige'].pk}/edit/",
        gate=goal_gate,
        body={"horizon": "near", "title": "越权", "active": "on"},
    ),
    "workspace:projects": Listing("/projects/", gate=staff, refused=404),
    "workspace:project": Detail(
        Project, ("project_gaige", "project_shuangsheng"), lambda p: f"/projects/{p.code}/"
    ),
    "bulletins:page": Detail(Bulletin, ("bulletin",), lambda b: f"/bulletins/{b.pk}/"),
    "workspace:topics": Listing("/topics/"),
    "workspace:topic_new": Listing(
        "/topics/new/",
        gate=lambda actor: any(may_propose(actor, v) for v in Village.objects.all()),
        refused=404,
    ),
    "workspace:topic": Detail(Topic, TOPICS, lambda t: f"/topics/{t.code}/"),
    "workspace:topic_act": Write(
        lambda o: f"/topics/{o['topic_gaige'].code}/act/decline/",
        gate=lambda actor, o: may_triage(actor, o["gaige"]),
        body={"decline-reason": "越权", "decline-version": 1},
    ),
    "workspace:petitions": Listing("/petitions/", gate=petitions_gate),
    "workspace:petition_new": Listing("/petitions/new/", gate=petition_register_gate),
    "workspace:petition": Detail(Petition, ("petition",), lambda p: f"/petitions/{p.code}/"),
    "workspace:petition_act": Write(
        lambda o: f"/petitions/{o['petition'].code}/act/reply/",
        gate=sees("petition"),
        body={"reply-reply": "越权答复", "reply-version": "2"},
    ),
    "workspace:petition_notice": Detail(
        PetitionNotice,
        ("notice",),
        lambda n: f"/petitions/{n.petition.code}/notices/{n.pk}/",
    ),
    "workspace:topic_photo": Detail(
        Topic, ("topic_photo",), lambda p: f"/topics/photos/{p.pk}/", via="topic"
    ),
    "public:village": Public(lambda o: f"/p/{o['gaige'].public_code}/", same_body=False),
    "public:receipt": Public(lambda o: f"/p/receipt/?receipt={o['receipt']}", same_body=False),
    "public:receipt_satisfaction": Excluded(
        "the receipt holder's own rating: tests/deliberation/test_it_shows_the_screens.py"
    ),
    "public:poster": Public(lambda o: f"/p/{o['gaige'].public_code}/poster/"),
}

API: dict[str, Entry] = {
    "POST /api/v1/auth/token": Excluded(
        "issues a token for a user name and password; tests/api/test_auth.py"
    ),
    "DELETE /api/v1/auth/token": Excluded("revokes the caller's own token; tests/api/test_auth.py"),
    "GET /api/v1/villages": Listing("/api/v1/villages", scoped(Village), rows()),
    "GET /api/v1/people": Listing("/api/v1/people", scoped(Person), rows()),
    "GET /api/v1/plots": Listing(
        "/api/v1/plots",
        lambda u: set(
            Plot.objects.filter(village__in=Village.objects.visible_to(u)).values_list(
                "code", flat=True
            )
        ),
        ids("plots", "code"),
    ),
    "POST /api/v1/plots": Write(
        lambda o: "/api/v1/plots", gate=policy(staff), refused=frozenset({403, 404, 422})
    ),
    "GET /api/v1/campaigns": Listing("/api/v1/campaigns", scoped(Campaign, "code"), rows("code")),
    "GET /api/v1/categories": Listing("/api/v1/categories", scoped(Category, "code"), rows("code")),
    "GET /api/v1/categories/{code}": Detail(
        Category, ("category",), lambda c: f"/api/v1/categories/{c.code}"
    ),
    "GET /api/v1/items": Listing("/api/v1/items", item_codes, ids("items", "code")),
    "POST /api/v1/items": Write(
        lambda o: "/api/v1/items", gate=policy(staff), refused=frozenset({403, 404, 422})
    ),
    "GET /api/v1/items/{code}": Detail(Item, ITEMS, lambda i: f"/api/v1/items/{i.code}"),
    "PATCH /api/v1/items/{code}": Excluded(
        "a write on an item; tests/api/test_scoping.py walks it as an outsider"
    ),
    "POST /api/v1/items/{code}/actions/{action}": Write(
        lambda o: f"/api/v1/items/{o['item_gaige'].code}/actions/cancel",
        gate=sees("item_gaige"),
        body={"reason": "越权"},
    ),
    "POST /api/v1/items/{code}/progress": Write(
        lambda o: f"/api/v1/items/{o['item_gaige'].code}/progress",
        gate=sees("item_gaige"),
        body={"text": "越权上报"},
    ),
    "GET /api/v1/items/{code}/attachments": Detail(
        Item, ITEMS, lambda i: f"/api/v1/items/{i.code}/attachments"
    ),
    "POST /api/v1/items/{code}/attachments": Write(
        lambda o: f"/api/v1/items/{o['item_gaige'].code}/attachments", gate=sees("item_gaige")
    ),
    "GET /api/v1/attachments/{attachment_id}": Detail(
        Attachment, ("attachment",), lambda a: f"/api/v1/attachments/{a.pk}"
    ),
    "GET /api/v1/items/{code}/history": Detail(
        Item, ITEMS, lambda i: f"/api/v1/items/{i.code}/history"
    ),
    "GET /api/v1/notifications": Listing(
        "/api/v1/notifications",
        scoped(Notification),
        ids("items"),
        gate=lambda a: a.user is not None and a.user.is_authenticated,
    ),
    "GET /api/v1/notifications/unread": Excluded("a count of the caller's own inbox"),
    "POST /api/v1/notifications/read-all": Excluded("marks the caller's own inbox read"),
    "POST /api/v1/notifications/{notification_id}/read": Write(
        lambda o: f"/api/v1/notifications/{o['notification'].pk}/read",
        gate=own_inbox,
    ),
    "GET /api/v1/accountability": Listing(
        "/api/v1/accountability", scoped(AccountabilityCase), ids("items"), gate=cases_gate
    ),
    "POST /api/v1/accountability": Write(
        lambda o: "/api/v1/accountability", gate=cases_gate, body={"title": "越权"}
    ),
    "GET /api/v1/accountability/{case_id}": Detail(
        AccountabilityCase, ("case",), lambda c: f"/api/v1/accountability/{c.pk}"
    ),
    "POST /api/v1/accountability/{case_id}/status": Write(
        lambda o: f"/api/v1/accountability/{o['case'].pk}/status",
        gate=cases_gate,
        body={"to": "dismissed"},
    ),
    "POST /api/v1/accountability/{case_id}/evidence": Write(
        lambda o: f"/api/v1/accountability/{o['case'].pk}/evidence",
        gate=cases_gate,
        body={"evidence": [{"kind": "item", "id": 1}]},
    ),
    "GET /api/v1/bulletins": Listing("/api/v1/bulletins", scoped(Bulletin), ids("items")),
    "POST /api/v1/bulletins": Write(lambda o: "/api/v1/bulletins", gate=issue_gate),
    "GET /api/v1/bulletins/{bulletin_id}": Detail(
        Bulletin, ("bulletin",), lambda b: f"/api/v1/bulletins/{b.pk}"
    ),
    "GET /api/v1/bulletins/{bulletin_id}/docx": Detail(
        Bulletin, ("bulletin",), lambda b: f"/api/v1/bulletins/{b.pk}/docx"
    ),
    "GET /api/v1/meetings": Listing("/api/v1/meetings", scoped(Meeting), ids("items")),
    "POST /api/v1/meetings": Write(lambda o: "/api/v1/meetings", gate=organise_gate),
    "GET /api/v1/meetings/{meeting_id}": Detail(
        Meeting, ("meeting",), lambda m: f"/api/v1/meetings/{m.pk}"
    ),
    "POST /api/v1/meetings/{meeting_id}/files": Write(
        lambda o: f"/api/v1/meetings/{o['meeting'].pk}/files", gate=organise_gate
    ),
    "POST /api/v1/meetings/{meeting_id}/attendance": Write(
        lambda o: f"/api/v1/meetings/{o['meeting'].pk}/attendance",
        gate=organise_gate,
        body={"marks": []},
    ),
    "POST /api/v1/meetings/{meeting_id}/resolutions": Write(
        lambda o: f"/api/v1/meetings/{o['meeting'].pk}/resolutions",
        gate=organise_gate,
        body={"text": "决议", "votes_for": 1},
    ),
    "GET /api/v1/village-decisions": Listing(
        "/api/v1/village-decisions", scoped(VillageDecision), ids("items")
    ),
    "POST /api/v1/village-decisions": Write(
        lambda o: "/api/v1/village-decisions", gate=organise_gate
    ),
    "GET /api/v1/village-decisions/{decision_id}": Detail(
        VillageDecision, ("village_decision",), lambda d: f"/api/v1/village-decisions/{d.pk}"
    ),
    "POST /api/v1/village-decisions/{decision_id}/steps": Write(
        lambda o: f"/api/v1/village-decisions/{o['village_decision'].pk}/steps",
        gate=organise_gate,
        body={"step": "propose", "version": 1},
    ),
    "GET /api/v1/rosters": Listing("/api/v1/rosters", scoped(RosterMember), ids("items")),
    "POST /api/v1/rosters": Write(lambda o: "/api/v1/rosters", gate=organise_gate),
    "POST /api/v1/rosters/{member_id}/end": Write(
        lambda o: f"/api/v1/rosters/{o['roster_member'].pk}/end",
        gate=organise_gate,
        body={"valid_to": timezone.localdate().isoformat()},
    ),
    "POST /api/v1/village-populations": Write(
        lambda o: "/api/v1/village-populations", gate=organise_gate
    ),
    "POST /api/v1/meetings/{meeting_id}/record": Write(
        lambda o: f"/api/v1/meetings/{o['meeting'].pk}/record", gate=organise_gate
    ),
    "GET /api/v1/inspections": Listing("/api/v1/inspections", scoped(InspectionRound), rows()),
    "POST /api/v1/inspections": Write(lambda o: "/api/v1/inspections", gate=inspect_gate),
    "GET /api/v1/inspections/{round_id}": Detail(
        InspectionRound, ("round",), lambda r: f"/api/v1/inspections/{r.pk}"
    ),
    "POST /api/v1/inspections/{round_id}/close": Write(
        lambda o: f"/api/v1/inspections/{o['round'].pk}/close", gate=inspect_gate
    ),
    "POST /api/v1/inspections/{round_id}/samples/{sample_id}/finding": Write(
        lambda o: f"/api/v1/inspections/{o['round'].pk}/samples/{o['sample'].pk}/finding",
        gate=inspect_gate,
        body={"outcome": "confirmed", "note": "越权"},
    ),
    "POST /api/v1/inspections/{round_id}/samples/{sample_id}/finding-with-photos": Write(
        lambda o: (
            f"/api/v1/inspections/{o['round'].pk}/samples/{o['sample'].pk}/finding-with-photos"
        ),
        gate=inspect_gate,
        body={"outcome": "pass", "note": "越权"},
    ),
    "POST /api/v1/inspections/{round_id}/problems": Write(
        lambda o: f"/api/v1/inspections/{o['round'].pk}/problems", gate=inspect_gate
    ),
    "POST /api/v1/reviews": Write(lambda o: "/api/v1/reviews", gate=review_gate),
    "GET /api/v1/reviews/{review_id}": Detail(
        Review, ("review",), lambda r: f"/api/v1/reviews/{r.pk}"
    ),
    "POST /api/v1/reviews/{review_id}/checks/{check_id}": Write(
        lambda o: (
            f"/api/v1/reviews/{o['review'].pk}/checks/{o['review'].checks.order_by('pk')[0].pk}"
        ),
        gate=review_record_gate,
        body={"outcome": "on_track", "note": "按计划推进"},
    ),
    "GET /api/v1/scores": Listing(
        "/api/v1/scores", gate=lambda a: a.person is not None or a.is_superuser, refused=422
    ),
    "GET /api/v1/watchlist": Listing("/api/v1/watchlist", scoped(WatchEntry), ids("items")),
    "POST /api/v1/watchlist": Write(
        lambda o: "/api/v1/watchlist",
        gate=watch_propose_gate,
        body={"village": 1, "reason": "越权"},
    ),
    "GET /api/v1/watchlist/{entry_id}": Detail(
        WatchEntry, ("watch_gaige", "watch_shuangsheng"), lambda e: f"/api/v1/watchlist/{e.pk}"
    ),
    "POST /api/v1/watchlist/{entry_id}/actions/{action}": Write(
        lambda o: f"/api/v1/watchlist/{o['watch_gaige'].pk}/actions/dismiss",
        gate=watch_act_gate("dismiss"),
        body={"reason": "越权"},
    ),
    "GET /api/v1/villages/{village_id}/diagnosis": Detail(
        Village, ("gaige", "shuangsheng"), lambda v: f"/api/v1/villages/{v.pk}/diagnosis"
    ),
    "GET /api/v1/villages/{village_id}/goals": Detail(
        Village, ("gaige", "shuangsheng"), lambda v: f"/api/v1/villages/{v.pk}/goals"
    ),
    "POST /api/v1/villages/{village_id}/goals": Write(
        lambda o: f"/api/v1/villages/{o['gaige'].pk}/goals",
        gate=goal_gate,
        body={"horizon": "near", "title": "越权"},
    ),
    "GET /api/v1/villages/{village_id}/goals/{goal_id}": Detail(
        VillageGoal,
        ("goal_gaige", "goal_shuangsheng"),
        lambda g: f"/api/v1/villages/{g.village_id}/goals/{g.pk}",
    ),
    "PATCH /api/v1/villages/{village_id}/goals/{goal_id}": Excluded(
        "a write on a goal; tests/diagnosis/test_it_keeps_village_goals.py walks it by persona"
    ),
    "GET /api/v1/topics": Listing("/api/v1/topics", scoped(Topic, "code"), ids("items", "code")),
    "POST /api/v1/topics": Write(
        lambda o: "/api/v1/topics",
        gate=lambda actor, o: may_propose(actor, o["gaige"]),
        body={"village": "改革村", "title": "越权", "concern": "urgent"},
    ),
    "POST /api/v1/topics/with-photos": Write(
        lambda o: "/api/v1/topics/with-photos",
        gate=lambda actor, o: may_propose(actor, o["gaige"]),
        body={"village": "改革村", "title": "越权", "concern": "urgent"},
    ),
    "GET /api/v1/topics/export": Listing("/api/v1/topics/export"),
    "GET /api/v1/topics/{code}": Detail(Topic, TOPICS, lambda t: f"/api/v1/topics/{t.code}"),
    "POST /api/v1/topics/{code}/actions/{action}": Write(
        lambda o: f"/api/v1/topics/{o['topic_gaige'].code}/actions/decline",
        gate=lambda actor, o: may_triage(actor, o["gaige"]),
        body={"reason": "越权"},
    ),
    "POST /api/v1/public/villages/{public_code}/topics": Excluded(
        "the public proposal (no account): tests/deliberation/test_it_keeps_the_public_page_public.py"
    ),
    "GET /api/v1/public/villages/{public_code}/board": Public(
        lambda o: f"/api/v1/public/villages/{o['gaige'].public_code}/board"
    ),
    "GET /api/v1/public/receipts/{receipt}": Public(
        lambda o: f"/api/v1/public/receipts/{o['receipt']}"
    ),
    "POST /api/v1/public/receipts/{receipt}/satisfaction": Excluded(
        "the receipt holder's own rating: tests/deliberation/test_it_keeps_the_public_page_public.py"
    ),
    "GET /api/v1/projects": Listing(
        "/api/v1/projects", scoped(Project, "code"), ids("items", "code")
    ),
    "POST /api/v1/projects": Write(
        lambda o: "/api/v1/projects",
        gate=lambda actor, objects: may_manage_projects(actor),
        body={"code": "x"},
    ),
    "GET /api/v1/projects/{code}": Detail(
        Project, ("project_gaige", "project_shuangsheng"), lambda p: f"/api/v1/projects/{p.code}"
    ),
    "GET /api/v1/ledger/template/{category}": Excluded(
        "a blank spreadsheet of a category's columns; no rows"
    ),
    "GET /api/v1/ledger/export": Listing("/api/v1/ledger/export"),
    "GET /api/v1/projects/export": Listing("/api/v1/projects/export"),
    "GET /api/v1/field-visits/export": Listing("/api/v1/field-visits/export"),
    "GET /api/v1/publicity/export": Listing("/api/v1/publicity/export"),
    "GET /api/v1/petitions/export": Listing("/api/v1/petitions/export", gate=petitions_gate),
    "GET /api/v1/items/{code}/coordination": Detail(
        Item, ITEMS, lambda item: f"/api/v1/items/{item.code}/coordination"
    ),
    "POST /api/v1/items/{code}/coordination": Write(
        lambda o: f"/api/v1/items/{o['item_gaige'].code}/coordination",
        gate=sees("item_gaige"),
        body={"with_whom": "越权", "said": "越权"},
    ),
    "GET /api/v1/field-visits": Listing("/api/v1/field-visits", scoped(FieldVisit), ids("items")),
    "POST /api/v1/field-visits": Write(
        lambda o: "/api/v1/field-visits",
        gate=policy(may_log_anywhere),
        body={"village": 1, "purpose": "survey"},
    ),
    "GET /api/v1/field-visits/{visit_id}": Detail(
        FieldVisit, ("visit",), lambda v: f"/api/v1/field-visits/{v.pk}"
    ),
    "GET /api/v1/publicity": Listing("/api/v1/publicity", scoped(PublicityRecord), ids("items")),
    "POST /api/v1/publicity": Write(
        lambda o: "/api/v1/publicity",
        gate=policy(may_log_anywhere),
        body={"village": 1, "policy": "x", "on": "2026-01-05", "method": "poster"},
    ),
    "GET /api/v1/petitions": Listing(
        "/api/v1/petitions", scoped(Petition, "code"), ids("items", "code"), gate=petitions_gate
    ),
    "POST /api/v1/petitions": Write(
        lambda o: "/api/v1/petitions",
        gate=policy(petition_register_gate),
        body={
            "channel": "visit",
            "received_on": "2026-01-05",
            "petitioner_name": "越权",
            "matter": "越权登记",
        },
    ),
    "GET /api/v1/petitions/{code}": Detail(
        Petition, ("petition",), lambda p: f"/api/v1/petitions/{p.code}"
    ),
    "POST /api/v1/petitions/{code}/actions/{action}": Write(
        lambda o: f"/api/v1/petitions/{o['petition'].code}/actions/reply",
        gate=sees("petition"),
        body={"reply": "越权答复"},
    ),
    "GET /api/v1/petitions/{code}/notices/{notice_id}/docx": Detail(
        PetitionNotice,
        ("notice",),
        lambda n: f"/api/v1/petitions/{n.petition.code}/notices/{n.pk}/docx",
    ),
    "GET /api/v1/ledger/imports": Listing("/api/v1/ledger/imports"),
    "POST /api/v1/ledger/imports": Excluded("an upload of the caller's own; tests/exchange"),
    "POST /api/v1/sheets/{kind}/imports": Excluded(
        "an upload of the caller's own, refused by kind and role; tests/sheets/test_it_refuses_bad_sheets.py"
    ),
    "GET /api/v1/ledger/imports/{batch_id}": Excluded(
        "an upload's preview, private to its uploader; tests/exchange"
    ),
    "POST /api/v1/ledger/imports/{batch_id}/commit": Excluded(
        "commits the caller's own upload; tests/exchange"
    ),
    "GET /api/v1/ledger/imports/{batch_id}/errors": Excluded(
        "the caller's own upload's errors; tests/exchange"
    ),
}

# Mounted sites that are not the product's screens or API.
NOT_WALKED = {
    "admin": "the Django admin: its own permissions, tested in tests/admin",
    "api": "walked operation by operation from the OpenAPI document (the API registry)",
}


# --- the routes ---------------------------------------------------------------------------------


def screen_names() -> set[str]:
    """Every named URL pattern outside the mounted admin and API."""
    names: set[str] = set()

    def walk(patterns: Iterable[Any], namespace: str | None) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                prefix = str(pattern.pattern)
                if prefix.startswith(("admin/", "api/")):
                    continue
                walk(pattern.url_patterns, pattern.namespace or namespace)
            elif isinstance(pattern, URLPattern):
                if pattern.name is None:
                    if str(pattern.pattern).startswith("^api/"):
                        continue  # the API's JSON 404 for unknown paths
                    names.add(f"unnamed:{pattern.pattern}")
                else:
                    names.add(f"{namespace}:{pattern.name}" if namespace else pattern.name)

    walk(get_resolver().url_patterns, None)
    return names


def api_operations() -> set[str]:
    document = ninja_api.get_openapi_schema(path_prefix="/api/v1/")
    return {
        f"{method.upper()} {path}"
        for path, methods in document["paths"].items()
        for method in methods
    }


def test_it_has_an_entry_for_every_route():
    assert screen_names() - set(SCREENS) == set(), "screens without an entry in the registry"
    assert set(SCREENS) - screen_names() == set(), "entries for screens that no longer exist"
    assert api_operations() - set(API) == set(), "API operations without an entry in the registry"
    assert set(API) - api_operations() == set(), "entries for API operations that no longer exist"
    excluded = [name for name, entry in {**SCREENS, **API}.items() if isinstance(entry, Excluded)]
    assert all(entry.reason for entry in (SCREENS | API).values() if isinstance(entry, Excluded))
    assert len(excluded) < len(SCREENS) // 2 + len(API) // 2


# --- the world ----------------------------------------------------------------------------------


def _objects(world: World) -> dict[str, Any]:
    item = make_item(world)
    from maque.ledger import lifecycle

    item = lifecycle.item_start(item=item, by=world.user("cadre_gaige"))
    attachment = add_evidence(world, item)
    other = make_item(
        world, persona="cadre_shuangsheng", village=world.shuangsheng, title="双胜村撂荒地"
    )
    projects = Campaign.objects.get(town=world.town, code="key-projects")
    project = make_item(
        world,
        campaign=projects,
        category=world.category("project-milestone"),
        title="村道硬化节点",
        attributes={"project": "村道硬化"},
    )
    meeting = meeting_create(
        by=world.user("contact_gaige"),
        town=world.town,
        kind=MeetingKind.JOINT,
        title="改革村联席会议",
        held_on=timezone.localdate(),
        villages=[world.gaige],
        attendees=[world.people["cadre_gaige"]],
    )
    roster_member = roster_member_add(
        by=world.user("secretary_gaige"),
        village=world.gaige,
        body=RosterBody.REPRESENTATIVES,
        valid_from=timezone.localdate(),
        name="村民代表甲",
    )
    village_decision = decision_create(
        by=world.user("secretary_gaige"), village=world.gaige, title="晒场建设"
    )
    meeting_file = meeting_file_add(
        meeting=meeting, by=world.user("contact_gaige"), upload=photo("minutes.jpg")
    )
    round_ = round_open(town=world.town, by=world.user("inspector"), percent=100, minimum=1, seed=7)
    # A finding with its photo on the round's last sample (the first one is left to record).
    assert round_.samples.count() >= 2
    finding = finding_record(
        sample=round_.samples.order_by("-pk").first(),
        by=world.user("inspector"),
        outcome="pass",
        note="现场已复耕",
        photos=[photo("finding.jpg")],
    )
    # A contact leader's look-back of their village: the town and that village's roles read it.
    review = review_open(by=world.user("contact_gaige"), village=world.gaige, scope="progress")
    bulletin = bulletin_issue(town=world.town, by=world.user("inspector"))
    case = case_open(
        town=world.town, by=world.user("discipline"), title="逾期未整改", village=world.gaige
    )
    home = Household.objects.create(village=world.gaige, head_name="张德福", address="一组12号")
    visit = visit_log(
        by=world.user("cadre_gaige"), village=world.gaige, purpose="survey", households=[home]
    )
    publicity_record(
        by=world.user("secretary_gaige"),
        village=world.gaige,
        policy=policies_of(world.town).get(code="farmland-protection"),
        on=timezone.localdate(),
        method="loudspeaker",
    )
    petition = petition_accept(
        petition=petition_register(
            by=world.user("principal"),
            town=world.town,
            channel="visit",
            received_on=timezone.localdate(),
            petitioner_name="王德明",
            petitioner_phone="13912345678",
            matter="宅基地边界纠纷",
            village=world.gaige,
            owner=world.people["cadre_gaige"],
        ),
        by=world.user("principal"),
    )
    (notification,) = notify(
        recipients=[world.user("cadre_gaige")],
        kind="test.walk",
        title="待办提醒",
        key="walk",
        town=world.town,
    )
    watch_gaige, watch_shuangsheng = (
        entry_propose(by=world.user("principal"), town=world.town, village=village, reason="走看")
        for village in (world.gaige, world.shuangsheng)
    )
    topic_gaige = topics.topic_propose(
        by=world.user("cadre_gaige"),
        village=world.gaige,
        title="村道路灯",
        concern="urgent",
        photos=[photo("lamp.jpg")],
    )
    topic_shuangsheng = topics.topic_propose(
        by=world.user("cadre_shuangsheng"),
        village=world.shuangsheng,
        title="双胜村水渠",
        concern="worrying",
    ).topic
    project_gaige, project_shuangsheng = (
        project_create(
            by=world.user("principal"),
            town=world.town,
            code=code,
            name=name,
            campaign=projects,
            villages=[village],
            owner=world.people["leader"],
            starts_on=timezone.localdate(),
            ends_on=timezone.localdate(),
        )
        for code, name, village in (
            ("hetang", "荷塘园区", world.gaige),
            ("shaichang", "晒场", world.shuangsheng),
        )
    )
    goal_gaige, goal_shuangsheng = (
        goals.goal_create(
            by=world.user("principal"), village=village, horizon="near", title="人居环境整治"
        )
        for village in (world.gaige, world.shuangsheng)
    )
    return {
        "goal_gaige": goal_gaige,
        "goal_shuangsheng": goal_shuangsheng,
        "project_gaige": project_gaige,
        "project_shuangsheng": project_shuangsheng,
        "watch_gaige": watch_gaige,
        "watch_shuangsheng": watch_shuangsheng,
        "topic_gaige": topic_gaige.topic,
        "topic_shuangsheng": topic_shuangsheng,
        "receipt": topic_gaige.receipt,
        "topic_photo": topic_gaige.topic.photos.get(),
        "item_gaige": item,
        "item_shuangsheng": other,
        "item_projects": project,
        "attachment": attachment,
        "gaige": world.gaige,
        "shuangsheng": world.shuangsheng,
        "meeting": meeting,
        "meeting_file": meeting_file,
        "roster_member": roster_member,
        "village_decision": village_decision,
        "round": round_,
        "sample": round_.samples.order_by("pk").first(),
        "finding_photo": finding.photos.get(),
        "review": review,
        "bulletin": bulletin,
        "case": case,
        "notification": notification,
        "category": world.category("farmland-outflow"),
        "petition": petition,
        "visit": visit,
        "household": home,
        "notice": petition.notices.get(),
    }


def _snapshot() -> dict[str, int]:
    models = (
        Item,
        Transition,
        ProgressLog,
        Attachment,
        Meeting,
        MeetingFile,
        Resolution,
        RollEntry,
        RosterMember,
        VillagePopulation,
        VillageDecision,
        DecisionStep,
        InspectionRound,
        Review,
        Bulletin,
        AccountabilityCase,
        Plot,
        WatchEntry,
        WatchEvent,
        VillageGoal,
        Topic,
        Petition,
        PetitionNotice,
        Project,
        CoordinationLog,
        FieldVisit,
        PublicityRecord,
        VisitTopic,
    )
    counts = {model.__name__: model.objects.count() for model in models}
    counts["read"] = Notification.objects.filter(read_at__isnull=False).count()
    counts["case_status"] = hash(tuple(AccountabilityCase.objects.values_list("status", flat=True)))
    counts["round_status"] = hash(tuple(InspectionRound.objects.values_list("status", flat=True)))
    counts["goal_versions"] = hash(
        tuple(VillageGoal.objects.order_by("pk").values_list("version", flat=True))
    )
    counts["watch_versions"] = hash(
        tuple(WatchEntry.objects.order_by("pk").values_list("version", flat=True))
    )
    counts["topic_versions"] = hash(
        tuple(Topic.objects.order_by("pk").values_list("version", flat=True))
    )
    counts["petition_versions"] = hash(
        tuple(Petition.objects.order_by("pk").values_list("version", flat=True))
    )
    counts["item_versions"] = hash(
        tuple(Item.objects.order_by("pk").values_list("version", flat=True))
    )
    return counts


class Walker:
    def __init__(self, world: World, objects: dict[str, Any]) -> None:
        self.world = world
        self.objects = objects
        self.clients: dict[tuple[str | None, bool], Client] = {}
        self.problems: list[str] = []
        # Detail route -> the statuses it answered: each must be shown to someone, hidden from someone.
        self.outcomes: dict[str, set[str]] = {}
        # Public route -> the body it answered first: every persona must get the same.
        self.public_bodies: dict[str, bytes] = {}

    def client(self, persona: str | None, *, api: bool) -> Client:
        key = (persona, api)
        if key not in self.clients:
            client = Client()
            if persona is not None and api:
                token = token_issue(request=None, username=persona, password="pw-" + persona).token
                client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {token}"
            elif persona is not None:
                client.force_login(self.world.user(persona))
            self.clients[key] = client
        return self.clients[key]

    def user(self, persona: str | None) -> Any:
        return self.world.user(persona) if persona else None

    def actor(self, persona: str | None) -> Actor:
        return actor_for(self.user(persona))

    def expect(self, name: str, persona: str | None, url: str, got: int, wanted: set[int]) -> None:
        if got not in wanted:
            self.problems.append(
                f"{name} as {persona}: GET {url} answered {got}, expected {sorted(wanted)}"
            )

    def anonymous(self, api: bool) -> set[int]:
        return {401} if api else {302}

    def walk(self, name: str, entry: Entry, persona: str | None, *, api: bool) -> None:
        client = self.client(persona, api=api)
        user = self.user(persona)
        actor = self.actor(persona)
        signed_in = persona is not None
        if isinstance(entry, Detail):
            for key in entry.objects:
                obj = self.objects[key]
                url = entry.url(obj)
                response = client.get(url)
                outcome = (
                    "shown" if response.status_code in entry.shown else str(response.status_code)
                )
                self.outcomes.setdefault(name, set()).add(outcome)
                if not signed_in:
                    self.expect(name, persona, url, response.status_code, self.anonymous(api))
                    continue
                scoped_obj = getattr(obj, entry.via) if entry.via else obj
                sees = entry.model.objects.visible_to(user).filter(pk=scoped_obj.pk).exists()  # type: ignore[attr-defined]
                if sees and entry.gate(actor):
                    self.expect(name, persona, url, response.status_code, set(entry.shown))
                else:
                    self.expect(name, persona, url, response.status_code, {404, entry.refused})
        elif isinstance(entry, Listing):
            response = client.get(entry.url)
            if not signed_in:
                self.expect(name, persona, entry.url, response.status_code, self.anonymous(api))
                return
            if entry.gate is not None and not entry.gate(actor):
                self.expect(
                    name, persona, entry.url, response.status_code, {404, 403, entry.refused}
                )
                return
            self.expect(name, persona, entry.url, response.status_code, {200})
            if response.status_code != 200:
                return
            if entry.shown is not None and entry.allowed is not None:
                shown, allowed = entry.shown(response.json()), entry.allowed(user)
                if shown != allowed if entry.exact else not shown <= allowed:
                    self.problems.append(
                        f"{name} as {persona}: shows {sorted(shown)}, the scope allows {sorted(allowed)}"
                    )
            else:
                self.hidden_codes_absent(name, persona, response, user)
        elif isinstance(entry, Public):
            url = entry.url(self.objects)
            response = client.get(url)
            if response.status_code != entry.status:
                self.problems.append(
                    f"{name} as {persona}: GET {url} answered {response.status_code}, expected {entry.status}"
                )
            body = response.content
            first = self.public_bodies.setdefault(name, body)
            if entry.same_body and body != first:
                self.problems.append(f"{name} as {persona}: GET {url} differs by who asks")
        elif isinstance(entry, Write):
            if signed_in and entry.gate(actor, self.objects):
                return  # the write itself is the services' tests' business
            url = entry.url(self.objects)
            before = _snapshot()
            if api:
                response = client.post(url, entry.body, content_type="application/json")
            else:
                response = client.post(url, entry.body)
            wanted = self.anonymous(api) | {403} if not signed_in else set(entry.refused)
            if response.status_code not in wanted:
                self.problems.append(
                    f"{name} as {persona}: POST {url} answered {response.status_code}, expected {sorted(wanted)}"
                )
            if _snapshot() != before:
                self.problems.append(f"{name} as {persona}: POST {url} changed the database")

    def hidden_codes_absent(self, name: str, persona: str | None, response: Any, user: Any) -> None:
        """No code of an item the persona may not see appears in the answer."""
        body = (
            response.content.decode("utf-8", errors="replace")
            if not getattr(response, "streaming", False)
            else ""
        )
        hidden = set(Item.objects.values_list("code", flat=True)) - item_codes(user)
        leaked = sorted(code for code in hidden if re.search(rf"\b{re.escape(code)}\b", body))
        if leaked:
            self.problems.append(f"{name} as {persona}: shows {leaked}, which the scope hides")


def test_it_shows_every_persona_only_what_the_scoped_querysets_allow(world: World):
    objects = _objects(world)
    walker = Walker(world, objects)
    for persona in PERSONAS:
        for name, entry in SCREENS.items():
            if not isinstance(entry, Excluded):
                walker.walk(name, entry, persona, api=False)
        for name, entry in API.items():
            if not isinstance(entry, Excluded):
                walker.walk(name, entry, persona, api=True)
    assert walker.problems == []
    # The world has something to hide: every object route showed to some persona, hid from another.
    assert {
        name for name, statuses in walker.outcomes.items() if not {"shown", "404"} <= statuses
    } == set()
