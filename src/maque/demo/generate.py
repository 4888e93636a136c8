"""A synthetic county of any size, for tests and benchmarks (`maque generate`).

Towns, villages with groups, households and plots, people with their roles, the catalogue of each
town, and items in every state — written in batches, fast enough for a million items in a few
minutes on SQLite. The items are what the lifecycle would have produced: each state is reached by
an allowed sequence of actions, every action has its `Transition` row (with realistic times), a
closed item was verified by someone other than its owner and submitter, submitted work has its
evidence, suspensions and extensions have their approved requests, codes are unique per town and
year, and the town's `ItemCounter` is moved past the last code issued.

Items are written with plain multi-row inserts rather than through the lifecycle services (which
would take hours at this size), so they carry no per-field history rows; their `Transition` rows
are the record of what happened. Everything is derived from `seed`: the same arguments give the
same data set.
"""

from __future__ import annotations

import hashlib
import io
import json
import random
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.models import Max
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from maque.ledger.catalogue import catalogue_install
from maque.ledger.models import (
    Attachment,
    Campaign,
    Category,
    FieldType,
    Item,
    ItemCounter,
    ItemRequest,
    ProgressLog,
    State,
    Transition,
)
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

Progress = Callable[[str, int, int], None]

CAMPAIGN = "five-rectifications"
VIA = "generate"  # the channel recorded on generated transitions
# Share of items that end in each state (the rest of the plan decides how they got there).
STATE_WEIGHTS = {
    State.FOUND: 10,
    State.RECTIFYING: 24,
    State.SUBMITTED: 8,
    State.CLOSED: 50,
    State.SUSPENDED: 3,
    State.CANCELLED: 5,
}
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰红梅建国志文斌辉鹏宇浩春林海波琴云飞"
PLACE = "和平新兴安福红星青山石河金银东西南北龙凤双胜改革联合庙坝沟湾桥林茶花柳松竹春秋仁义礼智信"
GROUP_NAMES = "一二三四五六七八九十"
TITLES = {
    "farmland-chief": ("巡田发现耕地堆放杂物", "耕地内违规挖塘", "田长巡查发现撂荒", "耕地非农化种植"),
    "farmland-outflow": ("撂荒地复耕", "耕地流出恢复", "坡耕地撂荒治理", "林地恢复耕地"),
    "greenhouse": ("设施大棚违规住人", "大棚房违规建设", "大棚看护房超标"),
    "collective-contract": ("合同期限超过法定上限", "合同未经民主程序", "租金长期拖欠", "合同要素不全"),
    "grave": ("占用耕地新建坟墓", "坟墓硬化面积超标", "豪华墓整治"),
}
COUNTY_LON, COUNTY_LAT = 108.54, 32.52  # the demo county, for plot polygons


@dataclass
class Summary:
    """What was generated, and how long it took."""

    towns: int = 0
    villages: int = 0
    people: int = 0
    plots: int = 0
    items: int = 0
    transitions: int = 0
    requests: int = 0
    progress_logs: int = 0
    attachments: int = 0
    seconds: float = 0.0
    town_ids: list[int] = field(default_factory=list)


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


def generate_dataset(
    *,
    villages: int,
    items: int,
    seed: int,
    towns: int = 1,
    today: date | None = None,
    batch_size: int = 5000,
    progress: Progress | None = None,
) -> Summary:
    """Generate `towns` towns sharing `villages` villages and `items` items, from `seed`."""
    if towns < 1 or villages < towns or items < 0:
        raise ValueError("need at least one town, at least one village per town and a non-negative item count")
    started = time.monotonic()
    rng = random.Random(seed)
    today = today or timezone.localdate()
    report = progress or (lambda stage, done, total: None)
    summary = Summary()
    casts: list[_VillageCast] = []
    categories: list[tuple[Category, list[Any]]] = []
    town_rows: list[Town] = []
    with transaction.atomic():
        for town_index in range(towns):
            town = _town(town_index, seed)
            town_rows.append(town)
            share = villages // towns + (1 if town_index < villages % towns else 0)
            casts.extend(_organisation(rng, town, town_index, share, seed, today))
            catalogue_install(town=town)
            campaign = Campaign.objects.get(town=town, code=CAMPAIGN)
            town_categories = list(campaign.categories.filter(active=True).prefetch_related("fields"))
            categories.append((campaign, [(c, list(c.fields.all())) for c in town_categories]))
            report("organisation", town_index + 1, towns)
    summary.towns = towns
    summary.town_ids = [t.pk for t in town_rows]
    summary.villages = len(casts)
    summary.people = Person.objects.filter(town__in=town_rows).count()
    summary.plots = Plot.objects.filter(town__in=town_rows).count()
    if connection.vendor == "sqlite":
        # A large page cache for this connection: a dozen indexes on items take random inserts.
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size = -262144")
    writer = _ItemWriter(rng=rng, today=today, towns=town_rows, categories=categories, casts=casts)
    done = 0
    while done < items:
        count = min(batch_size, items - done)
        writer.write_batch(count)
        done += count
        report("items", done, items)
    writer.finish()
    summary.items = items
    summary.transitions = writer.counts["transitions"]
    summary.requests = writer.counts["requests"]
    summary.progress_logs = writer.counts["progress"]
    summary.attachments = writer.counts["attachments"]
    summary.seconds = time.monotonic() - started
    return summary


