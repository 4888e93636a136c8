"""Separation of duties and rights in the lifecycle (design §4), one rule per test."""

from __future__ import annotations

import inspect
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from maque.ledger import lifecycle
from maque.ledger.errors import ConflictError, NotPermitted
from maque.ledger.models import Item, ItemRequest, State, Transition
from tests.conftest import World, add_evidence, drive_to_closed, drive_to_submitted, make_item


def unchanged(item: Item) -> tuple:
    """What a refused action must leave as it was."""
    fresh = Item.objects.get(pk=item.pk)
    return (
        fresh.state,
        fresh.version,
        fresh.verified_by_id,
        fresh.deadline,
        fresh.returned_count,
        Transition.objects.filter(item=item).count(),
        fresh.history.count(),
        list(ItemRequest.objects.filter(item=item).values_list("status", flat=True)),
    )


def refused(error: type[Exception], item: Item, call, code: str | None = None) -> Exception:  # noqa: ANN001
    before = unchanged(item)
    with pytest.raises(error) as raised:
        call()
    assert unchanged(item) == before
    if code is not None:
        assert raised.value.code == code
    return raised.value


def greenhouse_item(world: World, persona: str = "cadre_gaige") -> Item:
    return make_item(
        world,
        persona=persona,
        category=world.category("greenhouse"),
        attributes={"structure": "大棚内看护房", "built_area_m2": "80.5", "action": "拆除"},
    )


def test_it_refuses_verification_by_the_owner(world):
    item = make_item(world, persona="contact_gaige")
    item = lifecycle.item_start(item=item, by=world.user("contact_gaige"))
    add_evidence(world, item, "contact_gaige")
    item = lifecycle.item_submit(item=item, by=world.user("contact_gaige"))
    refused(
        NotPermitted,
        item,
        lambda: lifecycle.item_verify(item=item, by=world.user("contact_gaige"), note="已核查"),
    )
    item = lifecycle.item_verify(item=item, by=world.user("leader"), note="已核查")
    assert item.state == State.CLOSED and item.verified_by == world.people["leader"]


def test_it_refuses_verification_by_the_submitter_after_a_change_of_owner(world):
    item = make_item(world, persona="contact_gaige")
    item = lifecycle.item_start(item=item, by=world.user("contact_gaige"))
    add_evidence(world, item, "contact_gaige")
    item = lifecycle.item_submit(item=item, by=world.user("contact_gaige"))
    item = lifecycle.item_update(
        item=item, by=world.user("leader"), changes={"owner": world.people["cadre_gaige"]}
    )
    assert (
        item.owner == world.people["cadre_gaige"]
        and item.submitted_by == world.people["contact_gaige"]
    )
    refused(
        NotPermitted,
        item,
        lambda: lifecycle.item_verify(item=item, by=world.user("contact_gaige"), note="已核查"),
    )


@pytest.mark.parametrize(
    "persona",
    [
        "contact_gaige",
        "cadre_gaige",
        "secretary_gaige",
        "discipline",
        "cadre_shuangsheng",
        "contact_shuangsheng",
        "outsider",
    ],
)
def test_it_lets_only_the_categorys_verifier_roles_verify(world, persona):
    # 大棚房 is verified by leaders, the principal and the inspection group, not contact leaders.
    item = drive_to_submitted(world, greenhouse_item(world))
    refused(
        NotPermitted,
        item,
        lambda: lifecycle.item_verify(item=item, by=world.user(persona), note="已核查"),
    )
    refused(
        NotPermitted,
        item,
        lambda: lifecycle.item_return(item=item, by=world.user(persona), reason="不到位"),
    )
    assert "verify" not in lifecycle.available_actions(world.user(persona), item)


@pytest.mark.parametrize("persona", ["leader", "principal", "inspector"])
def test_it_lets_a_verifier_role_close_out(world, persona):
    item = drive_to_submitted(world, greenhouse_item(world))
    assert "verify" in lifecycle.available_actions(world.user(persona), item)
    item = lifecycle.item_verify(item=item, by=world.user(persona), note="已拆除")
    assert item.state == State.CLOSED and item.verified_by == world.people[persona]


def test_it_follows_a_verifier_list_changed_in_the_data(world):
    category = world.category("greenhouse")
    category.verifier_roles = ["inspector"]
    category.save()
    item = drive_to_submitted(world, greenhouse_item(world))
    refused(
        NotPermitted,
        item,
        lambda: lifecycle.item_verify(item=item, by=world.user("principal"), note="已核查"),
    )
    assert (
        lifecycle.item_verify(item=item, by=world.user("inspector"), note="已核查").state
        == State.CLOSED
    )


