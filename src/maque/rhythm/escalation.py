"""The escalation ladder (三级责任网格 in action, design §5), one `tick` step.

Due soon → the owner. Overdue day 1 → owner and village secretary; day 3 → contact leader and
the leaders in charge of the item's campaign (分管领导); day 7 → principal leaders and the
inspection group; day 15, or returned 3 times → an
accountability suggestion for the discipline commission (false close-outs are suggested by the
inspection round that finds them). Every number is the town's `RhythmSettings`.

**Days are working days** by default (`RhythmSettings.escalation_working_days`): design §5 makes
the working calendar the measure of the rhythm ("daily" means each working day), and a ladder
counted in calendar days would climb three rungs over a Spring Festival week while nobody is at
work. "Overdue day N" means N working days after the deadline have passed (the deadline itself
never counts): an item due on a Friday is overdue day 1 on Monday. "Due soon" means the deadline
is after today and no later than the next working day (more with `escalation_due_soon_days`),
so a Friday reminder covers a Monday deadline. A town may switch to calendar days.

Each step fires once per item (`EscalationStep` is unique per item and step; the insert and the
notifications share one transaction, and a second caller's insert of the same row is skipped, so
only the caller that inserted a row notifies for it). Nobody gets a message per item: each
person's rungs of the day are lines of one digest (`notifications.services.digests_add`), with
the calendar days overdue. The people notified are those of the responsibility grid on the day the step fell due
(`organisation.queries.responsible_on`, answered from the grid loaded once per run), so a late or
back-filled tick still reaches whoever was responsible then. Candidates are selected in SQL, one
query per town and step in the steady state; a backlog (a first run on an existing ledger, a
server that was down for a week) is read and fired in batches of `BATCH` items, each batch in
one transaction with bulk inserts: rung rows, recipients, notifications and deliveries, or
accountability cases with their history, events, evidence and notifications.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from functools import partial
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from maque.accountability.models import Rule
from maque.accountability.services import Suggestion, accountability_suggest_many
from maque.ledger.definitions import calendar_days_late
from maque.ledger.models import OPEN_STATES, Item, State
from maque.notifications.services import DigestLines, digests_add
from maque.organisation.models import Person, Role, RoleAssignment, Town
from maque.rhythm.calendar import WorkingCalendar
from maque.rhythm.models import EscalationStep, RhythmSettings, rhythm_settings

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

log = logging.getLogger(__name__)
Step = EscalationStep.Step

# Who each overdue rung reaches, besides the owner where noted. The middle rung is the town's
# half of the grid: the village's contact leader and the leaders in charge of the item's
# campaign (分管领导; one without a campaign leads them all).
OVERDUE_ROLES: dict[str, tuple[bool, tuple[str, ...]]] = {
    Step.OVERDUE_OWNER: (True, (Role.SECRETARY,)),
    Step.OVERDUE_CONTACT_LEADER: (False, (Role.CONTACT_LEADER, Role.LEADER)),
    Step.OVERDUE_PRINCIPAL: (False, (Role.PRINCIPAL, Role.INSPECTOR)),
}

# What a digest line says of the rung that put the item there.
STEP_NOTES: dict[str, StrPromise] = {
    Step.OVERDUE_OWNER: gettext_lazy("rectify now"),
    Step.OVERDUE_CONTACT_LEADER: gettext_lazy("for the contact leader and the leader in charge"),
    Step.OVERDUE_PRINCIPAL: gettext_lazy("seriously overdue, for the principal leaders"),
}
DIGEST_KIND = "escalation.digest"
DIGEST_LINK = "/ledger/?overdue=yes&sort=-days_overdue"


class Ladder:
    """The ladder's arithmetic for one town on one day."""

    def __init__(self, town: Town, today: date) -> None:
        self.town = town
        self.today = today
        self.settings: RhythmSettings = rhythm_settings(town)
        self.calendar = WorkingCalendar.of(town)
        self.working = self.settings.escalation_working_days

    def due_soon_horizon(self) -> date:
        days = self.settings.escalation_due_soon_days
        return (
            self.calendar.add_working_days(self.today, days)
            if self.working
            else self.today + timedelta(days=days)
        )

    def overdue_cutoff(self, days: int) -> date:
        """Items whose deadline is before this day are at least `days` days overdue today."""
        if not self.working:
            return self.today - timedelta(days=days - 1)
        latest = (
            self.today
            if self.calendar.is_working_day(self.today)
            else self.calendar.previous_working_day(self.today)
        )
        return self.calendar.add_working_days(latest, -(days - 1))

    def start_of(self, day: date) -> datetime:
        """The first instant of `day` in the town's time zone."""
        return timezone.make_aware(datetime.combine(day, clock_time.min))

    def day_reached(self, deadline: date, days: int) -> date:
        """The day an item with this deadline became `days` days overdue."""
        return (
            self.calendar.add_working_days(deadline, days)
            if self.working
            else deadline + timedelta(days=days)
        )

    def overdue_days(self, deadline: date) -> int:
        if deadline >= self.today:
            return 0
        return (
            self.calendar.working_days_between(deadline, self.today)
            if self.working
            else (self.today - deadline).days
        )


