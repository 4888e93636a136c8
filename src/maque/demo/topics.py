"""The demo's joint deliberation (联村共议) in 改革村: topics on 荷塘园区建设 and 人居环境治理 raised
at a 四支队伍座谈会 and by villagers through the public page, each replayed on its day through the
deliberation lifecycle: quick topics assigned, closed out, answered and rated; a joint topic
deliberated at a 联席会议 and being carried out; one declined with its reason; one merged; one
still waiting to be accepted."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.contrib.auth.models import User

from maque.core.statemachine import AUTOMATION
from maque.deliberation import lifecycle
from maque.deliberation.lifecycle.rules import ReceiptHolder
from maque.deliberation.models import Topic
from maque.demo.cast import Cast
from maque.demo.clock import at, replay_at
from maque.demo.images import evidence_photo
from maque.ledger import lifecycle as items
from maque.ledger.models import Item
from maque.ledger.services import attachment_add
from maque.meetings.models import MeetingKind
from maque.meetings.services import meeting_create

POSITION = (108.54, 32.52)  # near the town's centre, for the photos' watermark


def _photo(item: Item, *, after: bool) -> Any:
    return evidence_photo(
        seed=f"{item.code}-{after}",
        category="environment",
        caption=f"{item.title[:16]} {'整改后' if after else '整改前'}",
        code=item.code,
        taken_at=at(item.found_on),
        position=POSITION,
        after=after,
    )


def _close(cast: Cast, item: Item, day: date) -> None:
    """The owner starts, shows the result and submits; the contact leader verifies."""
    owner = item.owner.user
    assert owner is not None
    with replay_at(at(day, 9)):
        item = items.item_start(item=item, by=owner, via="web")
        attachment_add(item=item, by=owner, upload=_photo(item, after=True))
        item = items.item_submit(item=item, by=owner, via="web")
    with replay_at(at(day, 16)):
        items.item_verify(
            item=item, by=cast.users["contact_gaige"], note="现场查看，已办好", via="web"
        )


def _answer(topic: Topic, by: User, day: date, text: str) -> Topic:
    with replay_at(at(day, 10)):
        lifecycle.topic_complete(topic=topic, by=AUTOMATION, via="tick")
    with replay_at(at(day + timedelta(days=1), 9)):
        return lifecycle.topic_answer(
            topic=Topic.objects.get(pk=topic.pk), by=by, answer=text, via="web"
        )


def replay_topics(cast: Cast, *, today: date) -> None:
    village = cast.villages["gaige"]
    secretary = cast.users["secretary_gaige"]
    contact = cast.users["contact_gaige"]
    cadre = cast.people["cadre_gaige"]
    start = today - timedelta(days=21)

    def day(offset: int) -> date:
        return start + timedelta(days=offset)

    # The 四支队伍座谈会 where the four teams raised their topics.
    with replay_at(at(day(0), 15)):
        forum = meeting_create(
            by=contact,
            town=cast.town,
            kind=MeetingKind.FOUR_TEAMS_FORUM,
            title="改革村四支队伍座谈会",
            held_on=day(0),
            villages=[village],
            minutes="围绕荷塘园区建设和人居环境治理，四支队伍提出议题。",
        )

        def raised(title: str, concern: str, domain: str, text: str) -> Topic:
            return lifecycle.topic_propose(
                by=secretary,
                village=village,
                title=title,
                description=f"{text}（{forum.title}提出）",
                concern=concern,
                domain=domain,
                source="meeting",
                proposer_kind="four_teams",
                proposer_name="四支队伍代表",
                via="web",
            ).topic

        walkway = raised(
            "荷塘园区观光步道延伸到三组",
            "hoped_for",
            "industry",
            "游客多了，希望步道延伸到三组，带动农家乐。",
        )
        parking = raised(
            "荷塘园区游客停车位不足", "difficult", "infrastructure", "节假日车辆停到村道上。"
        )
        garbage = raised(
            "村口垃圾收集点清运不及时",
            "worrying",
            "environment",
            "垃圾收集点隔几天才清运一次。",
        )
    # Villagers through the public page.
    with replay_at(at(day(2), 20)):
        lamps = lifecycle.topic_propose_public(
            village=village,
            title="三组路灯不亮",
            description="三组通往荷塘的村道路灯坏了半个月，晚上老人走路不安全。",
            concern="urgent",
            proposer_name="王秀英",
            proposer_phone="13991234567",
        ).topic
    with replay_at(at(day(3), 19)):
        lamps_again = lifecycle.topic_propose_public(
            village=village,
            title="村道路灯坏了晚上看不见",
            description="三组路灯一直不亮。",
            concern="urgent",
            proposer_name="李大山",
        ).topic
        tea = lifecycle.topic_propose_public(
            village=village,
            title="希望村里统一收购我家的茶叶",
            description="今年茶叶卖不出去。",
            concern="hoped_for",
            proposer_name="赵春花",
        ).topic

    # Triage by the secretary and the contact leader.
    deadline = day(12)
    with replay_at(at(day(4), 9)):
        lifecycle.topic_merge(topic=lamps_again, by=secretary, into=lamps, via="web")
        lamps = lifecycle.topic_accept(
            topic=lamps, by=secretary, track="quick", owner=cadre, deadline=deadline, via="web"
        )
        garbage = lifecycle.topic_accept(
            topic=garbage, by=secretary, track="quick", owner=cadre, deadline=deadline, via="web"
        )
        lifecycle.topic_decline(
            topic=tea,
            by=secretary,
            reason="茶叶收购属于经营行为，村里不统一收购；已请村茶叶专业合作社与您联系收购事宜。",
            via="web",
        )
        walkway = lifecycle.topic_accept(topic=walkway, by=contact, track="joint", via="web")
        parking = lifecycle.topic_accept(topic=parking, by=contact, track="concerted", via="web")
    with replay_at(at(day(5), 9)):
        joint = meeting_create(
            by=contact,
            town=cast.town,
            kind=MeetingKind.JOINT,
            title="改革村支部与镇党委联席会议",
            held_on=day(5),
            villages=[village],
        )
        walkway = lifecycle.topic_schedule(topic=walkway, by=contact, meeting=joint, via="web")
    with replay_at(at(day(5), 17)):
        walkway = lifecycle.topic_deliberate(
            topic=walkway,
            by=contact,
            outcome="同意步道延伸至三组，先做线路测量和用地协调。",
            via="web",
        )
        lifecycle.topic_implement(
            topic=walkway,
            by=contact,
            owner=cast.people["secretary_gaige"],
            deadline=today + timedelta(days=20),
            title="步道延伸线路测量和用地协调",
            via="web",
        )

    # The quick topics: carried out, closed out, answered, rated.
    for topic, done_on, answer, rating in (
        (lamps, day(7), "三组村道12盏路灯已更换，晚上已经亮了。", "satisfied"),
        (garbage, day(8), "已和保洁公司约定每天清运一次，并增设两个垃圾桶。", "fairly"),
    ):
        (action,) = [row.item for row in topic.actions.select_related("item__owner")]
        _close(cast, action, done_on)
        answered = _answer(topic, secretary, done_on + timedelta(days=1), answer)
        with replay_at(at(done_on + timedelta(days=3), 20)):
            lifecycle.topic_rate(
                topic=answered,
                by=ReceiptHolder(topic_id=answered.pk, day=done_on + timedelta(days=3)),
                satisfaction=rating,
                via="public",
            )

    # One still waiting for acceptance.
    with replay_at(at(today - timedelta(days=1), 18)):
        lifecycle.topic_propose_public(
            village=village,
            title="村道边上有人乱倒建筑垃圾",
            description="二组村道转弯处，堆了好几车建筑垃圾。",
            concern="worrying",
        )
