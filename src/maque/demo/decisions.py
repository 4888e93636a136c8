"""The demo's meetings that count and 四议两公开, replayed on their days through the services.

改革村: rosters of its party branch committee, villagers' committee, party members and villagers'
representatives; the 四议两公开 decision 晒场建设 proposed by the party branch and deliberated
by the two committees at held, quorate meetings whose resolutions passed, now standing at the
party-member assembly's review; and a villagers' representatives meeting that was not quorate
(13 of 21), its resolution recorded as not passed with the shortfall in words.

双胜村: the 联村共议座谈会 "抓住新机遇、迎接新挑战、加快新发展", with the contact leader's and the
secretary's reports in its minutes and its "四抓" consensus as four resolutions whose actions are
action items in the ledger.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib.auth.models import User

from maque.decisions.models import Step, VillageDecision
from maque.decisions.services import StepIn, decision_create, decision_step
from maque.demo.cast import Cast
from maque.demo.clock import at, replay_at
from maque.meetings.models import Meeting, MeetingKind, Resolution, RollEntry, RosterBody
from maque.meetings.resolutions import resolution_record
from maque.meetings.rolls import attendance_record, roster_member_add
from maque.meetings.services import DecisionIn, meeting_create
from maque.organisation.models import Village

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹"
GIVEN = "德福秀英大山春花国强建华明华桂兰玉梅志刚海燕红霞文静立新永红长青金凤"

# 改革村's bodies: how many members each has.
BODIES = {
    RosterBody.BRANCH_COMMITTEE: 5,
    RosterBody.VILLAGE_COMMITTEE: 5,
    RosterBody.PARTY_MEMBERS: 32,
    RosterBody.REPRESENTATIVES: 21,
}


def _names(count: int, offset: int) -> list[str]:
    """Distinct, plausible names, the same on every build."""
    pairs = len(GIVEN) // 2
    return [
        SURNAMES[(offset + n) % len(SURNAMES)]
        + GIVEN[2 * ((offset * 7 + n * 3) % pairs) : 2 * ((offset * 7 + n * 3) % pairs) + 2]
        for n in range(count)
    ]


def _rosters(secretary: User, village: Village, since: date) -> None:
    offset = 0
    for body, count in BODIES.items():
        for name in _names(count, offset):
            roster_member_add(by=secretary, village=village, body=body, valid_from=since, name=name)
        offset += count


def _held(
    by: User,
    cast: Cast,
    village: Village,
    *,
    kind: str,
    title: str,
    day: date,
    present: int,
    minutes: str,
) -> Meeting:
    """A held meeting of the village with the roll taken from its rosters, the first `present`
    of them marked present and the rest absent (two of them on leave)."""
    meeting = meeting_create(
        by=by,
        town=cast.town,
        kind=kind,
        title=title,
        held_on=day,
        villages=[village],
        place="村委会议室",
        minutes=minutes,
    )
    entries = list(meeting.roll.order_by("order"))
    marks = {}
    for index, entry in enumerate(entries):
        if index < present:
            marks[entry.pk] = RollEntry.Attendance.PRESENT
        elif index < present + 2:
            marks[entry.pk] = RollEntry.Attendance.LEAVE
        else:
            marks[entry.pk] = RollEntry.Attendance.ABSENT
    return attendance_record(meeting=meeting, by=by, marks=marks)


def _vote(by: User, meeting: Meeting, text: str, votes_for: int, against: int = 0) -> Resolution:
    return resolution_record(
        meeting=meeting,
        by=by,
        text=text,
        votes_for=votes_for,
        votes_against=against,
        votes_abstain=max(meeting.attendee_count - votes_for - against, 0),
    )


def _threshing_floor(cast: Cast, *, today: date) -> VillageDecision:
    """晒场建设, standing at the party-member assembly's review."""
    village = cast.villages["gaige"]
    secretary = cast.users["secretary_gaige"]
    proposed_on = today - timedelta(days=12)
    discussed_on = today - timedelta(days=8)
    with replay_at(at(proposed_on - timedelta(days=1), 16)):
        decision = decision_create(
            by=secretary,
            village=village,
            title="晒场建设",
            description="在三组集体空地建设约1200平方米的水泥晒场，供全村晾晒稻谷和茶叶，"
            "资金从村集体经济收益和项目资金中安排。",
        )
    with replay_at(at(proposed_on, 15)):
        branch = _held(
            secretary,
            cast,
            village,
            kind=MeetingKind.PARTY_BRANCH,
            title="改革村党支部会议（晒场建设提议）",
            day=proposed_on,
            present=5,
            minutes="支部委员一致认为秋收晾晒场地不足，提议建设集体晒场，提交“两委”商议。",
        )
        proposal = _vote(secretary, branch, "提议在三组集体空地建设集体晒场。", 5)
        decision = decision_step(
            decision=decision,
            by=secretary,
            step=Step.PROPOSE,
            version=decision.version,
            given=StepIn(meeting=branch, resolution=proposal),
            via="web",
        )
    with replay_at(at(discussed_on, 15)):
        committees = _held(
            secretary,
            cast,
            village,
            kind=MeetingKind.TWO_COMMITTEES,
            title="改革村“两委”联席会议（晒场建设商议）",
            day=discussed_on,
            present=8,
            minutes="“两委”成员商议晒场选址、面积和资金来源，形成初步方案，提交党员大会审议。",
        )
        plan = _vote(
            secretary, committees, "同意晒场建设初步方案：选址三组，约1200平方米。", 7, against=1
        )
        decision = decision_step(
            decision=decision,
            by=secretary,
            step=Step.DISCUSS,
            version=decision.version,
            given=StepIn(meeting=committees, resolution=plan),
            via="web",
        )
    return decision