class Grid:
    """The town's responsibility grid through time, loaded once for a run: who held a role for a
    village on a day. The same answer as `organisation.queries.responsible_on` (the village's own
    holders that day, else the town-wide ones, oldest assignment first), without a query per
    village, role and day — a first run over a backlog asks about hundreds of past days.
    """

    def __init__(self, town: Town, roles: Iterable[str]) -> None:
        self._by_village: dict[tuple[str, int | None], list[RoleAssignment]] = {}
        assignments = (
            RoleAssignment.objects.filter(town=town, role__in=set(roles))
            .select_related("person")
            .order_by("valid_from", "id")
        )
        for assignment in assignments:
            self._by_village.setdefault((assignment.role, assignment.village_id), []).append(
                assignment
            )
        self._seen: dict[tuple[int, str, date], list[Person]] = {}

    @staticmethod
    def _in_force(assignments: list[RoleAssignment], day: date) -> list[Person]:
        return [
            assignment.person
            for assignment in assignments
            if assignment.valid_from <= day
            and (assignment.valid_to is None or assignment.valid_to >= day)
        ]

    def holders(
        self, village_id: int, role: str, day: date, campaign_id: int | None = None
    ) -> list[Person]:
        """Who held `role` for the village that day; a leader in charge only for their
        campaigns (or all, without one)."""
        key = (village_id, role, day)
        if key not in self._seen:
            own = self._in_force(self._by_village.get((role, village_id), []), day)
            self._seen[key] = own or self._in_force(self._by_village.get((role, None), []), day)
        if role != Role.LEADER:
            return self._seen[key]
        return [
            assignment.person
            for assignment in self._leaders(village_id, day)
            if assignment.campaign_id is None or assignment.campaign_id == campaign_id
        ]

    def _leaders(self, village_id: int, day: date) -> list[RoleAssignment]:
        return [
            assignment
            for assignment in self._by_village.get((Role.LEADER, None), [])
            if assignment.valid_from <= day
            and (assignment.valid_to is None or assignment.valid_to >= day)
        ]

    def of(
        self, village_id: int, roles: Iterable[str], day: date, campaign_id: int | None = None
    ) -> list[Person]:
        return [
            person for role in roles for person in self.holders(village_id, role, day, campaign_id)
        ]


def _not_fired(items: QuerySet[Item], step: str) -> QuerySet[Item]:
    return items.filter(~Exists(EscalationStep.objects.filter(item=OuterRef("pk"), step=step)))


def _candidates(ladder: Ladder, step: str) -> QuerySet[Item]:
    items = Item.objects.filter(town=ladder.town)
    # A legacy matter without a deadline is never due nor overdue (its reminder is the
    # coordination log's: maque.rhythm.coordination).
    open_items = items.filter(state__in=OPEN_STATES, open_ended=False)
    if step == Step.DUE_SOON:
        selected = open_items.filter(
            deadline__gt=ladder.today, deadline__lte=ladder.due_soon_horizon()
        )
    elif step == Step.RETURNS_ACCOUNTABILITY:
        selected = items.exclude(state=State.CANCELLED).filter(
            returned_count__gte=ladder.settings.accountability_returns
        )
    else:
        days = ladder.settings.escalation_thresholds()[step]
        cutoff = ladder.overdue_cutoff(days)
        selected = open_items.filter(deadline__lt=cutoff)
        if step == Step.OVERDUE_ACCOUNTABILITY:
            # What could not have happened is not held against anyone: an item must have been in
            # the system for the whole of its overdue days (a back-dated or imported deadline
            # counts from the day the item was registered).
            selected = selected.filter(created_at__lt=ladder.start_of(cutoff))
    return _not_fired(selected, step).select_related("village", "owner").order_by("pk")