def test_it_refuses_the_owner_approving_their_own_requests(world, today):
    item = make_item(world, persona="contact_gaige")
    item = lifecycle.item_request_extension(
        item=item,
        by=world.user("contact_gaige"),
        new_deadline=item.deadline + timedelta(days=10),
        reason="雨季",
    )
    item = lifecycle.item_request_suspension(
        item=item,
        by=world.user("contact_gaige"),
        resume_on=today + timedelta(days=30),
        reason="等待农时",
    )
    # The owner's own approver role does not decide their own requests.
    assert set(ItemRequest.objects.filter(item=item).values_list("status", flat=True)) == {
        "pending"
    }
    refused(
        NotPermitted,
        item,
        lambda: lifecycle.item_approve_extension(item=item, by=world.user("contact_gaige")),
    )
    refused(
        NotPermitted,
        item,
        lambda: lifecycle.item_approve_suspension(item=item, by=world.user("contact_gaige")),
    )
    refused(
        NotPermitted,
        item,
        lambda: lifecycle.item_approve_extension(item=item, by=world.user("cadre_gaige")),
    )
    refused(
        NotPermitted,
        item,
        lambda: lifecycle.item_approve_extension(item=item, by=world.user("inspector")),
    )
    item = lifecycle.item_approve_extension(item=item, by=world.user("leader"), note="同意")
    assert item.deadline == item.original_deadline + timedelta(days=10)
    request = ItemRequest.objects.get(item=item, type="extension")
    assert request.status == "approved" and request.decided_by == world.people["leader"]


def test_it_requires_evidence_and_fresh_evidence_after_a_return(world):
    item = lifecycle.item_start(item=make_item(world), by=world.user("cadre_gaige"))
    error = refused(
        ValidationError,
        item,
        lambda: lifecycle.item_submit(item=item, by=world.user("cadre_gaige")),
    )
    assert "evidence" in error.message_dict
    add_evidence(world, item)
    item = lifecycle.item_submit(item=item, by=world.user("cadre_gaige"))
    item = lifecycle.item_return(item=item, by=world.user("inspector"), reason="照片看不出复耕")
    # The photo sent before the return does not count again.
    refused(
        ValidationError,
        item,
        lambda: lifecycle.item_submit(item=item, by=world.user("cadre_gaige")),
    )
    add_evidence(world, item)
    assert lifecycle.item_submit(item=item, by=world.user("cadre_gaige")).state == State.SUBMITTED


def test_it_requires_fresh_evidence_after_a_reopening(world):
    item = drive_to_closed(world, make_item(world))
    item = lifecycle.item_reopen(item=item, by=world.user("inspector"), reason="回头看发现复荒")
    refused(
        ValidationError,
        item,
        lambda: lifecycle.item_submit(item=item, by=world.user("cadre_gaige")),
    )


def test_it_submits_without_evidence_where_the_category_does_not_ask_for_it(world):
    category = world.category("farmland-outflow")
    category.evidence_required = False
    category.save()
    item = lifecycle.item_start(item=make_item(world), by=world.user("cadre_gaige"))
    assert lifecycle.item_submit(item=item, by=world.user("cadre_gaige")).state == State.SUBMITTED


@pytest.mark.parametrize("blank", ["", "   ", None])
def test_it_requires_notes_and_reasons(world, blank, today):
    submitted = drive_to_submitted(world, make_item(world))
    closed = drive_to_closed(world, make_item(world))
    found = make_item(world)
    pending = lifecycle.item_request_extension(
        item=make_item(world),
        by=world.user("cadre_gaige"),
        new_deadline=today + timedelta(days=90),
        reason="雨季",
    )
    leader = world.user("leader")
    cases = [
        (submitted, "note", lambda: lifecycle.item_verify(item=submitted, by=leader, note=blank)),
        (
            submitted,
            "reason",
            lambda: lifecycle.item_return(item=submitted, by=leader, reason=blank),
        ),
        (closed, "reason", lambda: lifecycle.item_reopen(item=closed, by=leader, reason=blank)),
        (found, "reason", lambda: lifecycle.item_cancel(item=found, by=leader, reason=blank)),
        (
            found,
            "reason",
            lambda: lifecycle.item_request_extension(
                item=found, by=leader, new_deadline=today + timedelta(days=90), reason=blank
            ),
        ),
        (
            found,
            "reason",
            lambda: lifecycle.item_request_suspension(
                item=found, by=leader, resume_on=today + timedelta(days=90), reason=blank
            ),
        ),
        (
            pending,
            "reason",
            lambda: lifecycle.item_reject_extension(item=pending, by=leader, reason=blank),
        ),
    ]
    for item, field, call in cases:
        assert field in refused(ValidationError, item, call).message_dict


