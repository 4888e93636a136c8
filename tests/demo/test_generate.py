"""The synthetic data set holds the same invariants as data made through the lifecycle."""

from __future__ import annotations

from collections import Counter, defaultdict

import pytest
from django.core.management import call_command
from django.db.models import Max
from django.utils import timezone

from maque.demo.generate import generate_dataset
from maque.ledger import lifecycle
from maque.ledger.attributes import clean_attributes
from maque.ledger.models import (
    OPEN_STATES,
    Attachment,
    Item,
    ItemCounter,
    ItemRequest,
    ProgressLog,
    State,
    Transition,
)
from maque.ledger.queries import with_indicators
from maque.organisation.access import actor_for
from maque.organisation.models import Person, Role, RoleAssignment, Town, Village

pytestmark = pytest.mark.django_db


@pytest.fixture
def dataset():  # noqa: ANN201
    return generate_dataset(villages=4, items=240, seed=7, towns=2, batch_size=70)


def test_it_generates_what_it_reports(dataset):
    assert dataset.towns == 2 and dataset.villages == 4 and dataset.items == 240
    assert Town.objects.filter(pk__in=dataset.town_ids, is_sample=True).count() == 2
    assert Village.objects.filter(town_id__in=dataset.town_ids).count() == 4
    assert Item.objects.count() == 240
    assert Transition.objects.count() == dataset.transitions
    assert Attachment.objects.count() == dataset.attachments
    assert set(Item.objects.values_list("state", flat=True)) == set(State.values)


def test_it_records_a_transition_for_every_state_change(dataset):
    chains: dict[int, list[Transition]] = defaultdict(list)
    for transition in Transition.objects.order_by("item_id", "created_at", "id"):
        chains[transition.item_id].append(transition)
    assert Item.objects.count() == dataset.items and ProgressLog.objects.exists()
    for item in Item.objects.all():
        chain = chains[item.pk]
        assert (
            chain[0].action == "create" and chain[0].from_state == chain[0].to_state == State.FOUND
        )
        for before, after in zip(chain, chain[1:], strict=False):
            assert after.from_state == before.to_state, (item.code, [t.action for t in chain])
            assert after.created_at >= before.created_at
        assert chain[-1].to_state == item.state
        # Every saved action moved the version on by one, as the lifecycle does.
        assert item.version == len(chain)
        assert item.created_at <= item.updated_at <= timezone.now()
        # Progress is reported while the work is under way: after start, before what came next.
        for log in item.progress_logs.all():
            started = next(t for t in chain if t.action == "start")
            following = [t for t in chain if t.created_at > started.created_at]
            assert started.created_at <= log.created_at
            assert not following or log.created_at <= following[0].created_at
            assert item.last_progress_at == log.created_at


def test_it_closes_items_only_with_a_verifier_who_did_not_do_the_work(dataset):
    closed = Item.objects.filter(state=State.CLOSED)
    assert closed.exists()
    for item in closed:
        assert item.verified_by_id is not None and item.closed_at is not None
        assert item.verified_by_id not in {item.owner_id, item.submitted_by_id}
        assert item.progress_percent == 100
        verify = item.transitions.filter(action="verify").latest("created_at", "id")
        assert verify.actor_id == item.verified_by_id
        # The verifier holds a role the category lets verify.
        actor = actor_for(item.verified_by.user)
        assert lifecycle.roles_on_item(actor, item) & lifecycle.allowed_roles("verify", item)
    assert not Item.objects.exclude(state=State.CLOSED).filter(verified_by__isnull=False).exists()


def test_it_gives_submitted_work_fresh_evidence(dataset):
    checked = Item.objects.filter(state__in=(State.SUBMITTED, State.CLOSED))
    assert (
        checked.filter(state=State.SUBMITTED).exists()
        and checked.filter(state=State.CLOSED).exists()
    )
    for item in checked:
        assert lifecycle.has_fresh_evidence(item), item.code
        assert item.submitted_by_id == item.owner_id


