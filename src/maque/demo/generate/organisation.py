"""A generated town's organisation: villages, groups, households, plots, people and their roles."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from simple_history.utils import bulk_create_with_history

from maque.organisation.models import (
    Department,
    Household,
    Person,
    Plot,
    Role,
    RoleAssignment,
    Town,
    Village,
    VillageGroup,
)

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰红梅建国志文斌辉鹏宇浩春林海波琴云飞"
PLACE = "和平新兴安福红星青山石河金银东西南北龙凤双胜改革联合庙坝沟湾桥林茶花柳松竹春秋仁义礼智信"
GROUP_NAMES = "一二三四五六七八九十"
COUNTY_LON, COUNTY_LAT = 108.54, 32.52  # the demo county, for plot polygons


@dataclass
class _VillageCast:
    """The people of one village, as ids: who owns, who approves and verifies."""

    village_id: int
    town_index: int
    group_ids: list[int]
    plot_codes: list[str]
    household_ids: list[int]
    owners: list[tuple[int, int]]  # (person id, user id)
    contact_leader: tuple[int, int]
    inspector: tuple[int, int]
    town_roles: dict[str, tuple[int, int]]  # one person for each town-wide role


def _ids(person: Person) -> tuple[int, int]:
    """(person id, user id) of a sample person, who is always created with a log-in."""
    assert person.user_id is not None
    return person.pk, person.user_id


def _town(index: int, seed: int) -> Town:
    code = f"s{seed}t{index + 1}"[:20]
    if Town.objects.filter(code=code).exists():
        raise ValueError(
            f"a data set with seed {seed} is already in this database (town code {code})"
        )
    town = Town(
        name=f"样例{index + 1}镇（种子{seed}）",
        short_name=f"样例{index + 1}",
        code=code,
        county="样例县",
        is_sample=True,
    )
    town.save()
    return town


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _village_names(rng: random.Random, count: int) -> list[str]:
    pairs = [a + b for a in PLACE for b in PLACE if a != b]
    rng.shuffle(pairs)
    names = [f"{pair}村" for pair in pairs[:count]]
    names += [f"{pairs[i % len(pairs)]}{i // len(pairs) + 1}村" for i in range(len(names), count)]
    return names


def _square(rng: random.Random) -> dict[str, Any]:
    lon = COUNTY_LON + rng.uniform(-0.3, 0.3)
    lat = COUNTY_LAT + rng.uniform(-0.3, 0.3)
    side = rng.uniform(0.0005, 0.002)
    ring = [[lon, lat], [lon + side, lat], [lon + side, lat + side], [lon, lat + side], [lon, lat]]
    return {"type": "Polygon", "coordinates": [[[round(x, 6), round(y, 6)] for x, y in ring]]}


def _organisation(
    rng: random.Random, town: Town, town_index: int, village_count: int, seed: int, today: date
) -> list[_VillageCast]:
    """Villages, groups, households, plots, departments, people, users and role assignments."""
    user_model = get_user_model()
    start = today.replace(year=today.year - 3)
    villages = bulk_create_with_history(
        [
            Village(
                town=town,
                name=name,
                signature_product=rng.choice(("茶叶", "魔芋", "蚕桑", "中药材", "柑橘", "")),
                households_count=rng.randint(150, 900),
                population=rng.randint(500, 3000),
                is_sample=True,
            )
            for name in _village_names(rng, village_count)
        ],
        Village,
    )
    villages = list(Village.objects.filter(town=town).order_by("id"))
    groups = [
        VillageGroup(village=village, name=f"{GROUP_NAMES[n]}组", number=n + 1)
        for village in villages
        for n in range(rng.randint(4, 8))
    ]
    bulk_create_with_history(groups, VillageGroup)
    groups_by_village: dict[int, list[int]] = {}
    for group_id, village_id in VillageGroup.objects.filter(village__town=town).values_list(
        "id", "village_id"
    ):
        groups_by_village.setdefault(village_id, []).append(group_id)
    households = [
        Household(
            village=village,
            group_id=rng.choice(groups_by_village[village.pk]),
            head_name=_name(rng),
            members=rng.randint(1, 7),
        )
        for village in villages
        for _ in range(8)
    ]
    bulk_create_with_history(households, Household)
    households_by_village: dict[int, list[int]] = {}
    for household_id, village_id in Household.objects.filter(village__town=town).values_list(
        "id", "village_id"
    ):
        households_by_village.setdefault(village_id, []).append(household_id)
    plots = []
    for number, village in enumerate(villages, start=1):
        for n in range(1, 21):
            plots.append(
                Plot(
                    town=town,
                    village=village,
                    group_id=rng.choice(groups_by_village[village.pk]),
                    code=f"{town.code.upper()}-{number:03d}-{n:02d}",
                    area_mu=Decimal(rng.randint(20, 2000)) / 100,
                    land_class=rng.choice(Plot.LandClass.values),
                    status=rng.choice(Plot.Status.values),
                    polygon=_square(rng) if rng.random() < 0.5 else None,
                )
            )
    bulk_create_with_history(plots, Plot)
    plot_codes: dict[int, list[str]] = {}
    for code, village_id in Plot.objects.filter(town=town).values_list("code", "village_id"):
        plot_codes.setdefault(village_id, []).append(code)
    departments = bulk_create_with_history(
        [
            Department(town=town, name=name)
            for name in ("党政办", "农业农村办", "自然资源所", "综治办", "经济发展办", "社会事务办")
        ],
        Department,
    )
    departments = list(Department.objects.filter(town=town).order_by("id"))

    # People: the town-wide roles, one contact leader per four villages, a secretary and three
    # cadres per village. Every person can sign in (with no usable password: tests force a login).
    plan: list[tuple[str, int | None]] = [
        (Role.PRINCIPAL, None),
        (Role.LEADER, None),
        (Role.LEADER, None),
        (Role.INSPECTOR, None),
        (Role.INSPECTOR, None),
        (Role.DISCIPLINE, None),
    ]
    leaders = max(1, (len(villages) + 3) // 4)
    plan += [(Role.CONTACT_LEADER, None)] * leaders
    for village in villages:
        plan += [(Role.SECRETARY, village.pk)] + [(Role.CADRE, village.pk)] * 3
    users = user_model.objects.bulk_create(
        [
            # "!" is an unusable password: these accounts sign in only once one is set.
            user_model(username=f"{town.code}-{n:05d}", password="!", is_active=True)  # noqa: S106
            for n in range(len(plan))
        ]
    )
    users = list(
        user_model.objects.filter(username__startswith=f"{town.code}-").order_by("username")
    )
    people = [
        Person(
            town=town,
            name=_name(rng),
            user=user,
            department=rng.choice(departments),
            phone=f"138{rng.randint(0, 99999999):08d}",
            is_sample=True,
        )
        for user in users
    ]
    bulk_create_with_history(people, Person)
    people = list(Person.objects.filter(town=town).order_by("id"))
    by_user = {person.user_id: person for person in people}
    assignments: list[RoleAssignment] = []
    contact_leaders: list[Person] = []
    town_people: dict[str, list[Person]] = {}
    village_people: dict[int, list[Person]] = {}
    for (role, role_village_id), user in zip(plan, users, strict=True):
        person = by_user[user.pk]
        if role == Role.CONTACT_LEADER:
            contact_leaders.append(person)
        elif role_village_id is None:
            town_people.setdefault(role, []).append(person)
            assignments.append(
                RoleAssignment(person=person, role=role, town=town, valid_from=start)
            )
        else:
            village_people.setdefault(role_village_id, []).append(person)
            assignments.append(
                RoleAssignment(
                    person=person,
                    role=role,
                    town=town,
                    village_id=role_village_id,
                    valid_from=start,
                )
            )
    casts = []
    for index, village in enumerate(villages):
        leader = contact_leaders[index // 4]
        assignments.append(
            RoleAssignment(
                person=leader,
                role=Role.CONTACT_LEADER,
                town=town,
                village=village,
                valid_from=start,
            )
        )
        members = village_people[village.pk]
        inspector = rng.choice(town_people[Role.INSPECTOR])
        casts.append(
            _VillageCast(
                village_id=village.pk,
                town_index=town_index,
                group_ids=groups_by_village[village.pk],
                plot_codes=plot_codes[village.pk],
                household_ids=households_by_village[village.pk],
                owners=[_ids(p) for p in members],
                contact_leader=_ids(leader),
                inspector=_ids(inspector),
                town_roles={role: _ids(people_[0]) for role, people_ in town_people.items()},
            )
        )
    bulk_create_with_history(assignments, RoleAssignment)
    return casts
