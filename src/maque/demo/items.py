"""The ledger half of the demo: a few hundred five-rectification items replayed day by day.

Each item gets a script — register, start, report progress, upload evidence, submit, verify or
return, reopen, ask for an extension or a suspension, cancel — and every step runs through the
real services (`ledger.lifecycle`, `ledger.services`) on the replay clock, so states, transitions,
history and counts are exactly what the product itself would have produced.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

from django.contrib.auth.models import User
from django.utils import timezone

from maque.demo import wording
from maque.demo.cast import Cast, plot_restore
from maque.demo.clock import at, replay_at
from maque.demo.data import TOWN_CENTRE, VILLAGES
from maque.demo.images import evidence_photo
from maque.ledger import lifecycle
from maque.ledger.models import Campaign, Category, Item, Source
from maque.ledger.services import attachment_add, progress_add
from maque.organisation.access import actor_for
from maque.organisation.models import Person

# The final situation of each scripted item, with its share of the ledger.
SCENARIOS = {
    "found": 16,
    "found_overdue": 8,
    "rectifying": 40,
    "rectifying_due_soon": 12,
    "rectifying_overdue": 32,
    "submitted": 22,
    "closed": 85,
    "closed_after_return": 15,
    "returned": 18,
    "reopened": 8,
    "suspended": 8,
    "suspension_pending": 3,
    "resumed": 3,
    "cancelled": 8,
    "extension_pending": 6,
    "extension_approved": 10,
    "extension_rejected": 3,
}
# Days overdue of the late items: the escalation ladder's 1 / 3 / 7 / 15+ days all occur.
OVERDUE_DAYS = [1, 1, 2, 3, 3, 4, 5, 7, 7, 8, 10, 15, 16, 18, 22, 30, 45]
MAIN_VILLAGES = ("gaige", "shuangsheng")


@dataclass
class Step:
    day: date
    action: str
    actor: str = "owner"  # owner | approver | verifier | inspector | leader
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class Script:
    village: str
    scenario: str
    draft: wording.Draft
    found_on: date
    deadline: date
    steps: list[Step]
    registrar: str = "owner"  # owner | secretary | inspector
    source: str = Source.SURVEY


def replay_ledger(cast: Cast, *, rng: random.Random, today: date) -> None:
    """Write every scripted item through the services, oldest discovery first."""
    campaign = Campaign.objects.get(town=cast.town, code="five-rectifications")
    categories = {
        category.code: category for category in Category.objects.filter(campaign=campaign)
    }
    scripts: list[Script] = []
    serial = 0
    for sample_key, scenarios in _deal(rng).items():
        for scenario in scenarios:
            serial += 1
            scripts.append(_script(rng, cast, sample_key, scenario, today, serial))
    scripts.sort(key=lambda script: (script.found_on, script.village))
    for script in scripts:
        _run(cast, script, campaign=campaign, category=categories[script.draft.category], rng=rng)


def _deal(rng: random.Random) -> dict[str, list[str]]:
    """Share the scenarios out over the villages in proportion; the two main villages get all."""
    total_weight = sum(SCENARIOS.values())
    dealt: dict[str, list[str]] = {}
    for sample in VILLAGES:
        guaranteed = list(SCENARIOS) if sample.key in MAIN_VILLAGES else []
        rest: list[str] = []
        for name, weight in SCENARIOS.items():
            rest.extend([name] * int(weight * sample.items / total_weight))
        while len(guaranteed) + len(rest) < sample.items:
            rest.append(rng.choices(list(SCENARIOS), weights=list(SCENARIOS.values()))[0])
        rng.shuffle(rest)
        chosen = guaranteed + rest[: max(sample.items - len(guaranteed), 0)]
        rng.shuffle(chosen)
        dealt[sample.key] = chosen
    return dealt


# --- scripts ------------------------------------------------------------------------------------


DEFAULT_DAYS = {
    "farmland-chief": 15,
    "farmland-outflow": 60,
    "greenhouse": 30,
    "collective-contract": 45,
    "grave": 30,
}


def _script(
    rng: random.Random, cast: Cast, village_key: str, scenario: str, today: date, serial: int
) -> Script:
    day = lambda offset: today + timedelta(days=offset)  # noqa: E731 - offsets read best inline

    category = rng.choices(
        list(wording.CATEGORY_WEIGHTS), weights=list(wording.CATEGORY_WEIGHTS.values())
    )[0]
    days = DEFAULT_DAYS[category]
    steps: list[Step] = []

    def work(start: int, end: int, reports: int) -> None:
        """Start at `start`, then spread progress reports up to `end` (offsets from today)."""
        steps.append(Step(day(start), "start"))
        for index in range(reports):
            offset = start + (index + 1) * max((end - start) // (reports + 1), 0)
            steps.append(Step(day(min(offset, end)), "progress", data={"stage": index}))

    def finish(submit_on: int) -> None:
        steps.append(Step(day(submit_on), "evidence"))
        steps.append(Step(day(submit_on), "submit"))

    if scenario in ("found", "found_overdue"):
        if scenario == "found":
            found = -rng.randint(1, 8)
            deadline = max(found + days, rng.randint(2, 20))
        else:
            deadline = -rng.choice([3, 9, 16, 21])
            found = deadline - days
    elif scenario.startswith("rectifying") or scenario in (
        "extension_pending",
        "extension_rejected",
    ):
        if scenario == "rectifying_overdue":
            deadline = -rng.choice(OVERDUE_DAYS)
        elif scenario == "rectifying_due_soon":
            deadline = rng.randint(0, 3)
        elif scenario == "extension_pending":
            deadline = rng.choice([-2, -1, 1, 2, 3])
        elif scenario == "extension_rejected":
            deadline = -rng.choice([1, 3, 6])
        else:
            deadline = rng.randint(4, 40)
        found = min(deadline - days, -4 - rng.randint(0, 6))
        # Some items are stale: their last report is more than a week old.
        last = -rng.randint(8, 14) if rng.random() < 0.25 and found < -16 else -1
        work(found + rng.randint(1, 2), max(last, found + 3), rng.randint(1, 3))
        if scenario == "extension_pending":
            steps.append(
                Step(day(-rng.randint(1, 2)), "extend", data={"days": rng.choice([15, 20, 30])})
            )
        elif scenario == "extension_rejected":
            steps.append(Step(day(deadline - 3), "extend", data={"days": 20}))
            steps.append(Step(day(deadline - 2), "reject_extension", "approver"))
    elif scenario == "extension_approved":
        deadline = -rng.randint(3, 20)
        found = deadline - days
        work(found + 2, deadline - 3, 2)
        steps.append(Step(day(deadline - 2), "extend", data={"days": rng.choice([20, 30, 45])}))
        steps.append(Step(day(deadline - 1), "approve_extension", "approver"))
        steps.append(Step(day(-1), "progress", data={"stage": 2}))
    elif scenario == "submitted":
        deadline = rng.choice([rng.randint(2, 20), rng.randint(2, 20), -rng.randint(1, 5)])
        found = min(deadline - days, -6 - rng.randint(0, 10))
        submit_on = -rng.randint(1, 4)
        work(found + 1, submit_on - 1, rng.randint(1, 2))
        finish(submit_on)
    elif scenario in ("closed", "closed_after_return", "reopened"):
        found = -rng.randint(25, 150)
        deadline = found + days
        closing = min(found + rng.randint(6, days + 8), -2 if scenario != "reopened" else -12)
        closing = max(closing, found + 6)
        if rng.random() < 0.5:
            steps.append(Step(day(found), "before_photo"))
        work(found + 1, closing - 2, rng.randint(1, 2))
        if scenario == "closed_after_return":
            finish(closing - 2)
            steps.append(Step(day(closing - 1), "return", "verifier"))
        finish(closing)
        steps.append(Step(day(min(closing + rng.randint(0, 2), -1)), "verify", "verifier"))
        if scenario == "reopened":
            reopen_on = -rng.randint(2, 9)
            steps.append(Step(day(reopen_on), "reopen", "inspector"))
            steps.append(Step(day(reopen_on), "set_deadline", "leader", data={"days": 15}))
    elif scenario == "returned":
        found = -rng.randint(15, 70)
        deadline = rng.choice([found + days, rng.randint(3, 25)])
        deadline = max(deadline, found + 5)
        # Returned on days spread over the last month, not all in the last week: read day by day
        # (diagnosis/past.py), a week of returns in every village would flag every village.
        returned_on = max(-rng.randint(1, 30), found + 8)
        work(found + 1, returned_on - 4, 1)
        twice = rng.random() < 0.35 and returned_on - found > 12
        if twice:
            finish(returned_on - 4)
            steps.append(Step(day(returned_on - 3), "return", "verifier"))
        finish(returned_on - 1)
        steps.append(Step(day(returned_on), "return", "verifier"))
    elif scenario in ("suspended", "suspension_pending", "resumed"):
        if scenario == "resumed":
            found = -rng.randint(60, 90)
            asked = found + 12
            resume_on = -rng.randint(5, 12)
        else:
            found = -rng.randint(20, 60)
            asked = -rng.randint(2, 12) if scenario == "suspended" else -1
            resume_on = rng.randint(10, 60)
        deadline = max(found + days, asked + 5)
        work(found + 1, asked - 1, 1)
        steps.append(Step(day(asked), "suspend", data={"resume_on": day(resume_on)}))
        if scenario != "suspension_pending":
            steps.append(Step(day(asked + 1), "approve_suspension", "approver"))
        if scenario == "resumed":
            steps.append(Step(day(resume_on), "resume"))
            steps.append(Step(day(-1), "progress", data={"stage": 1}))
    elif scenario == "cancelled":
        found = -rng.randint(5, 60)
        deadline = found + days
        if rng.random() < 0.4:
            steps.append(Step(day(found + 1), "start"))
        steps.append(
            Step(day(found + rng.randint(2, 4)), "cancel", rng.choice(["approver", "leader"]))
        )
    else:  # pragma: no cover - the table above is closed
        raise ValueError(scenario)

    found_on = day(found)
    stock = cast.stock[village_key]
    draft = _draft(rng, stock, category, found_on, serial)
    registrar = rng.choices(["owner", "secretary", "inspector"], weights=[14, 4, 2])[0]
    source = Source.INSPECTION if registrar == "inspector" else Source.SURVEY
    steps = [step for step in steps if step.day >= found_on]
    steps.sort(key=lambda step: step.day)  # stable: same-day steps keep their order
    return Script(
        village_key,
        scenario,
        draft,
        found_on,
        max(day(deadline), found_on),
        steps,
        registrar,
        source,
    )


def _draft(
    rng: random.Random, stock: wording.VillageStock, category: str, found_on: date, serial: int
) -> wording.Draft:
    if category == "farmland-chief":
        return wording.farmland_chief(rng, stock, found_on)
    if category == "farmland-outflow":
        return wording.farmland_outflow(rng, stock, found_on)
    if category == "greenhouse":
        return wording.greenhouse(rng, stock, found_on)
    if category == "collective-contract":
        return wording.collective_contract(rng, stock, found_on, serial)
    return wording.grave(rng, stock, found_on)


# --- running a script ---------------------------------------------------------------------------


class _Moments:
    """Strictly increasing moments within working hours, one per step."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.last: datetime | None = None

    def on(self, day: date) -> datetime:
        moment = at(day, self.rng.randint(8, 17), self.rng.randint(0, 59))
        if self.last is not None and moment <= self.last:
            moment = self.last + timedelta(minutes=self.rng.randint(7, 40))
        self.last = moment
        return moment


