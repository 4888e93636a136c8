"""The demo town 蒿坪镇 (紫阳县): villages, people, the responsibility grid, households and plots,
and a few months of five-rectification work replayed through the real services.

`demo_build()` is idempotent: it builds the town once, in one transaction, and afterwards only
reports what is there. Everything is deterministic for a seed and dated relative to today, so
the demo always looks alive.
"""

from __future__ import annotations

import random
import time as timer
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from maque.demo import data
from maque.demo.cast import Cast
from maque.demo.clock import at, replay_at
from maque.demo.decisions import replay_decisions
from maque.demo.fieldwork import replay_field_work  # visits, legacy matters, petitions
from maque.demo.geo import grid_position, plot_polygon
from maque.demo.items import replay_ledger  # the ledger half of the story
from maque.demo.sparrow import sparrow_story  # projects and the watch list
from maque.demo.topics import replay_topics
from maque.demo.wording import VillageStock
from maque.ledger.catalogue import campaign_for_kind, catalogue_install
from maque.ledger.models import Item, Kind
from maque.organisation.models import (
    Department,
    Household,
    Person,
    Plot,
    RoleAssignment,
    Town,
    Village,
    VillageGroup,
    VillageTeam,
)
from maque.organisation.services import assignment_change, contact_department_change, plot_save

ADMIN_USERNAME = "admin"
DEFAULT_SEED = 2026


class DemoError(Exception):
    """The demo cannot be built here (e.g. a real town already uses the demo's code)."""


@dataclass
class DemoTown:
    """What the build made, for the command's report and the tests."""

    town: Town
    created: bool
    seconds: float = 0.0
    states: dict[str, int] = field(default_factory=dict)

    @property
    def items(self) -> int:
        return sum(self.states.values())


def demo_town() -> Town | None:
    return Town.objects.filter(code=data.TOWN["code"]).first()


def demo_build(
    *,
    seed: int = DEFAULT_SEED,
    today: date | None = None,
    progress: Callable[[str], None] | None = None,
) -> DemoTown:
    """Build the demo town unless it exists; return what is there. `progress` hears of each
    phase as it starts (the first build takes a minute or two)."""
    say = progress or (lambda _text: None)
    started = timer.monotonic()
    existing = demo_town()
    if existing is not None:
        if not existing.is_sample:
            raise DemoError(
                f"A town with the code {existing.code!r} ({existing.name}) exists and is not sample data; "
                "the demo will not mix its data into it."
            )
        return DemoTown(town=existing, created=False, states=state_counts(existing))

    today = today or timezone.localdate()
    rng = random.Random(seed)
    with transaction.atomic():
        say(_("Building the town, its villages, people and land…"))
        cast = _organisation(rng, today)
        say(_("Replaying a few months of the ledger through the lifecycle (about a minute)…"))
        replay_ledger(cast, rng=rng, today=today)
        say(_("Replaying the village topics of joint deliberation…"))
        replay_topics(cast, today=today)
        say(_("Meetings that count, village decisions and the joint forum…"))
        replay_decisions(cast, today=today)
        say(_("Projects, village diagnosis and the watch list…"))
        sparrow_story(cast, today=today)
        say(_("Field visits, legacy matters and petitions…"))
        replay_field_work(cast, today=today)
        say(_("Issuing the bulletins of the last working days…"))
        _recent_bulletins(cast.town, today)
    town = cast.town
    return DemoTown(
        town=town, created=True, seconds=timer.monotonic() - started, states=state_counts(town)
    )


RECENT_BULLETINS = 5


def _recent_bulletins(town: Town, today: date) -> None:
    """The daily bulletins of the last few working days, issued at the town's bulletin time as
    the schedule would have, so the 通报 list has a history (today's comes from `maque tick`)."""
    from maque.bulletins.services import bulletin_issue
    from maque.rhythm.calendar import WorkingCalendar
    from maque.rhythm.models import rhythm_settings

    calendar = WorkingCalendar.of(town)
    issue_time = rhythm_settings(town).bulletin_time
    days: list[date] = []
    day = calendar.previous_working_day(today)
    while len(days) < RECENT_BULLETINS:
        days.append(day)
        day = calendar.previous_working_day(day)
    for day in reversed(days):
        moment = at(day, issue_time.hour, issue_time.minute)
        with replay_at(moment):
            bulletin_issue(town=town, day=day, scheduled=True, now=moment)