# Items per transaction: large enough that a backlog of a million rungs is a few hundred
# transactions, small enough that each stays short (another caller waits at most one batch) and
# memory stays bounded.
BATCH = 2000
ACCOUNTABILITY_STEPS = (Step.OVERDUE_ACCOUNTABILITY, Step.RETURNS_ACCOUNTABILITY)


def _fire_batch(
    items: list[Item], step: str, ladder: Ladder, grid: Grid, now: datetime, run: str
) -> int:
    """Record the step for a batch of items and act on it, in one transaction; returns how many fired.

    The rows are inserted skipping conflicts, in item order (so concurrent callers lock in the
    same order); the rows this run inserted are read back by its run token, and only those items
    are acted on (added to the day's digests, or suggested for accountability). Another caller's
    rows are its own.
    """
    thresholds = ladder.settings.escalation_thresholds()
    token = uuid.uuid4().hex
    due_on = {
        item.pk: ladder.day_reached(item.deadline, thresholds[step])
        if step in thresholds
        else ladder.today
        for item in items
    }
    overdue_days = {item.pk: ladder.overdue_days(item.deadline) for item in items}
    with transaction.atomic():
        EscalationStep.objects.bulk_create(
            [
                EscalationStep(
                    item=item,
                    step=step,
                    due_on=due_on[item.pk],
                    deadline=item.deadline,
                    overdue_days=overdue_days[item.pk],
                    fired_at=now,
                    run=token,
                )
                for item in items
            ],
            ignore_conflicts=True,
            batch_size=500,
        )
        mine = dict(
            EscalationStep.objects.filter(
                run=token, step=step, item_id__in=[item.pk for item in items]
            ).values_list("item_id", "pk")
        )
        fired = [item for item in items if item.pk in mine]
        if not fired:
            return 0
        if step in ACCOUNTABILITY_STEPS:
            _suggest(fired, step, ladder)
        else:
            _notify(fired, step, ladder, grid, mine, due_on, overdue_days, run)
    return len(fired)


def _notify(
    items: list[Item],
    step: str,
    ladder: Ladder,
    grid: Grid,
    mine: dict[int, int],
    due_on: dict[int, date],
    overdue_days: dict[int, int],
    run: str,
) -> None:
    """Record who hears of each rung and add a line per item to each person's digest of the
    day: one inbox message per person and day, however many items climbed (design §5)."""

    through = []
    lines: dict[int, tuple[Person, list[str]]] = {}
    for item in items:
        people, line = _message(item, step, ladder, grid, due_on[item.pk], overdue_days[item.pk])
        through += [
            EscalationStep.recipients.through(escalationstep_id=mine[item.pk], person_id=person.pk)
            for person in people
        ]
        for person in people:
            lines.setdefault(person.pk, (person, []))[1].append(line)
    EscalationStep.recipients.through.objects.bulk_create(
        through, ignore_conflicts=True, batch_size=500
    )
    digests_add(
        [
            DigestLines(
                recipient=person,
                kind=DIGEST_KIND,
                key=digest_key(person, ladder.today),
                lines=tuple(texts),
                title=partial(digest_title, person.name, ladder.today),
                link=DIGEST_LINK,
                town=ladder.town,
            )
            for person, texts in lines.values()
        ],
        run=run,
    )


def digest_key(person: Person, day: date) -> str:
    """The key of a person's escalation digest of the day: a group robot posts each person's
    digest once, and an inbox holds one per day."""
    return f"escalation:digest:{day.isoformat()}:person:{person.pk}"


def digest_title(name: str, day: date, count: int) -> str:
    """Named, because a group robot posts every person's digest to the same group."""
    return ngettext(
        "%(name)s, to follow up on %(day)s: %(count)d item due or overdue",
        "%(name)s, to follow up on %(day)s: %(count)d items due or overdue",
        count,
    ) % {"name": name, "day": date_format(day, "DATE_FORMAT"), "count": count}


