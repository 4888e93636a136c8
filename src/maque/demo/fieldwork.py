"""The demo's work in the field, replayed on its days through the real services:

- household visits (入户走访) by 改革村's and 双胜村's cadres over the last three months, with
  photos and the policies explained (耕地保护, 产业奖补 …), two of which register a problem;
- a 小喇叭 broadcast on 耕地保护 (a publicity record without a household);
- 双胜村's legacy problems (遗留问题) sorted by 轻重缓急, with their coordination logs (沟通协调),
  one of them overdue for its next round of contact;
- petitions (信访) in every state of their lifecycle — one overdue for its acceptance decision,
  one extended, one replied and rated, one with a review requested — and their notices.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import date, timedelta

from django.contrib.auth.models import User

from maque.demo.cast import Cast
from maque.demo.clock import at, replay_at
from maque.demo.images import evidence_photo
from maque.fieldwork.catalogue import policies_of
from maque.fieldwork.models import FieldVisit, Policy
from maque.fieldwork.services import publicity_record, visit_log, visit_register_item
from maque.ledger import lifecycle as items
from maque.ledger.models import Campaign, Category, Kind
from maque.ledger.services import coordination_add
from maque.organisation.models import Household, Village
from maque.petitions import lifecycle as petitions
from maque.petitions.models import Petition
from maque.petitions.services import petition_register

POSITIONS = {"gaige": (108.54, 32.52), "shuangsheng": (108.57, 32.49)}


@dataclass(frozen=True)
class VisitSample:
    village: str
    visitor: str  # a key of the cast's people
    days_ago: int
    purpose: str
    households: int  # how many of the village's households, taken in turn
    policies: tuple[str, ...]
    notes: str
    photos: int = 1


VISITS = (
    VisitSample(
        "gaige",
        "cadre_gaige",
        84,
        "publicity",
        2,
        ("farmland-protection",),
        "逐户讲解耕地保护政策，两户表示今年把撂荒的坡地种上玉米。",
    ),
    VisitSample(
        "gaige",
        "cadre_gaige",
        70,
        "survey",
        1,
        (),
        "摸排房前屋后人居环境，柴草杂物堆放在院坝边。",
    ),
    VisitSample(
        "gaige",
        "cadre_gaige2",
        55,
        "publicity",
        3,
        ("industry-subsidy", "medical-insurance"),
        "宣传茶叶产业奖补和医保缴费，三户登记了茶园扩种意向。",
    ),
    VisitSample(
        "gaige",
        "secretary_gaige",
        41,
        "mediation",
        2,
        (),
        "调解两户之间的排水沟纠纷，约定由村里出工修通。",
    ),
    VisitSample(
        "gaige",
        "cadre_gaige",
        20,
        "publicity",
        2,
        ("flood-safety", "housing-safety"),
        "汛前走访，提醒山边住户注意房后裂缝，留下村干部电话。",
    ),
    VisitSample(
        "gaige",
        "cadre_gaige",
        6,
        "follow_up",
        1,
        ("farmland-protection",),
        "回访复耕情况，坡地已种上玉米，长势良好。",
    ),
    VisitSample(
        "shuangsheng",
        "secretary_shuangsheng",
        88,
        "publicity",
        2,
        ("farmland-protection",),
        "讲解耕地保护政策，说明占用耕地建房必须先审批。",
    ),
    VisitSample(
        "shuangsheng",
        "secretary_shuangsheng",
        62,
        "petition_follow_up",
        1,
        (),
        "回访宅基地纠纷信访户，对处理意见基本认可。",
    ),
    VisitSample(
        "shuangsheng",
        "cadre_shuangsheng",
        33,
        "survey",
        2,
        ("housing-safety",),
        "摸排改厕情况，一户仍使用旱厕，化粪池未建。",
    ),
    VisitSample(
        "shuangsheng",
        "cadre_shuangsheng",
        18,
        "publicity",
        3,
        ("industry-subsidy",),
        "宣传魔芋种植奖补，讲清报名、验收和资金发放流程。",
    ),
    VisitSample(
        "shuangsheng",
        "cadre_shuangsheng",
        4,
        "publicity",
        2,
        ("farmland-protection", "flood-safety"),
        "走访河边住户，讲解耕地保护和防汛避险。",
    ),
)
# Visits (by index in VISITS) that register a problem: title, description, task of 人居环境整治,
# measures.
PROBLEMS = {
    1: (
        "院坝边柴草杂物乱堆放",
        "房前屋后柴草、废旧农具堆放，影响通行和环境。",
        "三清",
        "动员农户清理院坝杂物，柴草集中堆放到屋后棚内。",
    ),
    8: (
        "农户旱厕未改造",
        "仍使用旱厕，化粪池未建，需纳入改厕计划。",
        "四改",
        "纳入今年改厕计划，建三格式化粪池并改水冲厕所。",
    ),
}


def _policies(town_policies: dict[str, Policy], codes: tuple[str, ...]) -> list[Policy]:
    return [town_policies[code] for code in codes if code in town_policies]


def _visits(cast: Cast, *, today: date) -> list[FieldVisit]:
    town_policies = {policy.code: policy for policy in policies_of(cast.town)}
    turn: dict[str, int] = {}
    visits: list[FieldVisit] = []
    for index, sample in enumerate(VISITS):
        stock = cast.stock[sample.village]
        start = turn.get(sample.village, 0)
        homes = [
            stock.households[(start + n) % len(stock.households)] for n in range(sample.households)
        ]
        turn[sample.village] = start + sample.households
        moment = at(today - timedelta(days=sample.days_ago), 10 + index % 6, 15)
        lon, lat = POSITIONS[sample.village]
        photos = [
            evidence_photo(
                seed=f"visit-{index}-{n}",
                category="environment",
                caption=f"{stock.village.name}入户走访",
                code=f"{stock.abbr}-ZF",
                taken_at=moment,
                position=(lon, lat),
                after=index not in PROBLEMS,
            )
            for n in range(sample.photos)
        ]
        with replay_at(moment):
            visits.append(
                visit_log(
                    by=cast.users[sample.visitor],
                    village=stock.village,
                    purpose=sample.purpose,
                    households=homes,
                    policies=_policies(town_policies, sample.policies),
                    notes=sample.notes,
                    visited_at=moment,
                    latitude=lat + 0.001 * (index % 5),
                    longitude=lon + 0.001 * (index % 3),
                    photos=photos,
                    via="web",
                )
            )
    campaign = Campaign.objects.get(town=cast.town, code="harmonious-village")
    category = Category.objects.get(campaign=campaign, code="living-environment")
    for index, (title, description, task, measures) in PROBLEMS.items():
        visit = visits[index]
        sample = VISITS[index]
        with replay_at(visit.visited_at + timedelta(minutes=20)):
            item = visit_register_item(
                visit=visit,
                by=cast.users[sample.visitor],
                title=title,
                campaign=campaign,
                category=category,
                household=visit.households.order_by("pk").first(),
                description=description,
                attributes={"task": task},
            )
            items.item_update(
                item=item, by=cast.users[sample.visitor], changes={"measures": measures}, via="web"
            )
    return visits


def _broadcast(cast: Cast, *, today: date) -> None:
    farmland = policies_of(cast.town).get(code="farmland-protection")
    day = today - timedelta(days=12)
    with replay_at(at(day, 7, 30)):
        publicity_record(
            by=cast.users["secretary_gaige"],
            village=cast.villages["gaige"],
            policy=farmland,
            on=day,
            method="loudspeaker",
            reach=420,
            notes="早饭前用村村通小喇叭播放耕地保护政策，连播三天。",
        )


@dataclass(frozen=True)
class LegacySample:
    title: str
    description: str
    importance: str
    urgency: str
    found_days_ago: int
    # (days ago, with whom, what was said, next step)
    contacts: tuple[tuple[int, str, str, str], ...]


LEGACY = (
    LegacySample(
        "老村委会旧址土地权属争议",
        "老村委会旧址土地一组、二组各执一词，历史上无确权资料，影响集体资产盘活。",
        "major",
        "urgent",
        120,
        (
            (95, "一组、二组组长", "各组说明历史情况，均同意以九十年代分地台账为准。", "调阅档案"),
            (26, "镇自然资源所", "档案显示旧址属村集体，拟出具确权意见。", "召开组民代表会通报"),
        ),
    ),
    LegacySample(
        "2016年水毁河堤未修复",
        "双胜河三组段河堤2016年水毁，至今未修复，汛期威胁沿河耕地。",
        "major",
        "slack",
        150,
        (
            (130, "县水利局", "已纳入县级水毁修复项目库，资金未到位。", "跟进项目批复"),
            (21, "县水利局", "项目批复推迟到明年，先做临时防护。", "组织群众清淤加固"),
        ),
    ),
    LegacySample(
        "村道占用农户承包地未补偿",
        "2018年拓宽村道占用四组两户承包地约0.6亩，补偿款一直未落实。",
        "minor",
        "urgent",
        90,
        ((12, "四组农户", "说明补偿标准和资金来源，农户同意分两期支付。", "村委会研究支付方案"),),
    ),
    LegacySample(
        "原村小学闲置校舍处置",
        "村小学撤并后校舍闲置多年，群众希望改作老年活动室。",
        "minor",
        "slack",
        200,
        ((70, "镇中心学校", "校舍产权移交手续尚未办结。", "待产权移交后征求群众意见"),),
    ),
)


def _legacy(cast: Cast, *, today: date) -> None:
    """双胜村's legacy matters, without a deadline (一时解决不了), kept up by coordination logs;
    the last one has gone longer than the town's contact days without a round."""
    village = cast.villages["shuangsheng"]
    campaign = Campaign.objects.get(town=cast.town, code="harmonious-village")
    secretary = cast.users["secretary_shuangsheng"]
    for sample in LEGACY:
        found = today - timedelta(days=sample.found_days_ago)
        with replay_at(at(found, 10)):
            item = items.item_create(
                by=secretary,
                campaign=campaign,
                village=village,
                title=sample.title,
                description=sample.description,
                kind=Kind.LEGACY,
                source="survey",
                found_on=found,
                owner=cast.people["secretary_shuangsheng"],
                importance=sample.importance,
                urgency=sample.urgency,
                via="web",
            )
        for days_ago, with_whom, said, next_step in sample.contacts:
            day = today - timedelta(days=days_ago)
            with replay_at(at(day, 15)):
                coordination_add(
                    item=item,
                    by=secretary,
                    with_whom=with_whom,
                    said=said,
                    next_step=next_step,
                    on=day,
                )