def state_counts(town: Town) -> dict[str, int]:
    """Items of the town per state."""
    rows = (
        Item.objects.filter(town=town).values_list("state").annotate(count=Count("id")).order_by()
    )
    return dict(rows)


def _organisation(rng: random.Random, today: date) -> Cast:
    grid_start = (today - timedelta(days=540)).replace(day=1)
    change_day = today - timedelta(days=data.SHUANGSHENG_CHANGE_DAYS_AGO)
    with replay_at(at(grid_start, 8, 30)):
        admin = User.objects.filter(username=ADMIN_USERNAME).first()
        if admin is None:
            admin = User.objects.create_superuser(username=ADMIN_USERNAME, email="", password=None)
        town = Town(**data.TOWN, is_sample=True)
        town._history_user = admin  # type: ignore[attr-defined]
        town.save()
        catalogue_install(town=town, by=admin)
        departments = {}
        for name in data.DEPARTMENTS:
            department = Department(town=town, name=name)
            department._history_user = admin  # type: ignore[attr-defined]
            department.save()
            departments[name] = department
        villages: dict[str, Village] = {}
        groups: dict[int, VillageGroup] = {}
        for sample in data.VILLAGES:
            village = Village(
                town=town,
                name=sample.name,
                kind=sample.kind,
                signature_product=sample.product,
                profile=sample.profile,
                households_count=sample.households,
                population=sample.population,
                is_sample=True,
            )
            village._history_user = admin  # type: ignore[attr-defined]
            village.save()
            villages[sample.key] = village
            for number in range(1, sample.groups + 1):
                group = VillageGroup(
                    village=village, name=data.GROUP_NAMES[number - 1], number=number
                )
                group._history_user = admin  # type: ignore[attr-defined]
                group.save()
                groups[group.pk] = group
            contact_department_change(
                village=village,
                department=departments[data.CONTACT_DEPARTMENTS[sample.key]],
                on=grid_start,
                by=admin,
            )
        people, users = _people(rng, town, departments, villages, admin, grid_start)
        _teams(rng, villages, people, admin)
        stock = {
            sample.key: _land(rng, town, villages[sample.key], sample, groups, admin)
            for sample in data.VILLAGES
        }
    # 双胜村 changes its contact department and its contact cadre; the old rows are closed, not
    # overwritten, so the grid can be asked about any past date.
    with replay_at(at(change_day, 9, 0)):
        shuangsheng = villages["shuangsheng"]
        contact_department_change(
            village=shuangsheng,
            department=departments[data.SHUANGSHENG_NEW_DEPARTMENT],
            on=change_day,
            by=admin,
        )
        assignment_change(
            role="cadre",
            person=people["cadre_shuangsheng"],
            village=shuangsheng,
            on=change_day,
            by=admin,
            note="镇党委会研究调整双胜村联村干部",
        )
        # The former contact cadre now also covers 青龙村 (an added assignment, not a handover).
        moved = RoleAssignment(
            person=people["cadre_shuangsheng_old"],
            role="cadre",
            town=town,
            village=villages["qinglong"],
            valid_from=change_day,
            note="工作调整，改联青龙村",
        )
        moved._history_user = admin  # type: ignore[attr-defined]
        moved.save()
    return Cast(
        town=town,
        admin=admin,
        people=people,
        users=users,
        villages=villages,
        stock=stock,
        groups=groups,
        grid_start=grid_start,
        change_day=change_day,
    )