def _facts(item: Item) -> str:
    return _("%(village)s · owner %(owner)s · deadline %(deadline)s") % {
        "village": item.village.name,
        "owner": item.owner.name,
        "deadline": item.deadline.isoformat(),
    }


def _message(
    item: Item, step: str, ladder: Ladder, grid: Grid, due_on: date, overdue_days: int
) -> tuple[list[Person], str]:
    """Who hears of this rung (the grid of the day it fell due) and the item's digest line."""
    facts = _facts(item)
    if step == Step.DUE_SOON:
        people = [item.owner]
        line = _("%(code)s %(title)s · due %(deadline)s · %(facts)s") % {
            "deadline": item.deadline.isoformat(),
            "code": item.code,
            "title": item.title,
            "facts": facts,
        }
    else:
        with_owner, roles = OVERDUE_ROLES[step]
        people = ([item.owner] if with_owner else []) + grid.of(
            item.village_id, roles, due_on, item.campaign_id
        )
        # People read calendar days ("逾期N天", as in the bulletin); the rung itself may have been
        # counted in working days, and then says so.
        days_text = _("%(days)d days overdue") % {
            "days": calendar_days_late(item.deadline, ladder.today)
        }
        if ladder.working:
            days_text += _(" (rung: %(days)d working days)") % {"days": overdue_days}
        line = _("%(code)s %(title)s · %(days)s, %(note)s · %(facts)s") % {
            "code": item.code,
            "title": item.title,
            "days": days_text,
            "note": STEP_NOTES[step],
            "facts": facts,
        }
    return list({person.pk: person for person in people}.values()), line


def _suggest(items: list[Item], step: str, ladder: Ladder) -> None:
    """One accountability suggestion per item, all in one go; the case handlers of the day hear of them."""

    overdue = step == Step.OVERDUE_ACCOUNTABILITY
    summary = (
        _("%(code)s %(title)s is %(days)d days overdue. %(facts)s")
        if overdue
        else _("%(code)s %(title)s was returned as inadequate %(times)d times. %(facts)s")
    )
    accountability_suggest_many(
        town=ladder.town,
        day=ladder.today,
        suggestions=[
            Suggestion(
                rule=Rule.OVERDUE if overdue else Rule.RETURNS,
                key=f"escalation:{step}:item:{item.pk}",
                summary=summary
                % {
                    "code": item.code,
                    "title": item.title,
                    "days": calendar_days_late(item.deadline, ladder.today),
                    "times": item.returned_count,
                    "facts": _facts(item),
                },
                subject_person=item.owner,
                village=item.village,
                evidence=(item,),
            )
            for item in items
        ],
    )


PROGRESS_SECONDS = 5.0


def escalate(*, now: datetime, progress: Callable[[str], None] | None = None) -> int:
    """Fire every rung that has fallen due and not yet fired; returns how many fired.

    Candidates are read in batches in item order and each batch is fired in its own transaction,
    so a first run over a large backlog keeps its memory bounded and never holds the database for
    long. `progress`, if given, hears a line every few seconds while a long run goes on.
    """
    today = timezone.localdate(now)
    run = uuid.uuid4().hex
    fired = 0
    started = last_report = time.monotonic()
    with translation.override(settings.LANGUAGE_CODE):
        for town in Town.objects.order_by("pk"):
            ladder = Ladder(town, today)
            if not ladder.settings.escalation_enabled:
                continue
            grid: Grid | None = None
            for step in Step.values:
                after = 0
                while True:
                    batch = list(_candidates(ladder, step).filter(pk__gt=after)[:BATCH])
                    if not batch:
                        break
                    after = batch[-1].pk
                    if grid is None:
                        grid = Grid(
                            town,
                            {role for _owner, roles in OVERDUE_ROLES.values() for role in roles},
                        )
                    fired += _fire_batch(batch, step, ladder, grid, now, run)
                    if progress is not None and time.monotonic() - last_report >= PROGRESS_SECONDS:
                        last_report = time.monotonic()
                        progress(
                            f"escalation: {town.name} · {step} · {fired:,} rungs fired so far "
                            f"({last_report - started:.0f} s)"
                        )
                    if len(batch) < BATCH:
                        break
    if fired:
        log.info("escalation: %d steps fired", fired)
        if progress is not None and last_report > started:
            progress(f"escalation: {fired:,} rungs fired in {time.monotonic() - started:.0f} s")
    return fired