def _representatives_without_quorum(cast: Cast, *, today: date) -> Resolution:
    """A representatives' meeting that was not quorate: 13 of 21 is short of two thirds by one."""
    village = cast.villages["gaige"]
    secretary = cast.users["secretary_gaige"]
    day = today - timedelta(days=5)
    with replay_at(at(day, 19)):
        meeting = _held(
            secretary,
            cast,
            village,
            kind=MeetingKind.REPRESENTATIVES,
            title="改革村村民代表会议（荷塘园区土地流转）",
            day=day,
            present=13,
            minutes="农忙时节，部分代表外出务工未能到会。会议听取了荷塘园区土地流转方案的说明，"
            "因到会代表不足三分之二，表决结果不作数，择期重新召开。",
        )
        return _vote(secretary, meeting, "同意荷塘园区二期土地流转方案。", 12, against=1)


SHUANGSHENG_MINUTES = """一、包村领导报告：回顾双胜村上半年茶产业和人居环境整治工作，分析县里茶旅融合项目落地带来的新机遇，\
指出劳动力外流、基础设施短板等新挑战，要求村“两委”抓住窗口期加快发展。
二、村党支部书记报告：汇报茶园提质、村集体经济合作社、村道和水渠建设进展，提出下半年重点工作设想。
三、与会党员、村民代表、四支队伍代表讨论，形成“四抓”共识：抓产业、抓设施、抓环境、抓治理。"""

# The "四抓" consensus: each a resolution, its action with an owner (by cast key) and days to do it.
FOUR_GRASPS: tuple[tuple[str, str, str, int], ...] = (
    (
        "抓产业：以茶旅融合为方向，推进茶园提质增效，壮大村集体经济合作社。",
        "完成二组、三组200亩茶园提质改造方案",
        "secretary_shuangsheng",
        45,
    ),
    (
        "抓设施：补齐村道、水渠短板，争取县乡项目资金支持。",
        "完成村道硬化和水渠维修项目申报材料",
        "cadre_shuangsheng",
        30,
    ),
    (
        "抓环境：持续开展人居环境整治，做到垃圾日产日清、房前屋后干净整洁。",
        "建立垃圾日产日清责任台账并落实到户",
        "cadre_shuangsheng",
        20,
    ),
    (
        "抓治理：发挥党员和村民代表作用，用好联村共议，把群众的事议在前、办在前。",
        "每月召开一次党群议事会，收集和办理群众议题",
        "secretary_shuangsheng",
        60,
    ),
)


def _joint_forum(cast: Cast, *, today: date) -> Meeting:
    """双胜村's 联村共议座谈会 and its "四抓" consensus as resolutions with action items."""
    village = cast.villages["shuangsheng"]
    contact = cast.users["contact_shuangsheng"]
    day = today - timedelta(days=10)
    people = [
        cast.people[key]
        for key in ("contact_shuangsheng", "secretary_shuangsheng", "cadre_shuangsheng")
    ]
    with replay_at(at(day, 14)):
        forum = meeting_create(
            by=contact,
            town=cast.town,
            kind=MeetingKind.JOINT,
            title="双胜村联村共议座谈会：抓住新机遇、迎接新挑战、加快新发展",
            held_on=day,
            villages=[village],
            place="双胜村党群服务中心",
            host=cast.people["contact_shuangsheng"],
            recorder=cast.people["secretary_shuangsheng"],
            attendees=people,
            attendee_count=23,
            expected_count=25,
            minutes=SHUANGSHENG_MINUTES,
        )
        for text, action, owner, days in FOUR_GRASPS:
            resolution_record(
                meeting=forum,
                by=contact,
                text=text,
                votes_for=23,
                votes_against=0,
                votes_abstain=0,
                actions=[
                    DecisionIn(
                        text=action,
                        owner=cast.people[owner],
                        deadline=today + timedelta(days=days),
                        village=village,
                    )
                ],
            )
    return forum


def replay_decisions(cast: Cast, *, today: date) -> None:
    secretary = cast.users["secretary_gaige"]
    with replay_at(at(today - timedelta(days=30), 9)):
        _rosters(secretary, cast.villages["gaige"], today - timedelta(days=365))
    _threshing_floor(cast, today=today)
    _representatives_without_quorum(cast, today=today)
    _joint_forum(cast, today=today)