def _owner_for(cast: Cast, village_key: str, day: date, rng: random.Random) -> Person:
    """A cadre of the village on that day (or, sometimes, its secretary)."""
    if rng.random() < 0.25:
        return cast.people[f"secretary_{village_key}"]
    if village_key == "shuangsheng":
        return cast.people[
            "cadre_shuangsheng_old" if day < cast.change_day else "cadre_shuangsheng"
        ]
    if village_key == "gaige":
        return cast.people[rng.choice(["cadre_gaige", "cadre_gaige", "cadre_gaige2"])]
    if village_key == "qinglong" and day >= cast.change_day and rng.random() < 0.4:
        return cast.people["cadre_shuangsheng_old"]
    return cast.people[f"cadre_{village_key}"]


def _contact_leader(village_key: str) -> str:
    return {
        "gaige": "contact_gaige",
        "shuangsheng": "contact_shuangsheng",
        "jinzhu": "contact_jinzhu",
        "taoyuan": "contact_jinzhu",
    }.get(village_key, "contact_qinglong")


def _run(
    cast: Cast, script: Script, *, campaign: Campaign, category: Category, rng: random.Random
) -> Item:
    moments = _Moments(rng)
    draft = script.draft
    owner = _owner_for(cast, script.village, script.found_on, rng)
    registrar = {
        "owner": owner,
        "secretary": cast.people[f"secretary_{script.village}"],
        "inspector": cast.people["inspector"],
    }[script.registrar]
    details: dict[str, Any] = {
        "description": draft.description,
        "measures": draft.measures,
        "scope": draft.scope,
        "subject": draft.subject,
    }
    if draft.group_id:
        details["group"] = cast.groups[draft.group_id]
    if draft.plot is not None:
        details["plot"] = draft.plot
    if draft.household is not None:
        details["household"] = draft.household
    with replay_at(moments.on(script.found_on)):
        registering = cast.users[_key(cast, registrar)]
        _remember_actor(cast, registering, script.found_on)
        item = lifecycle.item_create(
            by=registering,
            campaign=campaign,
            category=category,
            village=cast.villages[script.village],
            title=draft.title,
            owner=owner,
            found_on=script.found_on,
            deadline=script.deadline,
            source=script.source,
            attributes=draft.attributes,
            via="web",
            **details,
        )
    contact = _contact_leader(script.village)
    verifier_roles = set(category.verifier_roles)
    handover_due = (
        script.village == "shuangsheng" and item.owner_id == cast.people["cadre_shuangsheng_old"].pk
    )
    for step in script.steps:
        if (
            handover_due
            and step.day >= cast.change_day
            and item.state not in ("closed", "cancelled")
        ):
            item = _hand_over(cast, item, moments)
            handover_due = False
        actor_key = _actor_key(
            step.actor, item=item, cast=cast, contact=contact, verifiers=verifier_roles, rng=rng
        )
        with replay_at(moments.on(step.day)):
            user = cast.users[actor_key]
            _remember_actor(cast, user, step.day)
            item = _step(item, step, user, actor_key=actor_key, rng=rng, code=category.code)
    if handover_due and item.state not in ("closed", "cancelled"):
        item = _hand_over(cast, item, moments)
    return item