# --- organisation -------------------------------------------------------------------------------


def _town(index: int, seed: int) -> Town:
    code = f"s{seed}t{index + 1}"[:20]
    if Town.objects.filter(code=code).exists():
        raise ValueError(f"a data set with seed {seed} is already in this database (town code {code})")
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
            Village(town=town, name=name, signature_product=rng.choice(("茶叶", "魔芋", "蚕桑", "中药材", "柑橘", "")),
                    households_count=rng.randint(150, 900), population=rng.randint(500, 3000), is_sample=True)
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
    for group_id, village_id in VillageGroup.objects.filter(village__town=town).values_list("id", "village_id"):
        groups_by_village.setdefault(village_id, []).append(group_id)
    households = [
        Household(village=village, group_id=rng.choice(groups_by_village[village.pk]), head_name=_name(rng),
                  members=rng.randint(1, 7))
        for village in villages
        for _ in range(8)
    ]
    bulk_create_with_history(households, Household)
    households_by_village: dict[int, list[int]] = {}
    for household_id, village_id in Household.objects.filter(village__town=town).values_list("id", "village_id"):
        households_by_village.setdefault(village_id, []).append(household_id)
    plots = []
    for number, village in enumerate(villages, start=1):
        for n in range(1, 21):
            plots.append(
                Plot(
                    town=town, village=village, group_id=rng.choice(groups_by_village[village.pk]),
                    code=f"{town.code.upper()}-{number:03d}-{n:02d}",
                    area_mu=Decimal(rng.randint(20, 2000)) / 100,
                    land_class=rng.choice(Plot.LandClass.values), status=rng.choice(Plot.Status.values),
                    polygon=_square(rng) if rng.random() < 0.5 else None,
                )
            )
    bulk_create_with_history(plots, Plot)
    plot_codes: dict[int, list[str]] = {}
    for code, village_id in Plot.objects.filter(town=town).values_list("code", "village_id"):
        plot_codes.setdefault(village_id, []).append(code)
    departments = bulk_create_with_history(
        [Department(town=town, name=name) for name in ("党政办", "农业农村办", "自然资源所", "综治办", "经济发展办", "社会事务办")],
        Department,
    )
    departments = list(Department.objects.filter(town=town).order_by("id"))

    # People: the town-wide roles, one contact leader per four villages, a secretary and three
    # cadres per village. Every person can sign in (with no usable password: tests force a login).
    plan: list[tuple[str, int | None]] = [(Role.PRINCIPAL, None), (Role.LEADER, None), (Role.LEADER, None),
                                          (Role.INSPECTOR, None), (Role.INSPECTOR, None), (Role.DISCIPLINE, None)]
    leaders = max(1, (len(villages) + 3) // 4)
    plan += [(Role.CONTACT_LEADER, None)] * leaders
    for village in villages:
        plan += [(Role.SECRETARY, village.pk)] + [(Role.CADRE, village.pk)] * 3
    users = user_model.objects.bulk_create(
        [user_model(username=f"{town.code}-{n:05d}", password="!", is_active=True) for n in range(len(plan))]  # noqa: S106 - unusable
    )
    users = list(user_model.objects.filter(username__startswith=f"{town.code}-").order_by("username"))
    people = [
        Person(town=town, name=_name(rng), user=user, department=rng.choice(departments),
               phone=f"138{rng.randint(0, 99999999):08d}", is_sample=True)
        for user in users
    ]
    bulk_create_with_history(people, Person)
    people = list(Person.objects.filter(town=town).order_by("id"))
    by_user = {person.user_id: person for person in people}
    assignments: list[RoleAssignment] = []
    contact_leaders: list[Person] = []
    town_people: dict[str, list[Person]] = {}
    village_people: dict[int, list[Person]] = {}
    for (role, village_id), user in zip(plan, users, strict=True):
        person = by_user[user.pk]
        if role == Role.CONTACT_LEADER:
            contact_leaders.append(person)
        elif village_id is None:
            town_people.setdefault(role, []).append(person)
            assignments.append(RoleAssignment(person=person, role=role, town=town, valid_from=start))
        else:
            village_people.setdefault(village_id, []).append(person)
            assignments.append(RoleAssignment(person=person, role=role, town=town, village_id=village_id, valid_from=start))
    casts = []
    for index, village in enumerate(villages):
        leader = contact_leaders[index // 4]
        assignments.append(RoleAssignment(person=leader, role=Role.CONTACT_LEADER, town=town, village=village, valid_from=start))
        members = village_people[village.pk]
        inspector = rng.choice(town_people[Role.INSPECTOR])
        casts.append(
            _VillageCast(
                village_id=village.pk,
                town_index=town_index,
                group_ids=groups_by_village[village.pk],
                plot_codes=plot_codes[village.pk],
                household_ids=households_by_village[village.pk],
                owners=[(p.pk, p.user_id) for p in members],
                contact_leader=(leader.pk, leader.user_id),
                inspector=(inspector.pk, inspector.user_id),
                town_roles={role: (people_[0].pk, people_[0].user_id) for role, people_ in town_people.items()},
            )
        )
    bulk_create_with_history(assignments, RoleAssignment)
    return casts


# --- items --------------------------------------------------------------------------------------


def _plan(rng: random.Random, state: str) -> list[str]:
    """A sequence of lifecycle actions (after `create`) that ends in `state`."""
    submit_cycle = ["submit", "return"]
    if state == State.FOUND:
        return rng.choice([[], [], [], ["extend", "approve_extension"]])
    if state == State.RECTIFYING:
        roll = rng.random()
        if roll < 0.6:
            path = ["start"]
        elif roll < 0.8:
            path = ["start", *submit_cycle]
        elif roll < 0.9:
            path = ["start", *submit_cycle, *submit_cycle]
        else:
            path = ["start", "submit", "verify", "reopen"]
        return path + (["extend", "approve_extension"] if rng.random() < 0.1 else [])
    if state == State.SUBMITTED:
        return ["start"] + (submit_cycle if rng.random() < 0.15 else []) + ["submit"]
    if state == State.CLOSED:
        return ["start"] + (submit_cycle if rng.random() < 0.12 else []) + ["submit", "verify"]
    if state == State.SUSPENDED:
        return (["start"] if rng.random() < 0.7 else []) + ["suspend", "approve_suspension"]
    if state == State.CANCELLED:
        return (["start"] if rng.random() < 0.3 else []) + ["cancel"]
    raise ValueError(state)


# Where each action leads (None: the state does not change).
_TARGET = {
    "start": State.RECTIFYING, "submit": State.SUBMITTED, "verify": State.CLOSED, "return": State.RECTIFYING,
    "reopen": State.RECTIFYING, "cancel": State.CANCELLED, "approve_suspension": State.SUSPENDED,
    "suspend": None, "extend": None, "approve_extension": None,
}
_BY_OWNER = {"create", "start", "submit", "suspend", "extend"}
_BY_INSPECTOR = {"reopen"}
_NOTES = {
    "verify": "现场核查整改到位，同意销号", "return": "整改不到位：现场仍有问题，需补充整改",
    "reopen": "回头看发现反弹，重新整改", "cancel": "重复登记，予以撤销", "suspend": "需待农时复耕，申请挂起",
    "approve_suspension": "同意挂起", "extend": "受天气影响，申请延期", "approve_extension": "同意延期",
}


class _ItemWriter:
    """Builds items and their records row by row and inserts them in batches."""

    def __init__(self, *, rng: random.Random, today: date, towns: list[Town], categories: list[Any], casts: list[_VillageCast]):
        self.rng = rng
        self.today = today
        # Naive UTC "now" (second precision) and the local day boundary, as the database stores them.
        self.now = timezone.now().astimezone(UTC).replace(tzinfo=None, microsecond=0)
        self.towns = towns
        self.categories = categories
        self.casts = casts
        self.sqlite = connection.vendor == "sqlite"
        self.counts = {"transitions": 0, "requests": 0, "progress": 0, "attachments": 0}
        self.next_item_id = (Item.objects.aggregate(m=Max("id"))["m"] or 0) + 1
        self.next_progress_id = (ProgressLog.objects.aggregate(m=Max("id"))["m"] or 0) + 1
        self.sequences: dict[tuple[int, int], int] = {}
        for counter in ItemCounter.objects.filter(town__in=towns):
            self.sequences[(counter.town_id, counter.year)] = counter.last
        self.states = list(STATE_WEIGHTS)
        self.weights = list(STATE_WEIGHTS.values())
        self.evidence = {town.pk: self._evidence_file(town) for town in towns}

    # Values in the form the database driver takes them.
    def _dt(self, value: datetime) -> Any:
        return str(value) if self.sqlite else value.replace(tzinfo=UTC)

    def _json(self, value: Any) -> str:
        return json.dumps(value, ensure_ascii=False)

    def _evidence_file(self, town: Town) -> tuple[str, int, str]:
        """One real JPEG per town, stored where the evidence of that town goes (by content hash)."""
        from PIL import Image

        buffer = io.BytesIO()
        Image.new("RGB", (64, 48), (70, 130, 60)).save(buffer, "JPEG")
        content = buffer.getvalue()
        sha = hashlib.sha256(content).hexdigest()
        name = f"evidence/{town.pk}/{sha[:2]}/{sha}.jpg"
        if not default_storage.exists(name):
            name = default_storage.save(name, ContentFile(content))
        return name, len(content), sha

    def _found_on(self, state: str) -> date:
        # Closed and cancelled work spreads over two years; open work is mostly recent.
        if state in (State.CLOSED, State.CANCELLED):
            back = self.rng.randint(20, 730)
        elif state == State.SUSPENDED:
            back = self.rng.randint(10, 240)
        else:
            back = int(self.rng.triangular(0, 150, 20))
        return self.today - timedelta(days=back)

    def _attributes(self, fields: Sequence[Any], cast: _VillageCast, found_on: date) -> dict[str, Any]:
        rng = self.rng
        values: dict[str, Any] = {}
        for f in fields:
            if not f.required and rng.random() < 0.5:
                continue
            match f.type:
                case FieldType.PLOT:
                    values[f.name] = rng.choice(cast.plot_codes)
                case FieldType.HOUSEHOLD:
                    values[f.name] = rng.choice(cast.household_ids)
                case FieldType.CHOICE:
                    values[f.name] = rng.choice(f.choices)
                case FieldType.DATE:
                    values[f.name] = (found_on - timedelta(days=rng.randint(0, 5))).isoformat()
                case FieldType.NUMBER:
                    values[f.name] = rng.randint(1, 30)
                case FieldType.DECIMAL:
                    minimum = f.min_value or Decimal(0)
                    values[f.name] = str(max(minimum, Decimal(rng.randint(1, 100000)) / 100))
                case _:
                    values[f.name] = f"{f.label}{rng.randint(1, 999):03d}"
        return values

    def _verifier(self, category: Category, cast: _VillageCast) -> tuple[int, int]:
        """Someone the category lets verify: the contact leader where allowed, else a town role."""
        roles = category.verifier_roles or []
        if Role.CONTACT_LEADER in roles and self.rng.random() < 0.7:
            return cast.contact_leader
        if Role.INSPECTOR in roles:
            return cast.inspector
        for role in roles:
            if role in cast.town_roles:
                return cast.town_roles[role]
        return cast.contact_leader

    def write_batch(self, count: int) -> None:
        items: list[tuple[Any, ...]] = []
        transitions: list[tuple[Any, ...]] = []
        requests: list[tuple[Any, ...]] = []
        logs: list[tuple[Any, ...]] = []
        attachments: list[tuple[Any, ...]] = []
        rng = self.rng
        for _ in range(count):
            cast = rng.choice(self.casts)
            town = self.towns[cast.town_index]
            campaign, categories = self.categories[cast.town_index]
            category, fields = rng.choice(categories)
            state = rng.choices(self.states, self.weights)[0]
            path = _plan(rng, state)
            found_on = self._found_on(state)
            deadline = found_on + timedelta(days=category.default_deadline_days)
            original_deadline = deadline
            owner, owner_user = rng.choice(cast.owners)
            item_id = self.next_item_id
            self.next_item_id += 1
            key = (town.pk, found_on.year)
            self.sequences[key] = self.sequences.get(key, 0) + 1
            code = f"{town.code.upper()}-{found_on.year}-{self.sequences[key]:05d}"
            # Registered in office hours (Beijing time, stored as UTC).
            moment = datetime.combine(found_on, datetime.min.time()) + timedelta(seconds=rng.randint(0, 9 * 3600))
            moment = min(moment, self.now)
            created_at = moment
            current = State.FOUND
            fields_ = {"returned": 0, "reopened": 0, "extensions": 0, "submitted_by": None, "submitted_at": None,
                       "verified_by": None, "closed_at": None, "suspended_on": None, "suspended_until": None}
            transitions.append((item_id, "create", State.FOUND, State.FOUND, owner, owner_user, "", VIA, self._dt(moment)))
            started_at: datetime | None = None
            after_start: datetime | None = None  # the first action after `start`: reports come before it
            for action in path:
                moment = min(moment + timedelta(seconds=rng.randint(3600, 6 * 86400)), self.now)
                if action in _BY_OWNER:
                    actor, actor_user = owner, owner_user
                elif action in _BY_INSPECTOR:
                    actor, actor_user = cast.inspector
                elif action in ("verify", "return"):
                    actor, actor_user = self._verifier(category, cast)
                else:
                    actor, actor_user = cast.contact_leader
                from_state = current
                target = _TARGET[action]
                if started_at is not None and after_start is None:
                    after_start = moment
                if action == "start":
                    started_at = moment
                elif action == "submit":
                    # Fresh evidence, uploaded just before submitting.
                    name, size, sha = self.evidence[town.pk]
                    attachments.append((item_id, None, name, "现场照片.jpg", ".jpg", "image/jpeg", "photo", size, sha,
                                        owner, self._dt(moment - timedelta(seconds=60))))
                    fields_["submitted_by"], fields_["submitted_at"] = owner, moment
                elif action == "verify":
                    fields_["verified_by"], fields_["closed_at"] = actor, moment
                elif action == "return":
                    fields_["returned"] += 1
                elif action == "reopen":
                    fields_["reopened"] += 1
                    fields_["verified_by"], fields_["closed_at"] = None, None
                elif action == "suspend":
                    resume_on = self.today + timedelta(days=rng.randint(10, 120))
                    requests.append((item_id, ItemRequest.Type.SUSPENSION, ItemRequest.Status.APPROVED, owner,
                                     _NOTES["suspend"], None, resume_on, cast.contact_leader[0], _NOTES["approve_suspension"],
                                     self._dt(moment), None))
                elif action == "approve_suspension":
                    fields_["suspended_on"] = moment.date()
                    fields_["suspended_until"] = requests[-1][6]
                    requests[-1] = (*requests[-1][:10], self._dt(moment))
                elif action == "extend":
                    new_deadline = deadline + timedelta(days=rng.randint(10, 30))
                    requests.append((item_id, ItemRequest.Type.EXTENSION, ItemRequest.Status.APPROVED, owner,
                                     _NOTES["extend"], new_deadline, None, cast.contact_leader[0], _NOTES["approve_extension"],
                                     self._dt(moment), None))
                elif action == "approve_extension":
                    deadline = requests[-1][5]
                    fields_["extensions"] += 1
                    requests[-1] = (*requests[-1][:10], self._dt(moment))
                if target is not None:
                    current = target
                transitions.append((item_id, action, from_state, current, actor, actor_user, _NOTES.get(action, ""),
                                    VIA, self._dt(moment)))
            assert current == state, (path, current, state)
            last_progress_at = None
            percent = 0
            if started_at is not None and rng.random() < 0.6:
                until = after_start or self.now
                logged = started_at + (until - started_at) * rng.uniform(0.2, 0.9)
                logged = logged.replace(microsecond=0)
                percent = rng.choice((20, 30, 50, 60, 80, 90))
                logs.append((self.next_progress_id, item_id, owner, "已组织人员开展整改，进展顺利", percent, self._dt(logged)))
                self.next_progress_id += 1
                last_progress_at = logged
            if state == State.CLOSED:
                percent = 100
            attributes = self._attributes(fields, cast, found_on)
            subject = str(attributes.get("plot") or attributes.get("contract_no") or attributes.get("location") or "")
            items.append((
                item_id, town.pk, code, found_on.year, "rectification", campaign.pk, category.pk, cast.village_id,
                rng.choice(cast.group_ids), None, None, subject[:100], rng.choice(TITLES.get(category.code, ("整改事项",))),
                "摸排发现的问题，需按标准整改", "制定整改方案，限期整改到位", "", category.standard, owner,
                found_on, deadline, original_deadline, state, self._json(attributes),
                fields_["returned"], fields_["reopened"], fields_["extensions"], "survey",
                fields_["suspended_until"], fields_["suspended_on"], fields_["submitted_by"],
                self._dt(fields_["submitted_at"]) if fields_["submitted_at"] else None,
                fields_["verified_by"], self._dt(fields_["closed_at"]) if fields_["closed_at"] else None,
                self._dt(last_progress_at) if last_progress_at else None, percent, 1 + len(path), owner_user,
                self._dt(created_at), self._dt(max(moment, last_progress_at or moment)),
            ))
        with transaction.atomic():
            _insert(Item, _ITEM_COLUMNS, items)
            _insert(Transition, ("item_id", "action", "from_state", "to_state", "actor_id", "actor_user_id", "reason", "via", "created_at"), transitions)
            _insert(ItemRequest, ("item_id", "type", "status", "requested_by_id", "reason", "new_deadline", "resume_on",
                                  "decided_by_id", "decision_note", "created_at", "decided_at"), requests)
            _insert(ProgressLog, ("id", "item_id", "author_id", "text", "percent", "created_at"), logs)
            _insert(Attachment, ("item_id", "progress_id", "file", "original_name", "extension", "content_type", "kind",
                                 "size", "sha256", "uploaded_by_id", "uploaded_at"), attachments)
        self.counts["transitions"] += len(transitions)
        self.counts["requests"] += len(requests)
        self.counts["progress"] += len(logs)
        self.counts["attachments"] += len(attachments)

    def finish(self) -> None:
        """Move the code counters past the last code issued; realign id sequences (PostgreSQL)."""
        with transaction.atomic():
            for (town_id, year), last in self.sequences.items():
                ItemCounter.objects.update_or_create(town_id=town_id, year=year, defaults={"last": last})
            statements = connection.ops.sequence_reset_sql(no_style(), [Item, ProgressLog])
            if statements:
                with connection.cursor() as cursor:
                    for statement in statements:
                        cursor.execute(statement)


_ITEM_COLUMNS = (
    "id", "town_id", "code", "year", "kind", "campaign_id", "category_id", "village_id", "group_id", "plot_id",
    "household_id", "subject", "title", "description", "measures", "scope", "standard", "owner_id", "found_on",
    "deadline", "original_deadline", "state", "attributes", "returned_count", "reopened_count", "extension_count",
    "source", "suspended_until", "suspended_on", "submitted_by_id", "submitted_at", "verified_by_id", "closed_at",
    "last_progress_at", "progress_percent", "version", "created_by_id", "created_at", "updated_at",
)


def _insert(model: type[models.Model], attnames: Iterable[str], rows: list[tuple[Any, ...]]) -> None:
    """Multi-row INSERT of plain values into the model's table (columns named by attribute)."""
    if not rows:
        return
    meta = model._meta
    by_attname = {f.attname: f.column for f in meta.concrete_fields}
    columns = [by_attname[name] for name in attnames]
    quote = connection.ops.quote_name
    # Only identifiers from the model's own metadata are interpolated; values are parameters.
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608
        quote(meta.db_table), ", ".join(quote(c) for c in columns), ", ".join(["%s"] * len(columns))
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)
