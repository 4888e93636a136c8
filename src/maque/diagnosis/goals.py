"""A village's work goals (工作目标: "近期抓环境、长期抓产业、常态保稳定"): who may set them, their
progress from the work linked to them, and their writes.

Progress, plainly: each piece of linked work counts as a share done, in percent —

- an item: 100 when closed out, its reported percent while open, not counted when cancelled;
- a project: its actual progress (`maque.projects.progress.actual`), not counted before it has
  milestones;
- a topic of joint deliberation: 100 when completed or answered, 0 while on its way, not counted
  when declined, merged or spam;

and the goal's progress is the mean of the counted shares (None when nothing counts).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from maque.core.errors import ConflictError, NotPermitted
from maque.core.lengths import TEXT, too_long
from maque.core.masking import mask_text
from maque.deliberation.models import Topic, TopicState
from maque.diagnosis.models import Horizon, VillageGoal
from maque.ledger.models import Item, State
from maque.organisation.access import actor_for
from maque.organisation.actor import Actor
from maque.organisation.models import Village
from maque.organisation.roles import Role
from maque.projects.models import Project
from maque.projects.queries import figures
from maque.rhythm.calendar import WorkingCalendar

# Who sets a village's goals: the principal, the leaders, and the village's contact leader and
# party secretary.
EDITORS = frozenset({Role.PRINCIPAL, Role.LEADER, Role.CONTACT_LEADER, Role.SECRETARY})
# Links of each kind a goal may carry.
MAX_LINKS = 100
TOPICS_NOT_COUNTED = (TopicState.DECLINED, TopicState.MERGED, TopicState.SPAM)
TOPICS_DONE = (TopicState.COMPLETED, TopicState.ANSWERED)
EDITABLE = ("horizon", "title", "description", "active", "items", "projects", "topics")
STALE = gettext_lazy(
    "This goal was changed by someone else (version %(current)d, yours %(yours)d). "
    "Reload and try again."
)


def may_edit(actor: Actor, village: Village) -> bool:
    """Whether the actor sets this village's goals."""
    if actor.is_superuser:
        return True
    return bool(actor.roles_over(town_id=village.town_id, village_id=village.pk) & EDITORS)


def check_edit(actor: Actor, village: Village) -> None:
    if not may_edit(actor, village):
        raise NotPermitted(
            _(
                "Only the principal, the leaders, and the village's contact leader and party "
                "secretary set its goals."
            )
        )


# --- progress ------------------------------------------------------------------------------------


def item_share(state: str, percent: int) -> float | None:
    """An item's share done (percent); None: it does not count (cancelled)."""
    if state == State.CANCELLED:
        return None
    if state == State.CLOSED:
        return 100.0
    return float(max(0, min(100, percent)))


def topic_share(state: str) -> float | None:
    """A topic's share done (percent); None: it does not count."""
    if state in TOPICS_NOT_COUNTED:
        return None
    return 100.0 if state in TOPICS_DONE else 0.0


def mean(shares: Iterable[float | None]) -> float | None:
    counted = [share for share in shares if share is not None]
    return round(sum(counted) / len(counted), 1) if counted else None


@dataclass(frozen=True)
class Link:
    """One piece of a goal's linked work as the village page shows it."""

    kind: str  # "item", "project" or "topic"
    key: str  # the item's code, the project's code, the topic's code
    pk: int
    title: str
    state: str
    share: float | None


def goal_links(goal: VillageGoal, *, day: date | None = None, masks: bool = False) -> list[Link]:
    """The goal's linked work with each one's share done (all of it: the goal is the village's,
    whoever reads it); `masks`: phone and ID numbers in the titles masked, for a reader who may
    not see personal data."""
    day = day or timezone.localdate()
    shown = mask_text if masks else str
    links = [
        Link("item", i.code, i.pk, shown(i.title), i.state, item_share(i.state, i.progress_percent))
        for i in goal.items.order_by("deadline", "pk")
    ]
    projects = list(goal.projects.order_by("code"))
    if projects:
        found = figures(projects, day, WorkingCalendar.of(goal.village.town))
        links += [
            Link("project", p.code, p.pk, p.name, "", found[p.pk]["actual"]) for p in projects
        ]
    links += [
        Link("topic", t.code, t.pk, shown(t.title), t.state, topic_share(t.state))
        for t in goal.topics.order_by("pk")
    ]
    return links


def goal_progress(links: Sequence[Link]) -> float | None:
    """The goal's progress: the mean of its counted links' shares (module note)."""
    return mean(link.share for link in links)


# --- writes --------------------------------------------------------------------------------------