def _hand_over(cast: Cast, item: Item, moments: _Moments) -> Item:
    """On the day of the change, 双胜村's contact leader hands the old cadre's open item to the new one."""
    leader = cast.users["contact_shuangsheng"]
    with replay_at(moments.on(cast.change_day)):
        _remember_actor(cast, leader, cast.change_day)
        return lifecycle.item_update(
            item=item, by=leader, changes={"owner": cast.people["cadre_shuangsheng"]}, via="web"
        )


def _actor_key(
    who: str, *, item: Item, cast: Cast, contact: str, verifiers: set[str], rng: random.Random
) -> str:
    """The person (by key) who takes a step: the item's current owner, an approver, a verifier…"""
    if who == "owner":
        return cast.key_of[item.owner_id]
    if who == "approver":
        return contact if rng.random() < 0.75 else "leader"
    if who == "verifier":
        return _verifier(rng, contact, verifiers)
    return who  # "leader" or "inspector"


def _remember_actor(cast: Cast, user: User, day: date) -> None:
    """Give the user the actor of `day` without asking the database again.

    The replay moves the clock on at every step, and `actor_for` caches per day; but the demo's
    grid only changes once (双胜村 on the change day), so the actor computed for either side of
    that day is the actor of every day on that side.
    """
    after_change = day >= cast.change_day
    key = (user.pk, after_change)
    if key not in cast.actors:
        cast.actors[key] = actor_for(
            user, cast.change_day if after_change else cast.change_day - timedelta(days=1)
        )
    user._maque_actor = replace(cast.actors[key], day=day)  # type: ignore[attr-defined]  # access.actor_for's cache