def test_it_issues_unique_codes_and_moves_the_counters(dataset):
    codes = Counter(Item.objects.values_list("town_id", "code"))
    assert sum(codes.values()) == dataset.items and max(codes.values()) == 1
    for item in Item.objects.select_related("town"):
        prefix, year, number = item.code.split("-")
        assert (prefix, int(year), len(number)) == (item.town.code.upper(), item.found_on.year, 5)
        assert item.year == item.found_on.year
    for row in Item.objects.values("town_id", "year").annotate(n=Max("code")):
        counter = ItemCounter.objects.get(town_id=row["town_id"], year=row["year"])
        assert counter.last == int(row["n"].rsplit("-", 1)[1])


def test_it_keeps_requests_counts_and_dates_consistent(dataset):
    today = timezone.localdate()
    assert Item.objects.count() == dataset.items
    assert (
        Item.objects.filter(state=State.SUSPENDED).exists()
        and Item.objects.filter(extension_count__gte=1).exists()
    )
    for item in Item.objects.all():
        assert item.found_on <= today and item.deadline >= item.original_deadline >= item.found_on
        approved = item.requests.filter(status=ItemRequest.Status.APPROVED)
        assert approved.filter(type=ItemRequest.Type.EXTENSION).count() == item.extension_count
        assert item.transitions.filter(action="return").count() == item.returned_count
        assert item.transitions.filter(action="reopen").count() == item.reopened_count
        if item.state == State.SUSPENDED:
            request = approved.get(type=ItemRequest.Type.SUSPENSION)
            assert item.suspended_until == request.resume_on and item.suspended_until > today
        else:
            assert item.suspended_until is None
    assert not ItemRequest.objects.filter(status=ItemRequest.Status.PENDING).exists()


def test_it_fills_category_fields_that_validate(dataset):
    assert Item.objects.count() == dataset.items
    for item in Item.objects.select_related("category", "village"):
        assert (
            clean_attributes(item.category, item.attributes, village=item.village)
            == item.attributes
        )


def test_it_gives_owners_and_verifiers_their_roles(dataset):
    today = timezone.localdate()
    assert Item.objects.count() == dataset.items
    for item in Item.objects.all():
        owner_roles = set(
            RoleAssignment.objects.on(today)
            .filter(person_id=item.owner_id, village_id=item.village_id)
            .values_list("role", flat=True)
        )
        assert owner_roles & {Role.CADRE, Role.SECRETARY}
    leader = (
        RoleAssignment.objects.filter(role=Role.CONTACT_LEADER)
        .select_related("person__user")
        .first()
    )
    visible = Item.objects.visible_to(leader.person.user)
    assert (
        visible.filter(village_id=leader.village_id).count()
        == Item.objects.filter(village_id=leader.village_id).count()
    )
    assert not visible.exclude(village__in=leader.person.assignments.values("village")).exists()


def test_it_never_counts_finished_or_suspended_items_as_overdue(dataset):
    items = with_indicators(Item.objects.all())
    assert items.filter(overdue=True).exists()
    assert not items.filter(overdue=True).exclude(state__in=OPEN_STATES).exists()


def test_it_leaves_items_the_lifecycle_can_carry_on_with(dataset):
    item = (
        Item.objects.filter(state=State.SUBMITTED, category__code="farmland-outflow")
        .select_related("village")
        .first()
    )
    leader = Person.objects.get(
        assignments__role=Role.CONTACT_LEADER, assignments__village=item.village
    )
    item = lifecycle.item_verify(item=item, by=leader.user, note="抽查合格", version=item.version)
    assert item.state == State.CLOSED and item.transitions.last().action == "verify"
    owner = item.owner
    new = lifecycle.item_create(
        by=owner.user,
        campaign=item.campaign,
        category=item.category,
        village=item.village,
        title="新发现问题",
        attributes=item.attributes,
    )
    counter = ItemCounter.objects.get(town_id=item.town_id, year=new.year)
    assert new.code.endswith(f"{counter.last:05d}")
    assert Item.objects.filter(town_id=item.town_id, code=new.code).count() == 1


def test_it_refuses_to_generate_the_same_seed_twice(dataset):
    with pytest.raises(ValueError, match="seed 7"):
        generate_dataset(villages=1, items=1, seed=7)
    assert Item.objects.count() == 240


def test_it_runs_as_a_command(capsys):
    call_command("generate", villages=2, items=30, seed=3)
    out = capsys.readouterr()
    assert "30 items" in out.out
    assert "items: 30/30 (100%)" in out.err
    assert Item.objects.count() == 30