def test_it_refuses_a_stale_version(world):
    item = lifecycle.item_start(item=make_item(world), by=world.user("cadre_gaige"), version=1)
    assert item.version == 2
    error = refused(
        ConflictError,
        item,
        lambda: lifecycle.item_cancel(item=item, by=world.user("leader"), reason="重复", version=1),
        code="stale_version",
    )
    assert error.current_version == 2
    refused(
        ConflictError,
        item,
        lambda: lifecycle.item_update(
            item=item, by=world.user("leader"), changes={"title": "新标题"}, version=1
        ),
        code="stale_version",
    )
    assert (
        lifecycle.item_cancel(item=item, by=world.user("leader"), reason="重复", version=2).version
        == 3
    )


@pytest.mark.parametrize(
    ("action", "kwargs"),
    [
        ("submit", {}),
        ("verify", {"note": "已核查"}),
        ("return", {"reason": "不到位"}),
        ("reopen", {"reason": "复发"}),
        ("resume", {}),
    ],
)
def test_it_refuses_an_action_from_the_wrong_state(world, action, kwargs):
    item = make_item(world)  # found
    refused(
        ConflictError,
        item,
        lambda: lifecycle.ACTION_SERVICES[action](item=item, by=world.user("principal"), **kwargs),
        code="transition_not_allowed",
    )


def test_it_refuses_every_action_on_a_cancelled_item(world, today):
    item = lifecycle.item_cancel(item=make_item(world), by=world.user("leader"), reason="重复登记")
    for action, service in lifecycle.ACTION_SERVICES.items():
        kwargs = {
            "note": "x",
            "reason": "x",
            "new_deadline": today + timedelta(days=99),
            "resume_on": today + timedelta(days=9),
        }
        accepted = inspect.signature(service).parameters
        with pytest.raises(ConflictError):
            service(
                item=item,
                by=world.user("principal"),
                **{k: v for k, v in kwargs.items() if k in accepted},
            )
        assert action not in lifecycle.available_actions(world.user("principal"), item)
    assert Item.objects.get(pk=item.pk).state == State.CANCELLED
    with pytest.raises(ConflictError):
        lifecycle.item_update(item=item, by=world.user("leader"), changes={"title": "改"})


def test_it_never_lets_state_be_edited(world):
    item = make_item(world)
    with pytest.raises(ValidationError) as raised:
        lifecycle.item_update(item=item, by=world.user("leader"), changes={"state": State.CLOSED})
    assert "state" in raised.value.message_dict
    assert Item.objects.get(pk=item.pk).state == State.FOUND


def test_it_lets_only_approvers_change_owner_and_deadline(world, today):
    item = make_item(world)
    with pytest.raises(NotPermitted):
        lifecycle.item_update(
            item=item,
            by=world.user("cadre_gaige"),
            changes={"deadline": today + timedelta(days=99)},
        )
    with pytest.raises(NotPermitted):
        lifecycle.item_update(
            item=item, by=world.user("cadre_shuangsheng"), changes={"title": "改"}
        )
    item = lifecycle.item_update(
        item=item, by=world.user("cadre_gaige"), changes={"title": "三组撂荒地复耕（12亩）"}
    )
    assert item.version == 2 and item.title == "三组撂荒地复耕（12亩）"
    item = lifecycle.item_update(
        item=item, by=world.user("contact_gaige"), changes={"deadline": today + timedelta(days=99)}
    )
    assert item.deadline == today + timedelta(days=99) and item.original_deadline != item.deadline


@pytest.mark.parametrize("state", ["found", "rectifying", "submitted", "suspended", "cancelled"])
def test_it_keeps_a_closing_time_exactly_while_an_item_is_closed(world, state):
    item = drive_to_closed(world, make_item(world))
    assert item.closed_at is not None
    # The database itself refuses a closed item without a closing time, and an open one with.
    with pytest.raises(IntegrityError), transaction.atomic():
        Item.objects.filter(pk=item.pk).update(closed_at=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        Item.objects.filter(pk=item.pk).update(state=state)
    reopened = lifecycle.item_reopen(item=item, by=world.user("inspector"), reason="复查发现反弹")
    assert reopened.closed_at is None