def _key(cast: Cast, person: Person) -> str:
    return cast.key_of[person.pk]


def _verifier(rng: random.Random, contact: str, roles: set[str]) -> str:
    if "contact_leader" in roles and rng.random() < 0.6:
        return contact
    return "inspector" if rng.random() < 0.65 else "leader"


def _step(
    item: Item, step: Step, user: User, *, actor_key: str, rng: random.Random, code: str
) -> Item:
    via = rng.choice(["web", "web", "api"])
    match step.action:
        case "start":
            return lifecycle.item_start(item=item, by=user, note="已安排整改。", via=via)
        case "progress":
            stages = wording.PROGRESS[code]
            percent, text = stages[min(step.data.get("stage", 0), len(stages) - 1)]
            progress_add(item=item, by=user, text=text, percent=percent)
            return item
        case "before_photo":
            attachment_add(item=item, by=user, upload=_photo(item, code, after=False))
            return item
        case "evidence":
            files = [_photo(item, code, after=True)]
            if rng.random() < 0.3:
                files.append(_photo(item, code, after=True, extra=1))
            progress_add(item=item, by=user, text=wording.DONE[code], percent=100, files=files)
            return item
        case "submit":
            return lifecycle.item_submit(
                item=item, by=user, note="整改完成，申请验收销号。", via=via
            )
        case "verify":
            role = actor_key if actor_key in ("inspector", "leader") else "contact_leader"
            item = lifecycle.item_verify(
                item=item, by=user, note=rng.choice(wording.VERIFY_NOTES[role]), via=via
            )
            if code == "farmland-outflow" and item.plot is not None:
                plot_restore(plot=item.plot, by=user)
            return item
        case "return":
            reason = "整改不到位：" + rng.choice(wording.RETURN_REASONS[code])
            return lifecycle.item_return(item=item, by=user, reason=reason, via=via)
        case "reopen":
            return lifecycle.item_reopen(
                item=item, by=user, reason=rng.choice(wording.REOPEN_REASONS), via=via
            )
        case "set_deadline":
            deadline = step.day + timedelta(days=step.data["days"])
            return lifecycle.item_update(
                item=item, by=user, changes={"deadline": deadline}, via=via
            )
        case "cancel":
            return lifecycle.item_cancel(
                item=item, by=user, reason=rng.choice(wording.CANCEL_REASONS), via=via
            )
        case "extend":
            return lifecycle.item_request_extension(
                item=item,
                by=user,
                new_deadline=item.deadline + timedelta(days=step.data["days"]),
                reason=rng.choice(wording.EXTENSION_REASONS),
                via=via,
            )
        case "approve_extension":
            return lifecycle.item_approve_extension(
                item=item, by=user, note="情况属实，同意延期。", via=via
            )
        case "reject_extension":
            return lifecycle.item_reject_extension(
                item=item, by=user, reason=rng.choice(wording.REJECT_REASONS), via=via
            )
        case "suspend":
            return lifecycle.item_request_suspension(
                item=item,
                by=user,
                resume_on=step.data["resume_on"],
                reason=rng.choice(wording.SUSPENSION_REASONS),
                via=via,
            )
        case "approve_suspension":
            return lifecycle.item_approve_suspension(
                item=item, by=user, note="同意挂起，到期后恢复整改。", via=via
            )
        case "resume":
            return lifecycle.item_resume(item=item, by=user, note="挂起期满，恢复整改。", via=via)
    raise ValueError(step.action)  # pragma: no cover - the scripts use the actions above


def _photo(item: Item, code: str, *, after: bool, extra: int = 0) -> Any:
    polygon = item.plot.polygon if item.plot_id else None  # type: ignore[union-attr]
    lon, lat = polygon["coordinates"][0][0] if polygon else TOWN_CENTRE
    caption = f"{item.title[:16]} {'整改后' if after else '整改前'}"
    return evidence_photo(
        seed=f"{item.code}-{after}-{extra}-{item.version}",
        category=code,
        caption=caption,
        code=item.code,
        taken_at=timezone.localtime(timezone.now()),
        position=(lon, lat),
        after=after,
    )