def _people(
    rng: random.Random,
    town: Town,
    departments: dict[str, Department],
    villages: dict[str, Village],
    admin: User,
    grid_start: date,
) -> tuple[dict[str, Person], dict[str, User]]:
    # The leader in charge of petitions and stability leads the standing petitions campaign.
    campaign_for_kind(town=town, kind=Kind.PETITION)
    campaigns = {campaign.code: campaign for campaign in town.campaigns.all()}
    people: dict[str, Person] = {}
    users: dict[str, User] = {}
    for sample in data.PEOPLE:
        user = None
        if sample.username:
            user = User.objects.filter(
                username=sample.username
            ).first() or User.objects.create_user(
                username=sample.username, password=None, first_name=sample.name
            )
            users[sample.key] = user
        person = Person(
            town=town,
            name=sample.name,
            user=user,
            title=sample.title,
            department=departments.get(sample.department or ""),
            phone=f"1399156{rng.randint(0, 9999):04d}",
            is_sample=True,
        )
        person._history_user = admin  # type: ignore[attr-defined]
        person.save()
        people[sample.key] = person
        for role, village_key, campaign_code in sample.roles:
            # Initial appointments (several people may hold a town-wide role at once).
            assignment = RoleAssignment(
                person=person,
                role=role,
                town=town,
                village=villages[village_key] if village_key else None,
                campaign=campaigns[campaign_code] if campaign_code else None,
                valid_from=grid_start,
                note="镇党委会研究确定",
            )
            assignment._history_user = admin  # type: ignore[attr-defined]
            assignment.save()
    return people, users


def _teams(
    rng: random.Random, villages: dict[str, Village], people: dict[str, Person], admin: User
) -> None:
    for sample in data.VILLAGES:
        village = villages[sample.key]
        secretary = people[f"secretary_{sample.key}"].name
        capable = sample.teams.get("capable") or (
            _name(rng),
            rng.randint(8, 20),
            "种养能人、乡贤和志愿者",
        )
        teams = {
            VillageTeam.Kind.COMMITTEES: (
                secretary,
                rng.randint(5, 7),
                "村党支部委员会和村民委员会",
            ),
            VillageTeam.Kind.WORK_TEAM: (
                data.FIRST_SECRETARIES[sample.key],
                3,
                "第一书记和驻村工作队员",
            ),
            VillageTeam.Kind.PARTY_MEMBERS: (
                secretary,
                rng.randint(28, 64),
                "全体党员，分组联系农户",
            ),
            VillageTeam.Kind.CAPABLE: capable,
        }
        for kind, (leader, members, note) in teams.items():
            team = VillageTeam(
                village=village, kind=kind, leader=leader, members_count=members, note=note
            )
            team._history_user = admin  # type: ignore[attr-defined]
            team.save()


def _name(rng: random.Random) -> str:
    return rng.choice(data.SURNAMES) + rng.choice(data.GIVEN)


def _land(
    rng: random.Random,
    town: Town,
    village: Village,
    sample: data.VillageSample,
    groups: dict[int, VillageGroup],
    admin: User,
) -> VillageStock:
    """Households and plots with polygons, laid out by group around the village centre."""
    village_groups = [group for group in groups.values() if group.village_id == village.pk]
    households: list[Household] = []
    for index in range(6 * len(village_groups)):
        group = village_groups[index % len(village_groups)]
        household = Household(
            village=village,
            group=group,
            head_name=_name(rng),
            phone=f"1389156{rng.randint(0, 9999):04d}",
            address=f"{town.county}{town.name}{village.name}{group.name}",
            members=rng.randint(1, 6),
        )
        household._history_user = admin  # type: ignore[attr-defined]
        household.save()
        households.append(household)
    centre = (data.TOWN_CENTRE[0] + sample.centre[0], data.TOWN_CENTRE[1] + sample.centre[1])
    statuses = ["cultivated"] * 11 + ["abandoned"] * 5 + ["outflow"] * 2 + ["occupied"]
    plots: list[Plot] = []
    for index in range(6 * len(village_groups) + 6):
        group = village_groups[index % len(village_groups)]
        position = grid_position(centre, index)
        polygon, area = plot_polygon(rng, centre=position, target_mu=rng.uniform(0.6, 6.0))
        land_class = rng.choices(
            [Plot.LandClass.PERMANENT_FARMLAND, Plot.LandClass.FARMLAND, Plot.LandClass.GARDEN],
            weights=[5, 4, 1],
        )[0]
        plot = Plot(
            town=town,
            village=village,
            group=group,
            code=f"{sample.abbr}-{group.number:02d}-{index + 1:03d}",
            area_mu=area,
            land_class=land_class,
            status=rng.choice(statuses),
            household=rng.choice([h for h in households if h.group_id == group.pk]),
            polygon=polygon,
        )
        plots.append(plot_save(plot=plot, by=admin))
    return VillageStock(
        village=village,
        abbr=sample.abbr,
        plots=plots,
        households=households,
        group_names={group.pk: group.name for group in village_groups},
    )
