"""The demo's 解剖麻雀: the projects (改革村 荷塘园区建设 a little behind plan; 双胜村 晒场 and 步道
under 和美乡村建设), the village snapshots, the watch list the rules propose from them — one
entry selected and dissected in a solving meeting, one dismissed with its reason, and one that
left the list after two normal weeks — and the goals of 改革村 and 双胜村. Written through the real services, replayed at their days.

The snapshots of the last eight weeks are each day's as the ledger stood that evening, read from
its records (`maque.diagnosis.past`): the demo's trend is the replay's own, and the rules read the
same days a live town's ticks would have written.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.db.models import QuerySet
from django.utils import timezone

from maque.deliberation.models import Topic, TopicState
from maque.demo.cast import Cast
from maque.demo.clock import at, replay_at
from maque.demo.data import TOWN_CENTRE
from maque.demo.images import evidence_photo
from maque.diagnosis.dissection import CauseIn, DissectionIn, MeasureIn, ResourceIn, entry_dissect
from maque.diagnosis.goals import goal_create
from maque.diagnosis.models import EntryState, Horizon, WatchEntry
from maque.diagnosis.past import past_snapshots_write
from maque.diagnosis.rules import Thresholds
from maque.diagnosis.services import (
    entries_propose,
    entry_act,
    entry_propose,
    exits_propose,
    findings_on,
)
from maque.diagnosis.snapshots import snapshots_write
from maque.diagnosis.sources import SOURCES
from maque.ledger import lifecycle
from maque.ledger.models import OPEN_STATES, Campaign, Item, Kind, State
from maque.ledger.services import attachment_add, progress_add
from maque.meetings.models import MeetingKind
from maque.meetings.services import meeting_create
from maque.organisation.models import Department
from maque.projects.models import Project
from maque.projects.queries import rule_rows
from maque.projects.services import FundingIn, MilestoneIn, project_create
from maque.rhythm.models import rhythm_settings

# The contact leader of each village (联村领导), as the cast assigns them.
CONTACT_LEADERS = {
    "gaige": "contact_gaige",
    "shuangsheng": "contact_shuangsheng",
    "jinzhu": "contact_jinzhu",
    "taoyuan": "contact_jinzhu",
}
MEASURES = "按计划节点组织施工，留存施工和验收影像资料，完工后申请验收。"
# Days of past snapshots: the diagnosis page's eight weeks of trend.
TREND_DAYS = 56
# Where the entry that left the list is looked for, in order: a village the rules find normal.
QUIET_VILLAGES = ("fenglin", "taoyuan", "jinzhu", "qinglong", "shimen")


def sparrow_story(cast: Cast, *, today: date) -> None:
    _projects(cast, today)
    _watch_list(cast, today)
    _goals(cast, today)


def _codes(items: QuerySet[Item], n: int) -> list[str]:
    return list(items.order_by("deadline", "pk").values_list("code", flat=True)[:n])


def _goals(cast: Cast, today: date) -> None:
    """The village goals of 改革村 and 双胜村 ("近期抓环境、长期抓产业、常态保稳定"), set by their party
    secretaries and linked to the items, projects and topics that serve them."""
    for key, project_code in (("gaige", "hetang-park"), ("shuangsheng", "shuangsheng-harmonious")):
        village = cast.villages[key]
        items = Item.objects.filter(village=village).exclude(state=State.CANCELLED)
        by = cast.users[f"secretary_{key}"]
        with replay_at(at(today - timedelta(days=3), 9)):
            goal_create(
                by=by,
                village=village,
                horizon=Horizon.NEAR,
                title="人居环境整治见效" if key == "gaige" else "三清四改五化全村达标",
                description="垃圾、杂物、残垣断壁清理到位，改厕改圈按户销号，村容村貌明显改观。",
                items=_codes(items.filter(category__code="living-environment"), 8)
                # Where the village has no such items yet, its open rectifications serve it.
                or _codes(items.filter(state__in=OPEN_STATES, kind=Kind.RECTIFICATION), 8),
                projects=[project_code] if key == "shuangsheng" else [],
                via="demo",
            )
            goal_create(
                by=by,
                village=village,
                horizon=Horizon.LONG,
                title="荷塘园区带动莲藕产业" if key == "gaige" else "晒场步道服务特色种植",
                description="以项目建设带动产业发展，集体经济和群众收入稳步增长。",
                projects=[project_code],
                via="demo",
            )
            goal_create(
                by=by,
                village=village,
                horizon=Horizon.STANDING,
                title="矛盾纠纷不出村、信访事项按期办结",
                description="群众诉求件件有回音，遗留问题逐件化解。",
                items=_codes(items.filter(kind=Kind.LEGACY), 6)
                or _codes(items.filter(state__in=OPEN_STATES), 6),
                topics=list(
                    Topic.objects.filter(village=village)
                    .exclude(state__in=(TopicState.SPAM, TopicState.MERGED))
                    .order_by("pk")
                    .values_list("code", flat=True)[:6]
                ),
                via="demo",
            )


def _close(cast: Cast, item: Item, *, owner: str, verifier: str, day: date) -> None:
    """Start, photograph, submit and verify a milestone on `day`."""
    with replay_at(at(day, 10)):
        user = cast.users[owner]
        item = lifecycle.item_start(item=item, by=user, via="demo")
        photo = evidence_photo(
            seed=f"{item.code}-milestone",
            category="project",
            caption=f"{item.title} 完工",
            code=item.code,
            taken_at=timezone.localtime(timezone.now()),
            position=TOWN_CENTRE,
        )
        attachment_add(item=item, by=user, upload=photo)
        item = lifecycle.item_submit(item=item, by=user, via="demo")
    with replay_at(at(day, 16)):
        lifecycle.item_verify(item=item, by=cast.users[verifier], note="现场验收合格。", via="demo")


def _report(cast: Cast, item: Item, *, owner: str, day: date, percent: int, text: str) -> None:
    with replay_at(at(day, 11)):
        user = cast.users[owner]
        if item.state == "found":
            item = lifecycle.item_start(item=item, by=user, via="demo")
        progress_add(item=item, by=user, text=text, percent=percent)


def _milestones(project: Project) -> dict[str, Item]:
    return {m.item.title: m.item for m in project.milestones.select_related("item")}


def _projects(cast: Cast, today: date) -> None:
    town = cast.town
    key_projects = Campaign.objects.get(town=town, code="key-projects")
    harmonious = Campaign.objects.get(town=town, code="harmonious-village")
    start = today - timedelta(days=60)
    cadre = cast.people["cadre_gaige"]
    with replay_at(at(start, 9)):
        hetang = project_create(
            by=cast.users["principal"],
            town=town,
            code="hetang-park",
            name="荷塘园区建设",
            campaign=key_projects,
            villages=[cast.villages["gaige"]],
            owner=cast.people["contact_gaige"],
            lead_department=Department.objects.get(town=town, name="经济发展办公室"),
            budget_yuan=Decimal("1800000"),
            funding=[
                FundingIn("衔接推进乡村振兴补助资金", Decimal("1200000")),
                FundingIn("村集体经济自筹", Decimal("600000")),
            ],
            starts_on=start,
            ends_on=today + timedelta(days=60),
            description="荷塘清淤扩容、木栈道、荷花种植和观光步道，带动莲藕产业和乡村旅游。",
            milestones=[
                MilestoneIn(
                    "荷塘清淤", 30, start, today - timedelta(days=35), cadre, measures=MEASURES
                ),
                MilestoneIn(
                    "木栈道建设",
                    30,
                    today - timedelta(days=35),
                    today + timedelta(days=5),
                    cadre,
                    measures=MEASURES,
                ),
                MilestoneIn(
                    "荷花种植",
                    20,
                    today - timedelta(days=20),
                    today + timedelta(days=20),
                    cadre,
                    measures=MEASURES,
                ),
                MilestoneIn(
                    "观光步道",
                    20,
                    today + timedelta(days=5),
                    today + timedelta(days=60),
                    cadre,
                    measures=MEASURES,
                ),
            ],
        )
    items = _milestones(hetang)
    _close(
        cast,
        items["荷塘清淤"],
        owner="cadre_gaige",
        verifier="principal",
        day=today - timedelta(days=33),
    )
    _report(
        cast,
        items["木栈道建设"],
        owner="cadre_gaige",
        day=today - timedelta(days=3),
        percent=60,
        text="栈道桩基完成，面板铺设过半。",
    )
    _report(
        cast,
        items["荷花种植"],
        owner="cadre_gaige",
        day=today - timedelta(days=4),
        percent=20,
        text="藕种到位，已栽种东片。",
    )

    shuangsheng = cast.people["cadre_shuangsheng"]
    begin = today - timedelta(days=40)
    with replay_at(at(begin, 9)):
        beautiful = project_create(
            by=cast.users["principal"],
            town=town,
            code="shuangsheng-harmonious",
            name="双胜村和美乡村建设（三清四改五化）",
            campaign=harmonious,
            villages=[cast.villages["shuangsheng"]],
            owner=cast.people["contact_shuangsheng"],
            lead_department=Department.objects.get(town=town, name="农业综合服务中心"),
            budget_yuan=Decimal("650000"),
            funding=[
                FundingIn("和美乡村建设专项资金", Decimal("500000")),
                FundingIn("群众投工投劳折资", Decimal("150000")),
            ],
            starts_on=begin,
            ends_on=today + timedelta(days=30),
            description="村集体晒场硬化扩建、游客步道，配合三清四改五化人居环境整治。",
            milestones=[
                MilestoneIn(
                    "晒场硬化",
                    50,
                    begin,
                    today - timedelta(days=10),
                    shuangsheng,
                    measures=MEASURES,
                ),
                MilestoneIn(
                    "游客步道",
                    50,
                    today - timedelta(days=10),
                    today + timedelta(days=30),
                    shuangsheng,
                    measures=MEASURES,
                ),
            ],
        )
    items = _milestones(beautiful)
    _close(
        cast,
        items["晒场硬化"],
        owner="cadre_shuangsheng",
        verifier="principal",
        day=today - timedelta(days=11),
    )
    _report(
        cast,
        items["游客步道"],
        owner="cadre_shuangsheng",
        day=today - timedelta(days=1),
        percent=25,
        text="步道放线完成，碎石基层铺设中。",
    )


def _watch_list(cast: Cast, today: date) -> None:
    town = cast.town
    principal = cast.users["principal"]
    stale_days = rhythm_settings(town).stale_days
    sources = SOURCES
    # Every evening of the last eight weeks as the ledger stood then (the trend is the replay's),
    # then today's snapshot as the tick writes it.
    evenings = [at(today - timedelta(days=back), 20) for back in range(TREND_DAYS, 0, -1)]
    past_snapshots_write(town=town, moments=evenings, stale_days=stale_days, sources=sources)
    now = timezone.now()
    snapshots_write(town=town, now=now, stale_days=stale_days, sources=sources)

    # Left the list after two normal weeks: a village put on it by hand five weeks ago for its
    # collective contracts, normal at both weekly checks since; the principal confirms.
    thresholds = Thresholds.of(rhythm_settings(town))
    flagged = set()
    for back in (0, 7):
        flagged |= set(
            findings_on(town=town, day=today - timedelta(days=back), thresholds=thresholds)
        )
    quiet = next(
        (key for key in QUIET_VILLAGES if f"village:{cast.villages[key].pk}" not in flagged),
        QUIET_VILLAGES[0],
    )
    with replay_at(at(today - timedelta(days=35), 10)):
        fenglin = entry_propose(
            by=principal,
            town=town,
            village=cast.villages[quiet],
            reason="集体经济合同清理进度滞后，群众反映较多。",
        )
    with replay_at(at(today - timedelta(days=34), 10)):
        fenglin = entry_act(
            entry=fenglin,
            by=principal,
            action="accept",
            reason="作为典型跟踪，联村领导每周走访。",
            via="demo",
        )
    exits_propose(town=town, now=now, projects=rule_rows)
    fenglin.refresh_from_db()
    if fenglin.state == EntryState.EXIT_PROPOSED:
        entry_act(
            entry=fenglin,
            by=principal,
            action="exit",
            reason="合同已全部清理规范，连续两周指标正常。",
            via="demo",
        )

    # This week's proposals, by the rules: the most severe is selected and dissected, the next
    # dismissed with its reason.
    entries_propose(town=town, now=now, projects=rule_rows)
    proposed = list(
        WatchEntry.objects.filter(town=town, state=EntryState.PROPOSED).order_by("-severity", "pk")
    )
    if not proposed:
        return
    chosen = entry_act(
        entry=proposed[0],
        by=principal,
        action="accept",
        reason="问题具有代表性，列入走看清单解剖。",
        via="demo",
    )
    if len(proposed) > 1:
        entry_act(
            entry=proposed[1],
            by=principal,
            action="dismiss",
            reason="逾期集中在已批准挂起的复耕事项，待农时恢复，暂不列入。",
            via="demo",
        )
    village = chosen.village
    if village is None:
        return
    key = next(k for k, v in cast.villages.items() if v.pk == village.pk)
    contact = CONTACT_LEADERS.get(key, "contact_qinglong")
    walk = meeting_create(
        by=principal,
        town=town,
        kind=MeetingKind.FIELD_WALK,
        title=f"{village.name}走看调研",
        held_on=today - timedelta(days=1),
        villages=[village],
        attendees=[cast.people["principal"], cast.people[contact]],
        minutes="实地查看逾期事项现场，走访群众和村组干部，梳理堵点。",
    )
    solving = meeting_create(
        by=principal,
        town=town,
        kind=MeetingKind.SOLVING,
        title=f"{village.name}解难会议",
        held_on=today,
        villages=[village],
        attendees=[cast.people["principal"], cast.people[contact]],
        minutes="逐项分析逾期原因，明确部门协同和整改措施。",
    )
    owner = cast.people[contact]
    entry_dissect(
        entry=chosen,
        by=principal,
        record=DissectionIn(
            meeting=solving,
            causes=[
                CauseIn("willingness", "部分农户对复耕补助标准有顾虑，流转意愿不足。"),
                CauseIn("funds", "复耕机械作业费用未及时拨付。"),
                CauseIn("work_style", "个别包组干部跟进不及时，台账更新滞后。"),
            ],
            obstacles="撂荒地块分散，机械进场难；部分承包户常年外出联系不上。",
            resources=[
                ResourceIn(
                    Department.objects.get(town=town, name="农业综合服务中心"),
                    "农机两台、技术员一名驻村指导",
                ),
                ResourceIn(
                    Department.objects.get(town=town, name="财政所"), "复耕补助资金两周内拨付到位"
                ),
            ],
            measures=[
                MeasureIn(
                    "逐户电话联系外出承包户，签订复耕承诺", owner, today + timedelta(days=10)
                ),
                MeasureIn("协调农机进场完成集中连片复耕", owner, today + timedelta(days=20)),
            ],
            field_walks=[walk],
        ),
        reason="解难会议已召开。",
        via="demo",
    )
