"""The topic lifecycle through its services (issue 12 §1): every route a topic may take, who may
take each step, and what each step leaves behind."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from maque.core.errors import ConflictError, NotPermitted
from maque.deliberation import lifecycle
from maque.deliberation.lifecycle.rules import ReceiptHolder
from maque.deliberation.models import (
    AgendaItem,
    DeliberationSettings,
    Topic,
    TopicState,
    TopicTransition,
)
from maque.deliberation.tick import complete_finished_topics
from maque.ledger.models import Item, Kind, Source, State
from maque.meetings.models import MeetingKind
from maque.meetings.services import meeting_create
from maque.notifications.models import Notification
from maque.rhythm.calendar import add_working_days
from tests.conftest import World
from tests.deliberation.helpers import (
    accept_quick,
    close_item,
    deadline,
    propose,
    propose_public,
    topic_items,
)

pytestmark = pytest.mark.django_db


def actions_of(topic: Topic) -> list[tuple[str, str, str]]:
    return list(
        TopicTransition.objects.filter(topic=topic)
        .order_by("id")
        .values_list("action", "from_state", "to_state")
    )


def test_it_gives_each_topic_a_code_a_due_day_and_a_receipt(world: World):
    first = lifecycle.topic_propose(
        by=world.user("cadre_gaige"), village=world.gaige, title="荷塘步道", concern="hoped_for"
    )
    second = propose(world)
    year = timezone.localdate().year
    assert first.topic.code == f"HP-YT-{year}-0001"
    assert second.code == f"HP-YT-{year}-0002"
    assert first.receipt.startswith(first.topic.code + "-")
    secret = first.receipt.rsplit("-", 1)[1]
    assert secret not in first.topic.receipt_hash and len(first.topic.receipt_hash) == 64
    assert first.topic.accept_due == add_working_days(world.town, timezone.localdate(), 3)
    # The cadre proposed for themselves: they are the proposer, as a person.
    assert first.topic.proposer == world.people["cadre_gaige"]
    assert second.proposer is None and second.proposer_name == "王秀英"
    assert actions_of(second) == [("propose", "submitted", "submitted")]


def test_it_takes_the_town_acceptance_days(world: World):
    DeliberationSettings.objects.create(town=world.town, accept_within_days=1)
    topic = propose(world)
    assert topic.accept_due == add_working_days(world.town, timezone.localdate(), 1)


def test_it_tells_the_secretary_and_contact_leader_of_a_new_topic(
    world: World, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        topic = propose(world, persona="cadre_gaige")
    told = set(
        Notification.objects.filter(kind="topic.submitted").values_list("user__username", flat=True)
    )
    assert told == {"secretary_gaige", "contact_gaige"}
    assert topic.code in Notification.objects.filter(kind="topic.submitted").first().title


def test_it_refuses_proposals_from_outside_the_village(world: World):
    with pytest.raises(NotPermitted):
        propose(world, persona="cadre_shuangsheng")
    with pytest.raises(NotPermitted):
        propose(world, persona="inspector")
    assert not Topic.objects.exists()


def test_it_refuses_a_proposal_without_title_or_concern(world: World):
    with pytest.raises(ValidationError) as error:
        propose(world, title="  ", concern="angry")
    assert set(error.value.message_dict) == {"title", "concern"}
    assert not Topic.objects.exists()


def test_a_quick_topic_is_assigned_closed_completed_answered_and_rated(
    world: World, django_capture_on_commit_callbacks
):
    topic, receipt = propose_public(world)
    topic = accept_quick(world, topic)
    assert topic.state == TopicState.ASSIGNED and topic.track == "quick"
    (item,) = topic_items(topic)
    assert (item.kind, item.source, item.owner) == (
        Kind.ACTION,
        Source.TOPIC,
        world.people["cadre_gaige"],
    )
    assert item.village == world.gaige and topic.code in item.description
    # Not complete while its item is open.
    assert complete_finished_topics(now=timezone.now()) == 0
    close_item(world, item)
    assert complete_finished_topics(now=timezone.now()) == 1
    assert complete_finished_topics(now=timezone.now()) == 0  # idempotent
    topic.refresh_from_db()
    assert topic.state == TopicState.COMPLETED
    assert topic.answer_due == add_working_days(world.town, timezone.localdate(), 5)
    with django_capture_on_commit_callbacks(execute=True):
        topic = lifecycle.topic_answer(
            topic=topic, by=world.user("secretary_gaige"), answer="路灯已经装好，晚上亮了。"
        )
    assert topic.state == TopicState.ANSWERED and topic.answered_at is not None
    holder = ReceiptHolder(topic_id=topic.pk, day=timezone.localdate())
    assert lifecycle.available_actions(holder, topic) == ["rate"]
    topic = lifecycle.topic_rate(topic=topic, by=holder, satisfaction="satisfied")
    assert topic.satisfaction == "satisfied"
    with pytest.raises(ConflictError):
        lifecycle.topic_rate(topic=topic, by=holder, satisfaction="fairly")
    assert [action for action, _from, _to in actions_of(topic)] == [
        "propose",
        "accept",
        "assign",
        "complete",
        "answer",
        "rate",
    ]
    # Every change is in the history, with its version.
    assert Topic.history.filter(id=topic.pk).count() == topic.version
    assert receipt.startswith(topic.code)


def test_cancelled_items_alone_do_not_complete_a_topic(world: World):
    topic = accept_quick(world, propose(world))
    (item,) = topic_items(topic)
    from maque.ledger import lifecycle as items

    items.item_cancel(item=item, by=world.user("contact_gaige"), reason="重复登记")
    assert complete_finished_topics(now=timezone.now()) == 0
    with pytest.raises(ConflictError):
        lifecycle.topic_complete(topic=topic)


def test_only_the_automation_completes(world: World):
    topic = accept_quick(world, propose(world))
    with pytest.raises(NotPermitted):
        lifecycle.topic_complete(topic=topic, by=world.user("principal"), via="api")


def test_a_declined_topic_has_its_reason_and_the_proposer_is_told(
    world: World, django_capture_on_commit_callbacks
):
    topic = propose(world, persona="cadre_gaige", proposer_name="")
    with pytest.raises(ValidationError):
        lifecycle.topic_decline(topic=topic, by=world.user("secretary_gaige"), reason="  ")
    with django_capture_on_commit_callbacks(execute=True):
        topic = lifecycle.topic_decline(
            topic=topic, by=world.user("secretary_gaige"), reason="属于县级部门职责，已转交。"
        )
    assert topic.state == TopicState.DECLINED
    assert topic.decline_reason == "属于县级部门职责，已转交。"
    note = Notification.objects.get(kind="topic.declined")
    assert note.user == world.user("cadre_gaige") and note.body == topic.decline_reason


def test_a_joint_topic_goes_through_a_held_meeting(world: World):
    topic = propose(world, title="荷塘园区建设用地调整")
    topic = lifecycle.topic_accept(topic=topic, by=world.user("contact_gaige"), track="joint")
    assert lifecycle.available_actions(world.user("contact_gaige"), topic) == ["merge", "schedule"]
    with pytest.raises(ConflictError):
        lifecycle.topic_assign(
            topic=topic,
            by=world.user("contact_gaige"),
            owner=world.people["cadre_gaige"],
            deadline=deadline(),
        )
    study = meeting_create(
        by=world.user("contact_gaige"),
        town=world.town,
        kind=MeetingKind.POLICY_STUDY,
        title="政策学习",
        held_on=timezone.localdate(),
        villages=[world.gaige],
    )
    with pytest.raises(ValidationError) as error:
        lifecycle.topic_schedule(topic=topic, by=world.user("contact_gaige"), meeting=study)
    assert "meeting" in error.value.message_dict
    joint = meeting_create(
        by=world.user("contact_gaige"),
        town=world.town,
        kind=MeetingKind.JOINT,
        title="改革村联席会议",
        held_on=timezone.localdate(),
        villages=[world.gaige],
    )
    topic = lifecycle.topic_schedule(topic=topic, by=world.user("contact_gaige"), meeting=joint)
    assert topic.state == TopicState.SCHEDULED
    assert AgendaItem.objects.filter(meeting=joint, topic=topic).exists()
    topic = lifecycle.topic_deliberate(
        topic=topic, by=world.user("contact_gaige"), outcome="同意调整，村委会负责实施。"
    )
    assert topic.state == TopicState.DELIBERATED
    assert AgendaItem.objects.get(meeting=joint, topic=topic).deliberated
    topic = lifecycle.topic_implement(
        topic=topic,
        by=world.user("contact_gaige"),
        owner=world.people["secretary_gaige"],
        deadline=deadline(),
        title="完成用地调整公示",
    )
    topic = lifecycle.topic_add_action(
        topic=topic,
        by=world.user("contact_gaige"),
        owner=world.people["cadre_gaige"],
        deadline=deadline(),
        title="平整场地",
    )
    first, second = topic_items(topic)
    assert topic.state == TopicState.IMPLEMENTING and first.title == "完成用地调整公示"
    close_item(world, second)
    assert complete_finished_topics(now=timezone.now()) == 0  # one still open
    first = Item.objects.get(pk=first.pk)
    from maque.ledger import lifecycle as items
    from maque.ledger.services import attachment_add
    from tests.conftest import photo

    first = items.item_start(item=first, by=world.user("secretary_gaige"))
    attachment_add(item=first, by=world.user("secretary_gaige"), upload=photo())
    first = items.item_submit(item=first, by=world.user("secretary_gaige"))
    items.item_verify(item=first, by=world.user("contact_gaige"), note="已公示")
    assert complete_finished_topics(now=timezone.now()) == 1


def test_deliberating_needs_the_meeting_held(world: World):
    topic = lifecycle.topic_accept(
        topic=propose(world), by=world.user("contact_gaige"), track="concerted"
    )
    planned = meeting_create(
        by=world.user("contact_gaige"),
        town=world.town,
        kind=MeetingKind.SOLVING,
        title="解难会议",
        held_on=timezone.localdate() + timedelta(days=3),
        villages=[world.gaige],
    )
    topic = lifecycle.topic_schedule(topic=topic, by=world.user("contact_gaige"), meeting=planned)
    with pytest.raises(ConflictError) as error:
        lifecycle.topic_deliberate(topic=topic, by=world.user("contact_gaige"), outcome="议定")
    assert error.value.code == "meeting_not_held"
    topic.refresh_from_db()
    assert topic.state == TopicState.SCHEDULED


def test_who_may_triage(world: World):
    topic = propose(world)
    for persona in ("cadre_gaige", "inspector", "discipline", "contact_shuangsheng"):
        assert lifecycle.available_actions(world.user(persona), topic) == []
        with pytest.raises(NotPermitted):
            lifecycle.topic_accept(topic=topic, by=world.user(persona), track="quick")
    for persona in ("secretary_gaige", "contact_gaige", "leader", "principal"):
        assert "accept" in lifecycle.available_actions(world.user(persona), topic)
    topic.refresh_from_db()
    assert topic.state == TopicState.SUBMITTED and topic.version == 1


def test_a_stale_version_is_a_conflict_and_changes_nothing(world: World):
    topic = propose(world)
    lifecycle.topic_accept(topic=topic, by=world.user("secretary_gaige"), track="joint")
    with pytest.raises(ConflictError) as error:
        lifecycle.topic_decline(
            topic=topic, by=world.user("contact_gaige"), reason="重复", version=1
        )
    assert error.value.code == "stale_version" and error.value.current_version == 2
    topic.refresh_from_db()
    assert topic.state == TopicState.ACCEPTED and topic.decline_reason == ""


def test_a_dissatisfied_proposer_may_reopen_once(world: World):
    topic, _receipt = propose_public(world)
    topic = accept_quick(world, topic)
    close_item(world, topic_items(topic)[0])
    complete_finished_topics(now=timezone.now())
    topic = lifecycle.topic_answer(
        topic=Topic.objects.get(pk=topic.pk), by=world.user("secretary_gaige"), answer="已清运"
    )
    holder = ReceiptHolder(topic_id=topic.pk, day=timezone.localdate())
    with pytest.raises(ConflictError):
        lifecycle.topic_reopen(topic=topic, by=holder, reason="还没清")
    topic = lifecycle.topic_rate(topic=topic, by=holder, satisfaction="dissatisfied")
    topic = lifecycle.topic_reopen(topic=topic, by=holder, reason="只清了一半")
    assert topic.state == TopicState.ACCEPTED and topic.reopened_count == 1
    assert topic.satisfaction == "" and topic.answer == ""
    # Handled again, answered again, dissatisfied again: no second reopening.
    topic = lifecycle.topic_assign(
        topic=topic,
        by=world.user("secretary_gaige"),
        owner=world.people["cadre_gaige"],
        deadline=deadline(),
    )
    close_item(world, topic_items(topic)[1])
    complete_finished_topics(now=timezone.now())
    topic = lifecycle.topic_answer(
        topic=Topic.objects.get(pk=topic.pk), by=world.user("secretary_gaige"), answer="全部清运"
    )
    topic = lifecycle.topic_rate(topic=topic, by=holder, satisfaction="dissatisfied")
    assert lifecycle.available_actions(holder, topic) == []
    with pytest.raises(ConflictError) as error:
        lifecycle.topic_reopen(topic=topic, by=world.user("secretary_gaige"), reason="再办")
    assert error.value.code == "reopen_limit"


def test_another_receipt_cannot_rate(world: World):
    first, _ = propose_public(world)
    second, _ = propose_public(world, title="另一件事")
    holder = ReceiptHolder(topic_id=second.pk, day=timezone.localdate())
    assert lifecycle.available_actions(holder, first) == []


def test_a_merged_topic_follows_the_survivor_and_its_proposer_is_told(
    world: World, django_capture_on_commit_callbacks
):
    survivor = propose(world, persona="cadre_gaige", proposer_name="")
    duplicate = propose(world, persona="secretary_gaige", proposer_name="")
    other_village = lifecycle.topic_propose(
        by=world.user("cadre_shuangsheng"),
        village=world.shuangsheng,
        title="路灯",
        concern="urgent",
    ).topic
    with pytest.raises(ValidationError):
        lifecycle.topic_merge(topic=duplicate, by=world.user("principal"), into=other_village)
    with pytest.raises(ValidationError):
        lifecycle.topic_merge(topic=duplicate, by=world.user("principal"), into=duplicate)
    with django_capture_on_commit_callbacks(execute=True):
        duplicate = lifecycle.topic_merge(
            topic=duplicate, by=world.user("contact_gaige"), into=survivor
        )
    assert duplicate.state == TopicState.MERGED and duplicate.merged_into == survivor
    assert Notification.objects.get(kind="topic.merged").user == world.user("secretary_gaige")
    # The survivor's answer reaches the merged topic's proposer too.
    survivor = accept_quick(world, survivor)
    close_item(world, topic_items(survivor)[0])
    complete_finished_topics(now=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.topic_answer(
            topic=Topic.objects.get(pk=survivor.pk),
            by=world.user("secretary_gaige"),
            answer="已修好",
        )
    told = set(
        Notification.objects.filter(kind="topic.answered").values_list("user__username", flat=True)
    )
    assert told == {"cadre_gaige", "secretary_gaige"}


def test_only_public_topics_are_marked_as_spam(world: World):
    staff_topic = propose(world)
    assert "mark_spam" not in lifecycle.available_actions(
        world.user("secretary_gaige"), staff_topic
    )
    public_topic, _ = propose_public(world, title="代开发票 加微信")
    public_topic = lifecycle.topic_mark_spam(
        topic=public_topic, by=world.user("secretary_gaige"), reason="广告"
    )
    assert public_topic.state == TopicState.SPAM


def test_an_assignment_needs_an_owner_of_the_town_and_a_sane_deadline(world: World):
    topic = lifecycle.topic_accept(
        topic=propose(world), by=world.user("secretary_gaige"), track="quick"
    )
    for owner, day in (
        (None, deadline()),
        (world.people["cadre_gaige"], None),
        (world.people["cadre_gaige"], timezone.localdate() - timedelta(days=1)),
        (world.people["cadre_gaige"], timezone.localdate().replace(year=2999)),
    ):
        with pytest.raises(ValidationError):
            lifecycle.topic_assign(
                topic=topic, by=world.user("secretary_gaige"), owner=owner, deadline=day
            )
    topic.refresh_from_db()
    assert (
        topic.state == TopicState.ACCEPTED and not Item.objects.filter(source=Source.TOPIC).exists()
    )
    assert not Item.objects.filter(state=State.FOUND, source=Source.TOPIC).exists()