def _linked(
    village: Village, values: dict[str, Any], errors: dict[str, list[str]]
) -> dict[str, list[Any]]:
    """The codes of `items`, `projects` and `topics` in `values` as the village's own rows."""
    found: dict[str, list[Any]] = {}
    kinds: tuple[tuple[str, Any, bool], ...] = (
        ("items", Item.objects.filter(village=village), True),
        ("projects", Project.objects.filter(villages=village), False),
        ("topics", Topic.objects.filter(village=village), True),
    )
    for name, rows, upper in kinds:
        if name not in values:
            continue
        typed = (str(code).strip() for code in values[name] or ())
        codes = list(dict.fromkeys(code.upper() if upper else code for code in typed if code))
        if len(codes) > MAX_LINKS:
            errors[name] = [_("At most %(n)d links of each kind.") % {"n": MAX_LINKS}]
            continue
        matched = {row.code: row for row in rows.filter(code__in=codes)}
        unknown = [code for code in codes if code not in matched]
        if unknown:
            errors[name] = [
                _("Not of %(village)s: %(codes)s.")
                % {"village": village.name, "codes": ", ".join(unknown[:5])}
            ]
        else:
            found[name] = [matched[code] for code in codes]
    return found


def _checked(values: dict[str, Any], errors: dict[str, list[str]]) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    if "horizon" in values:
        if values["horizon"] not in Horizon.values:
            errors["horizon"] = [
                _("The horizon is one of: %(names)s.") % {"names": ", ".join(Horizon.values)}
            ]
        else:
            clean["horizon"] = values["horizon"]
    if "title" in values:
        title = (values["title"] or "").strip()
        if not title:
            errors["title"] = [_("The title is required.")]
        elif len(title) > 100:
            errors["title"] = [_("At most 100 characters.")]
        else:
            clean["title"] = title
    if "description" in values:
        text = (values["description"] or "").strip()
        if (problem := too_long(text, TEXT)) is not None:
            errors["description"] = [problem]
        else:
            clean["description"] = text
    if "active" in values:
        clean["active"] = bool(values["active"])
    return clean


def goal_create(
    *,
    by: User,
    village: Village,
    horizon: str,
    title: str,
    description: str = "",
    items: Sequence[str] = (),
    projects: Sequence[str] = (),
    topics: Sequence[str] = (),
    via: str = "api",
) -> VillageGoal:
    """Set a goal of the village, linked to its items, projects and topics (by code)."""
    check_edit(actor_for(by), village)
    values = {
        "horizon": horizon,
        "title": title,
        "description": description,
        "items": items,
        "projects": projects,
        "topics": topics,
    }
    errors: dict[str, list[str]] = {}
    clean = _checked(values, errors)
    links = _linked(village, values, errors)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        goal = VillageGoal(town_id=village.town_id, village=village, created_by=by, **clean)
        goal._history_user = by  # type: ignore[attr-defined]
        goal._change_reason = f"{via}: create"  # type: ignore[attr-defined]
        goal.save()
        for name, rows in links.items():
            getattr(goal, name).set(rows)
    return goal


def goal_update(
    *,
    goal: VillageGoal,
    by: User,
    changes: dict[str, Any],
    version: int | None = None,
    via: str = "api",
) -> VillageGoal:
    """Change a goal (any of `EDITABLE`; links by code, replacing the kind's links), at
    `version` if given (another's change in between: 409 with the current version)."""
    check_edit(actor_for(by), goal.village)
    unknown = sorted(set(changes) - set(EDITABLE))
    if unknown:
        raise ValidationError({unknown[0]: [_("This field cannot be changed.")]})
    errors: dict[str, list[str]] = {}
    clean = _checked(changes, errors)
    links = _linked(goal.village, changes, errors)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        current = VillageGoal.objects.select_for_update().get(pk=goal.pk)
        if version is not None and version != current.version:
            raise ConflictError(
                str(STALE) % {"current": current.version, "yours": version},
                code="stale_version",
                current_version=current.version,
            )
        for name, value in clean.items():
            setattr(current, name, value)
        current.version += 1
        current._history_user = by  # type: ignore[attr-defined]
        current._change_reason = f"{via}: " + ", ".join(sorted(changes))  # type: ignore[attr-defined]
        current.save()
        for name, rows in links.items():
            getattr(current, name).set(rows)
    return current


def goal_history(goal: VillageGoal) -> list[dict[str, Any]]:
    """Every recorded state of the goal, newest first: when, who, why, and what it said."""
    return [
        {
            "at": record.history_date,
            "by": (
                getattr(getattr(record.history_user, "person", None), "name", None)
                or (record.history_user.get_username() if record.history_user else None)
            ),
            "reason": record.history_change_reason or "",
            "horizon": record.horizon,
            "title": record.title,
            "active": record.active,
            "version": record.version,
        }
        for record in goal.history.select_related("history_user").order_by("-history_date")  # type: ignore[attr-defined]
    ]
