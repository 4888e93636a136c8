"""The demo town: built once per module by `maque demo --no-serve`, then checked from every side.

The build runs inside a transaction that is rolled back when the module is done, so the rest of
the suite never sees the demo's data.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, F, Q
from django.test import override_settings
from django.utils import timezone
from PIL import Image

from maque.core.geojson import validate_polygon
from maque.demo.geo import polygon_area_mu
from maque.demo.logins import PRINCIPAL_LOGINS
from maque.demo.town import demo_build, state_counts
from maque.ledger.attributes import clean_attributes
from maque.ledger.models import Attachment, Item, ItemRequest, ProgressLog, State, Transition
from maque.ledger.queries import with_indicators
from maque.organisation.access import actor_for
from maque.organisation.models import (
    ContactDepartment,
    Person,
    Plot,
    Role,
    RoleAssignment,
    Town,
    Village,
    VillageTeam,
)
from maque.organisation.queries import contact_department_on, responsible_on

PASSWORD = "demo-check-Pw-2026"


@dataclass
class Built:
    output: str
    town: Town
    media: Path


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker, tmp_path_factory):  # noqa: ANN001, ANN201
    media = tmp_path_factory.mktemp("demo-media")
    static = tmp_path_factory.mktemp("demo-static")
    previous = os.environ.get("MAQUE_DEMO_PASSWORD")
    os.environ["MAQUE_DEMO_PASSWORD"] = PASSWORD
    hashers = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    try:
        with (
            django_db_blocker.unblock(),
            override_settings(MEDIA_ROOT=media, STATIC_ROOT=static, PASSWORD_HASHERS=hashers),
            transaction.atomic(),
        ):
            output = StringIO()
            call_command("demo", "--no-serve", "--port", "8765", stdout=output)
            yield Built(output=output.getvalue(), town=Town.objects.get(code="hp"), media=media)
            transaction.set_rollback(True)
    finally:
        if previous is None:
            os.environ.pop("MAQUE_DEMO_PASSWORD", None)
        else:
            os.environ["MAQUE_DEMO_PASSWORD"] = previous


@pytest.fixture
def demo(built, db, settings):  # noqa: ANN001, ANN201
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return built


def test_it_builds_the_town_its_villages_and_teams(demo):
    town = demo.town
    assert (town.name, town.short_name, town.county, town.is_sample) == (
        "蒿坪镇",
        "蒿坪",
        "紫阳县",
        True,
    )
    villages = {village.name: village for village in Village.objects.filter(town=town)}
    assert {"改革村", "双胜村"} <= set(villages) and len(villages) >= 5
    assert all(village.is_sample for village in villages.values())
    assert "荷塘" in villages["改革村"].signature_product
    assert "富硒茶" in villages["双胜村"].signature_product
    teams = (
        VillageTeam.objects.filter(village__town=town)
        .values("village")
        .annotate(kinds=Count("kind", distinct=True))
    )
    assert {row["kinds"] for row in teams} == {4} and len(teams) == len(villages)
    assert all(village.groups.count() >= 4 for village in villages.values())
    assert Person.objects.filter(town=town, is_sample=False).count() == 0


def test_it_produces_every_state_and_situation(demo):
    counts = state_counts(demo.town)
    assert set(counts) == set(State.values)
    assert 250 <= sum(counts.values()) <= 400
    assert counts[State.CLOSED] >= 80 and counts[State.RECTIFYING] >= 80
    assert (
        min(
            counts[state]
            for state in (State.FOUND, State.SUBMITTED, State.SUSPENDED, State.CANCELLED)
        )
        >= 3
    )
    items = Item.objects.filter(town=demo.town)
    # Returned (整改不到位), twice (red), reopened, suspended with a resume date.
    assert items.filter(state=State.RECTIFYING, returned_count=1).exists()
    assert items.filter(returned_count__gte=2).exists()
    assert items.filter(state=State.CLOSED, returned_count__gte=1).exists()
    assert items.filter(state=State.RECTIFYING, reopened_count__gte=1).exists()
    today = timezone.localdate()
    assert (
        not items.filter(state=State.SUSPENDED)
        .filter(Q(suspended_until__lte=today) | Q(suspended_until=None))
        .exists()
    )
    # Extension requests pending, approved and rejected; a suspension awaiting a decision.
    requests = ItemRequest.objects.filter(item__town=demo.town)
    for type_, status in (
        ("extension", "pending"),
        ("extension", "approved"),
        ("extension", "rejected"),
        ("suspension", "approved"),
        ("suspension", "pending"),
    ):
        assert requests.filter(type=type_, status=status).exists(), (type_, status)
    assert items.filter(extension_count__gte=1).exclude(deadline=F("original_deadline")).exists()
    # Overdue by 1, 3, 7 and 15+ days (the escalation ladder), counted in the database.
    overdue = set(
        with_indicators(items).filter(overdue=True).values_list("days_overdue", flat=True)
    )
    assert {1, 3, 7} <= overdue and max(overdue) >= 15
    lights = set(with_indicators(items).values_list("light", flat=True))
    assert lights == {"red", "yellow", "green", "grey", "blue"}
    # Dates relative to today: found in the past, deadlines on both sides of today.
    assert not items.filter(found_on__gt=today).exists()
    assert items.filter(deadline__gt=today).exists() and items.filter(deadline__lt=today).exists()


def test_it_is_idempotent(demo):
    before = (
        Item.objects.count(),
        Person.objects.count(),
        Plot.objects.count(),
        Transition.objects.count(),
        Attachment.objects.count(),
        RoleAssignment.objects.count(),
        Town.objects.count(),
    )
    again = demo_build()
    assert again.created is False and again.town == demo.town
    after = (
        Item.objects.count(),
        Person.objects.count(),
        Plot.objects.count(),
        Transition.objects.count(),
        Attachment.objects.count(),
        RoleAssignment.objects.count(),
        Town.objects.count(),
    )
    assert before == after
    assert again.states == state_counts(demo.town)


def test_it_keeps_shuangsheng_history_of_contact_cadre_and_department(demo):
    village = Village.objects.get(town=demo.town, name="双胜村")
    closed = RoleAssignment.objects.get(village=village, role=Role.CADRE, valid_to__isnull=False)
    current = RoleAssignment.objects.get(village=village, role=Role.CADRE, valid_to__isnull=True)
    change = current.valid_from
    assert closed.valid_to == change - timedelta(days=1)
    assert change < timezone.localdate()
    assert responsible_on(village=village, role=Role.CADRE, day=change - timedelta(days=1)) == [
        closed.person
    ]
    assert responsible_on(village=village, role=Role.CADRE, day=change - timedelta(days=90)) == [
        closed.person
    ]
    assert responsible_on(village=village, role=Role.CADRE, day=change) == [current.person]
    assert responsible_on(village=village, role=Role.CADRE, day=timezone.localdate()) == [
        current.person
    ]
    assert current.person.user.username == "demo-cadre-shuangsheng"
    assert closed.person != current.person
    before = contact_department_on(village=village, day=change - timedelta(days=1))
    after = contact_department_on(village=village, day=change)
    assert before is not None and after is not None and before.department != after.department
    assert ContactDepartment.objects.filter(village=village).count() == 2
    # The closing of the old rows is itself kept in history (before/after).
    assert closed.history.count() == 2 and before.history.count() == 2
    # The contact leader of 双胜村 did not change; his answer is the same on both sides.
    assert responsible_on(
        village=village, role=Role.CONTACT_LEADER, day=change - timedelta(days=1)
    ) == responsible_on(village=village, role=Role.CONTACT_LEADER, day=change)
    # Items of the old cadre still open on the day of the change were handed over to the new one.
    open_states = (State.FOUND, State.RECTIFYING, State.SUBMITTED, State.SUSPENDED)
    assert not Item.objects.filter(
        village=village, owner=closed.person, state__in=open_states
    ).exists()


def test_it_closes_items_only_with_a_verifier_who_is_not_the_owner_and_with_evidence(demo):
    closed = Item.objects.filter(town=demo.town, state=State.CLOSED)
    assert closed.filter(verified_by__isnull=True).count() == 0
    assert closed.filter(Q(verified_by=F("owner")) | Q(verified_by=F("submitted_by"))).count() == 0
    assert closed.filter(attachments__isnull=True).count() == 0
    verify = Transition.objects.filter(item__in=closed, action="verify").exclude(reason="")
    assert verify.values("item").distinct().count() == closed.count()
    photo = Attachment.objects.filter(item__in=closed, kind="photo").first()
    # Stored through Django storage under the build's media root (tests get their own per test).
    with Image.open(demo.media / photo.file.name) as image:
        assert image.format == "JPEG" and image.size[0] >= 320


def test_it_records_every_state_change_through_the_lifecycle(demo):
    items = Item.objects.filter(town=demo.town)
    assert items.exists()
    assert Transition.objects.filter(item__in=items, action="create").count() == items.count()
    # Each item's state is where its last state-changing transition left it.
    for item in items.prefetch_related("transitions"):
        last = list(item.transitions.all())[-1]
        assert last.to_state == item.state, item.code
    returns = Transition.objects.filter(item__in=items, action="return")
    assert returns.exists() and not returns.filter(reason="").exists()
    assert all(
        reason.startswith("整改不到位") for reason in returns.values_list("reason", flat=True)
    )
    # The replayed timeline reads in order: found, then the work, never in the future.
    now = timezone.now()
    assert not Transition.objects.filter(item__in=items, created_at__gt=now).exists()
    assert not ProgressLog.objects.filter(item__in=items, created_at__gt=now).exists()
    assert Transition.objects.filter(
        item__in=items, created_at__lt=now - timedelta(days=30)
    ).exists()


def test_it_fills_category_fields_that_validate_and_plots_with_polygons(demo):
    # Items of a category (a topic's action items have none, nor fields to fill).
    items = Item.objects.filter(town=demo.town, category__isnull=False).select_related(
        "category", "village", "plot"
    )
    assert items.exists() and any("plot" in item.attributes for item in items)
    for item in items:
        # Items without a category (a project's milestones under 和美乡村建设) have no fields.
        assert item.category is not None or item.attributes == {}
        assert (
            item.category is None
            or clean_attributes(item.category, item.attributes, village=item.village)
            == item.attributes
        )
        if "plot" in item.attributes:
            assert item.plot is not None and item.plot.code == item.attributes["plot"]
        assert item.title and item.description and item.measures
    plots = Plot.objects.filter(town=demo.town)
    assert plots.count() >= 100
    for plot in plots:
        validate_polygon(plot.polygon)
        ring = plot.polygon["coordinates"][0]
        assert ring[0] == ring[-1]
        assert (
            abs(polygon_area_mu(plot.polygon) - float(plot.area_mu))
            <= 0.02 * float(plot.area_mu) + 0.01
        )
        assert 0.3 <= float(plot.area_mu) <= 8
        assert abs(ring[0][0] - 108.5) < 0.1 and abs(ring[0][1] - 32.5) < 0.1
    assert Plot.objects.filter(town=demo.town, status=Plot.Status.RESTORED).exists()


EXPECTED_ROLES = {
    "demo-principal": (Role.PRINCIPAL, None),
    "demo-leader": (Role.LEADER, None),
    "demo-leader-petitions": (Role.LEADER, None),
    "demo-inspector": (Role.INSPECTOR, None),
    "demo-discipline": (Role.DISCIPLINE, None),
    "demo-contact-gaige": (Role.CONTACT_LEADER, "改革村"),
    "demo-cadre-gaige": (Role.CADRE, "改革村"),
    "demo-secretary-gaige": (Role.SECRETARY, "改革村"),
    "demo-cadre-shuangsheng": (Role.CADRE, "双胜村"),
}


def test_it_gives_every_demo_login_its_role_and_the_password(demo):
    user_model = get_user_model()
    admin = user_model.objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff
    assert authenticate(username="admin", password=PASSWORD) == admin
    for username, (role, village_name) in EXPECTED_ROLES.items():
        user = user_model.objects.get(username=username)
        assert authenticate(username=username, password=PASSWORD) == user, username
        actor = actor_for(user)
        if village_name is None:
            assert actor.town_ids_for(role) == {demo.town.pk}, username
        else:
            village = Village.objects.get(town=demo.town, name=village_name)
            assert actor.village_ids(role) == {village.pk}, username
    assert authenticate(username="demo-principal", password="wrong") is None


def test_its_petitions_are_handled_by_the_leader_in_charge_of_them(demo):
    from maque.petitions.models import Petition
    from maque.petitions.policies import handler_town_ids

    user_model = get_user_model()
    petitions_leader = user_model.objects.get(username="demo-leader-petitions")
    rectifications_leader = user_model.objects.get(username="demo-leader")
    assert handler_town_ids(actor_for(petitions_leader)) == {demo.town.pk}
    assert handler_town_ids(actor_for(rectifications_leader)) == set()
    petitions = Petition.objects.filter(town=demo.town)
    assert petitions.exists()
    assert set(petitions.values_list("created_by__username", flat=True)) == {
        "demo-leader-petitions"
    }
    assert Petition.objects.visible_to(petitions_leader).count() == petitions.count()
    assert not Petition.objects.visible_to(rectifications_leader).exists()


def test_it_prints_the_url_and_the_logins_with_their_roles(demo):
    output = demo.output
    assert "http://127.0.0.1:8765/" in output
    assert PASSWORD in output
    for username in PRINCIPAL_LOGINS:
        assert username in output
    assert "联村领导（改革村）" in output and "主要领导" in output


def test_it_ships_the_bulletins_of_its_recent_working_days(demo):  # noqa: ANN001
    from maque.bulletins.models import Bulletin
    from maque.rhythm.calendar import is_working_day

    bulletins = list(Bulletin.objects.filter(town=demo.town).order_by("number"))
    assert len(bulletins) == 5
    assert [b.number for b in bulletins] == [1, 2, 3, 4, 5]
    assert all(b.scheduled and is_working_day(demo.town, b.day) for b in bulletins)
    assert [b.day for b in bulletins] == sorted(b.day for b in bulletins)
    assert bulletins[0].snapshot["totals"]["total"] > 0
    assert bulletins[-1].snapshot["previous"] == bulletins[-2].code


def test_it_tells_the_joint_deliberation_of_gaige(demo):
    from maque.deliberation.models import Topic

    topics = Topic.objects.filter(town=demo.town, village__name="改革村")
    states = {topic.title: topic.state for topic in topics}
    assert states["三组路灯不亮"] == "answered" and states["村道路灯坏了晚上看不见"] == "merged"
    assert states["希望村里统一收购我家的茶叶"] == "declined"
    assert states["荷塘园区观光步道延伸到三组"] == "implementing"
    assert "submitted" in states.values()
    answered = topics.filter(state="answered")
    assert answered.count() == 2 and all(topic.satisfaction for topic in answered)
    assert topics.filter(source="meeting").exists() and topics.filter(source="public").exists()
    assert all(topic.decline_reason for topic in topics.filter(state="declined"))


def test_it_picks_a_few_sparrows_and_tracks_its_projects(demo):  # noqa: ANN001
    from maque.diagnosis.models import EntryState, VillageSnapshot, WatchEntry
    from maque.projects.models import Project
    from maque.projects.queries import figures
    from maque.rhythm.calendar import WorkingCalendar

    town = demo.town
    today = timezone.localdate()
    by_rules = WatchEntry.objects.filter(town=town, proposed_by__isnull=True)
    # The rules single out a few villages, not every one of the seven.
    assert 1 <= by_rules.count() <= 3
    assert VillageSnapshot.objects.filter(town=town, day=today).count() == 7
    dissected = WatchEntry.objects.get(town=town, state=EntryState.DISSECTED)
    record = dissected.dissection
    assert record.causes.count() == 3 and record.resources.count() == 2
    assert all(m.item.owner_id and m.item.deadline > today for m in record.measures.all())
    assert record.field_walks.count() == 1 and record.meeting.kind == "solving"
    if by_rules.count() > 1:
        dismissed = WatchEntry.objects.get(town=town, state=EntryState.DISMISSED)
        assert dismissed.events.get(action="dismiss").reason
    exited = WatchEntry.objects.get(town=town, state=EntryState.EXITED)
    assert list(exited.events.values_list("action", flat=True)) == [
        "propose",
        "accept",
        "propose_exit",
        "exit",
    ]
    hetang = Project.objects.get(town=town, code="hetang-park")
    assert [m.item.title for m in hetang.milestones.select_related("item")] == [
        "荷塘清淤",
        "木栈道建设",
        "荷花种植",
        "观光步道",
    ]
    found = figures([hetang], today, WorkingCalendar.of(town))[hetang.pk]
    assert 0 < found["deviation"] < 20  # a little behind plan
    assert Project.objects.get(town=town, code="shuangsheng-harmonious").campaign.code == (
        "harmonious-village"
    )


def test_it_tells_the_meetings_that_count_and_the_four_deliberations(demo):  # noqa: ANN001
    from maque.decisions.lifecycle import next_step
    from maque.decisions.models import Step, VillageDecision
    from maque.meetings.models import Meeting, Resolution

    floor = VillageDecision.objects.get(town=demo.town, title="晒场建设")
    assert next_step(floor) == Step.REVIEW  # standing at the party-member assembly
    taken = list(floor.steps.order_by("on").select_related("meeting", "resolution"))
    assert [row.step for row in taken] == [Step.PROPOSE, Step.DISCUSS]
    assert all(
        row.meeting.status == "held" and row.resolution.passed and row.meeting.roll.exists()
        for row in taken
    )
    unquorate = Resolution.objects.get(
        meeting__town=demo.town,
        meeting__kind="representatives",
        meeting__title__contains="土地流转",
    )
    assert unquorate.outcome == Resolution.Outcome.NOT_QUORATE
    assert "13" in unquorate.refusal and "21" in unquorate.refusal
    forum = Meeting.objects.get(
        town=demo.town, title__contains="抓住新机遇、迎接新挑战、加快新发展"
    )
    assert forum.villages.get().name == "双胜村"
    assert "包村领导报告" in forum.minutes and "村党支部书记报告" in forum.minutes
    grasps = list(forum.resolutions.order_by("order"))
    assert [r.text[:3] for r in grasps] == ["抓产业", "抓设施", "抓环境", "抓治理"]
    assert all(r.passed and r.actions.get().item is not None for r in grasps)


def test_it_tells_the_field_work_legacy_matters_and_petitions(demo):  # noqa: ANN001
    from maque.fieldwork.models import FieldVisit, PublicityRecord
    from maque.ledger.models import CoordinationLog, Kind
    from maque.petitions.models import Petition, PetitionNotice
    from maque.petitions.models import State as PetitionState
    from maque.rhythm.models import rhythm_settings

    today = timezone.localdate()
    visits = FieldVisit.objects.filter(town=demo.town)
    villages = set(visits.values_list("village__name", flat=True))
    assert villages == {"改革村", "双胜村"}
    assert visits.filter(visited_at__date__lt=today - timedelta(days=60)).exists()
    assert all(visit.photos.exists() for visit in visits)
    assert visits.filter(policies__code="farmland-protection").exists()
    assert visits.filter(policies__code="industry-subsidy").exists()
    registered = Item.objects.filter(town=demo.town, visit_link__isnull=False)
    assert registered.count() == 2
    assert all(item.attachments.exists() and item.household_id for item in registered)
    broadcast = PublicityRecord.objects.get(town=demo.town, method="loudspeaker")
    assert broadcast.policy.name == "耕地保护"

    legacy = with_indicators(
        Item.objects.filter(village__name="双胜村", kind=Kind.LEGACY), day=today
    )
    assert {(i.importance, i.urgency) for i in legacy} == {
        ("major", "urgent"),
        ("major", "slack"),
        ("minor", "urgent"),
        ("minor", "slack"),
    }
    assert all(i.open_ended and not i.overdue for i in legacy)
    days = rhythm_settings(demo.town).legacy_contact_days
    last = {
        i.pk: max(CoordinationLog.objects.filter(item=i).values_list("on", flat=True))
        for i in legacy
    }
    late = [pk for pk, day in last.items() if (today - day).days > days]
    assert len(late) == 1

    petitions = Petition.objects.filter(town=demo.town)
    assert set(petitions.values_list("state", flat=True)) == set(PetitionState.values)
    assert petitions.filter(extension_days__gt=0).count() == 1
    assert petitions.filter(state=PetitionState.REVIEW_REQUESTED).count() == 1
    assert petitions.filter(state=PetitionState.REGISTERED, due_on__lt=today).count() == 1
    notices = PetitionNotice.objects.filter(town=demo.town)
    assert set(notices.values_list("kind", flat=True)) == {
        "acceptance",
        "non_acceptance",
        "extension",
        "reply",
    }
    decided = petitions.exclude(state=PetitionState.REGISTERED)
    assert all(p.notices.exists() for p in decided)


def test_it_sets_the_goals_of_gaige_and_shuangsheng(demo):  # noqa: ANN001
    from maque.diagnosis import goals
    from maque.diagnosis.models import VillageGoal

    for name in ("改革村", "双胜村"):
        shown = VillageGoal.objects.filter(town=demo.town, village__name=name, active=True)
        assert sorted(shown.values_list("horizon", flat=True)) == ["long", "near", "standing"]
        for goal in shown:
            links = goals.goal_links(goal)
            assert links, goal.title
            # Where anything counts, the progress is the mean of the counted shares.
            counted = [link.share for link in links if link.share is not None]
            expected = round(sum(counted) / len(counted), 1) if counted else None
            assert goals.goal_progress(links) == expected
        long = shown.get(horizon="long")
        assert long.projects.exists() and goals.goal_progress(goals.goal_links(long)) is not None