def _register(
    cast: Cast,
    *,
    received: date,
    village: Village,
    owner: str,
    name: str,
    phone: str,
    matter: str,
    channel: str = "visit",
    household: Household | None = None,
    stability: bool = False,
) -> Petition:
    with replay_at(at(received, 9, 30)):
        return petition_register(
            by=cast.users["leader_petitions"],
            town=cast.town,
            channel=channel,
            received_on=received,
            petitioner_name=name,
            petitioner_phone=phone,
            matter=matter,
            village=village,
            household=household,
            owner=cast.people[owner],
            stability=stability,
            via="web",
        )


def _step(day: date, hour: int = 10) -> AbstractContextManager[None]:
    return replay_at(at(day, hour))


def _petitions(cast: Cast, *, today: date) -> None:
    # The leader in charge of petitions and stability (信访维稳) handles them.
    handler: User = cast.users["leader_petitions"]
    gaige, shuangsheng = cast.villages["gaige"], cast.villages["shuangsheng"]

    def day(ago: int) -> date:
        return today - timedelta(days=ago)

    # Registered three days ago: acceptance to decide.
    _register(
        cast,
        received=day(3),
        village=gaige,
        owner="cadre_gaige",
        name="陈桂兰",
        phone="13909151234",
        channel="hotline",
        matter="反映二组自来水管道冬季冻裂，十余户停水。",
    )
    # Registered eighteen days ago and not yet decided: overdue for acceptance (15 calendar days).
    _register(
        cast,
        received=day(18),
        village=shuangsheng,
        owner="cadre_shuangsheng",
        name="刘永福",
        phone="13609152345",
        channel="letter",
        matter="来信反映三组砂石厂夜间作业噪音扰民。",
    )
    # Not accepted: the matter is before the court.
    rejected = _register(
        cast,
        received=day(40),
        village=gaige,
        owner="cadre_gaige",
        name="张明强",
        phone="13509153456",
        matter="要求镇政府裁决与邻居的房屋买卖合同纠纷。",
    )
    with _step(day(36)):
        petitions.petition_reject(
            petition=rejected,
            by=handler,
            on=day(36),
            via="web",
            reason="该事项已由人民法院立案受理，属于应当通过诉讼途径解决的事项。",
        )
    # Accepted, being handled.
    handling = _register(
        cast,
        received=day(25),
        village=shuangsheng,
        owner="cadre_shuangsheng",
        name="王秀英",
        phone="13709154567",
        channel="online",
        matter="反映2023年产业奖补资金至今未发放到户。",
    )
    with _step(day(22)):
        petitions.petition_accept(petition=handling, by=handler, on=day(22), via="web")
    # Accepted, then extended with approval (the investigation needs a survey).
    extended = _register(
        cast,
        received=day(75),
        village=shuangsheng,
        owner="cadre_shuangsheng",
        name="李德贵",
        phone="13809155678",
        stability=True,
        matter="多户联名反映河道采砂致耕地塌陷，要求赔偿并停止采砂。",
    )
    with _step(day(72)):
        extended = petitions.petition_accept(petition=extended, by=handler, on=day(72), via="web")
    with _step(day(20)):
        petitions.petition_extend(
            petition=extended,
            by=handler,
            on=day(20),
            days=30,
            via="web",
            reason="涉及耕地塌陷面积测量和责任认定，需委托第三方勘测",
        )
    # Replied and rated.
    replied = _register(
        cast,
        received=day(60),
        village=gaige,
        owner="cadre_gaige",
        name="赵淑芬",
        phone="13309156789",
        channel="leader",
        matter="领导接访时反映村道路灯损坏多月无人维修。",
    )
    with _step(day(57)):
        replied = petitions.petition_accept(petition=replied, by=handler, on=day(57), via="web")
    with _step(day(30)):
        replied = petitions.petition_reply(
            petition=replied,
            by=cast.users["cadre_gaige"],
            on=day(30),
            via="web",
            reply="经核实，村道路灯12盏损坏，已由村委会更换并纳入日常维护。",
        )
    with _step(day(27)):
        petitions.petition_satisfaction(
            petition=replied,
            by=cast.users["cadre_gaige"],
            on=day(27),
            via="web",
            satisfaction="satisfied",
            note="电话回访，群众满意。",
        )
    # Replied, rated dissatisfied, and a review requested within 30 days of the reply.
    review = _register(
        cast,
        received=day(95),
        village=shuangsheng,
        owner="cadre_shuangsheng",
        name="周长林",
        phone="13209157890",
        matter="反映宅基地审批被拒，认为与邻户标准不一致。",
    )
    with _step(day(90)):
        review = petitions.petition_accept(petition=review, by=handler, on=day(90), via="web")
    with _step(day(35)):
        review = petitions.petition_reply(
            petition=review,
            by=handler,
            on=day(35),
            via="web",
            reply="经复核，申请地块位于永久基本农田范围内，依法不予审批；邻户宅基地在规划村庄建设用地内。",
        )
    with _step(day(33)):
        review = petitions.petition_satisfaction(
            petition=review,
            by=handler,
            on=day(33),
            via="web",
            satisfaction="dissatisfied",
        )
    with _step(day(14)):
        petitions.petition_request_review(
            petition=review,
            by=handler,
            on=day(14),
            via="web",
            note="信访人向县信访局提出复查申请。",
        )


def replay_field_work(cast: Cast, *, today: date) -> None:
    _visits(cast, today=today)
    _broadcast(cast, today=today)
    _legacy(cast, today=today)
    _petitions(cast, today=today)
