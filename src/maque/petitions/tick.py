"""The petitions' escalation ladder, one `tick` step (`maque tick`).

Each running limit — the acceptance decision while registered, the written reply while accepted
(with its extension) — climbs the ladder in calendar days, as the regulation counts them:

- limit near (3 days or fewer left) → the handling owner;
- overdue day 1 → the owner and the leaders in charge of petitions;
- overdue day 3 → also the principal leaders;
- overdue day 7 → also the discipline commission.

A rung fires once per petition, limit and limit day (`PetitionEscalation` is unique on them: an
extension moves the limit, and the ladder starts again for the new day). A rung already passed
when the tick first sees the petition fires too (a server down for a week still tells the
principal), except "limit near", which only makes sense before the limit. The messages carry
the register number and the limit, never the petitioner or the matter; their kind starts with
`petition`, which notifications treat as confidential (no group robot, only readers).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from maque.notifications.services import notify
from maque.organisation.models import Person, Role, RoleAssignment
from maque.petitions import limits
from maque.petitions.models import Limit, Petition, PetitionEscalation, State
from maque.petitions.policies import PETITIONS_CAMPAIGN_CODE

Rung = PetitionEscalation.Rung
DUE_SOON_DAYS = 3
# rung -> (calendar days after the limit it is reached, roles told besides the owner)
RUNGS: dict[str, tuple[int, tuple[str, ...]]] = {
    Rung.DUE_SOON: (-DUE_SOON_DAYS, ()),
    Rung.OVERDUE_OWNER: (1, (Role.LEADER,)),
    Rung.OVERDUE_PRINCIPAL: (3, (Role.LEADER, Role.PRINCIPAL)),
    Rung.OVERDUE_DISCIPLINE: (7, (Role.LEADER, Role.PRINCIPAL, Role.DISCIPLINE)),
}
LIMIT_OF_STATE = {State.REGISTERED: Limit.ACCEPTANCE, State.ACCEPTED: Limit.HANDLING}


def rungs_reached(due: date, today: date) -> list[str]:
    """The rungs a limit on `due` has reached on `today` (calendar days)."""
    reached = [
        rung
        for rung, (offset, _roles) in RUNGS.items()
        if rung != Rung.DUE_SOON and today >= due + timedelta(days=offset)
    ]
    if due - timedelta(days=DUE_SOON_DAYS) <= today <= due:
        reached.insert(0, Rung.DUE_SOON)
    return reached


def _told(petition: Petition, roles: tuple[str, ...], day: date) -> list[Person]:
    people: dict[int, Person] = {petition.owner_id: petition.owner}
    if roles:
        rows = (
            RoleAssignment.objects.on(day)
            .filter(town_id=petition.town_id, role__in=roles, village__isnull=True)
            .filter(
                ~Q(role=Role.LEADER)
                | Q(campaign__isnull=True)
                | Q(campaign__code=PETITIONS_CAMPAIGN_CODE)
            )
            .select_related("person")
        )
        for row in rows:
            if row.person.active:
                people[row.person_id] = row.person
    return list(people.values())


def _message(petition: Petition, limit: str, due: date, rung: str, today: date) -> tuple[str, str]:
    late = limits.days_late(due, today)
    values = {
        "code": petition.code,
        "limit": Limit(limit).label,
        "due": date_format(due, "DATE_FORMAT"),
        "days": late,
    }
    if rung == Rung.DUE_SOON:
        title = _("Petition %(code)s: the limit for the %(limit)s is %(due)s") % values
    else:
        title = (
            _("Petition %(code)s: the limit for the %(limit)s passed %(days)d calendar days ago")
            % values
        )
    body = _("Limits of petitions count calendar days (自然日), holidays included.")
    return title, body


def escalate_petitions(*, now: datetime) -> int:
    """Fire every rung reached today; the number of rungs fired."""
    today = timezone.localdate(now)
    horizon = today + timedelta(days=DUE_SOON_DAYS)
    fired = 0
    rows = Petition.objects.filter(
        state__in=list(LIMIT_OF_STATE), due_on__isnull=False, due_on__lte=horizon
    ).select_related("owner")
    for petition in list(rows):
        due = petition.due_on
        assert due is not None
        limit = LIMIT_OF_STATE[State(petition.state)]
        for rung in rungs_reached(due, today):
            try:
                with transaction.atomic():
                    PetitionEscalation.objects.create(
                        petition=petition, limit=limit, due_on=due, rung=rung, fired_on=today
                    )
                    with translation.override(settings.LANGUAGE_CODE):
                        title, body = _message(petition, limit, due, rung, today)
                    notify(
                        recipients=_told(petition, RUNGS[rung][1], today),
                        kind=f"petition.{rung}",
                        title=title,
                        body=body,
                        link=f"/petitions/{petition.code}/",
                        key=f"petition:{petition.pk}:{limit}:{due.isoformat()}:{rung}",
                        town=petition.town,
                        may_read_confidential=_reader_of(petition),
                    )
            except IntegrityError:
                continue  # fired before, or by a concurrent tick
            fired += 1
    return fired


def _reader_of(petition: Petition):  # noqa: ANN202
    def may_read(user: object, town_id: int) -> bool:
        return Petition.objects.visible_to(user).filter(pk=petition.pk).exists()

    return may_read
