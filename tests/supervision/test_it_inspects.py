"""Biweekly inspection rounds, findings through the lifecycle, and look-backs."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from maque.accountability.models import AccountabilityCase
from maque.ledger.errors import ConflictError, NotPermitted
from maque.ledger.models import Item, Source, State
from maque.supervision.models import (
    FindingPhoto,
    InspectionFinding,
    InspectionRound,
    Outcome,
    ReviewCheck,
    SampleReason,
)
from maque.supervision.queries import round_report
from maque.supervision.services import (
    finding_new_problem,
    finding_record,
    review_open,
    review_record,
    round_open,
    round_rederive,
    sample_random,
)
from maque.supervision.tick import open_due_rounds
from tests.conftest import drive_to_closed, drive_to_submitted, make_item, photo


@pytest.fixture
def ledger(world):  # noqa: ANN001, ANN201
    """改革村: 12 open, 1 submitted, 1 closed; 双胜村: 2 open."""
    for number in range(12):
        make_item(world, title=f"改革村问题{number}")
    drive_to_submitted(world, make_item(world, title="待验收"))
    drive_to_closed(world, make_item(world, title="已销号"))
    for number in range(2):
        make_item(
            world,
            persona="cadre_shuangsheng",
            village=world.shuangsheng,
            title=f"双胜村问题{number}",
        )
    return world


def test_it_samples_every_submitted_and_closed_item_and_a_share_of_open_ones(ledger):
    world = ledger
    inspection_round = round_open(town=world.town, by=world.user("inspector"))
    samples = list(inspection_round.samples.select_related("item"))
    reasons = {s.item.title: s.reason for s in samples}
    assert reasons["待验收"] == SampleReason.SUBMITTED and reasons["已销号"] == SampleReason.CLOSED
    random_by_village: dict[int, int] = {}
    for s in samples:
        if s.reason == SampleReason.RANDOM:
            random_by_village[s.village_id] = random_by_village.get(s.village_id, 0) + 1
    # 10% of 12 is 2: the minimum of 3 applies; 双胜村 has only 2 open items.
    assert random_by_village == {world.gaige.pk: 3, world.shuangsheng.pk: 2}


def test_it_derives_the_same_sample_again_from_the_stored_seed(ledger):
    world = ledger
    inspection_round = round_open(town=world.town, by=world.user("inspector"))
    stored: dict[str, list[int]] = {}
    for s in inspection_round.samples.filter(reason=SampleReason.RANDOM).order_by("item_id"):
        stored.setdefault(str(s.village_id), []).append(s.item_id)
    reloaded = InspectionRound.objects.get(pk=inspection_round.pk)
    assert round_rederive(reloaded) == stored
    # Another seed draws differently (with 12 items, 3 of them: 220 possible draws).
    draws = {
        tuple(
            sample_random(seed=seed, population=reloaded.population, percent=10, minimum=3)[
                str(world.gaige.pk)
            ]
        )
        for seed in range(20)
    }
    assert len(draws) > 1


def test_it_covers_only_changes_since_the_last_round(ledger):
    world = ledger
    first = round_open(town=world.town, by=world.user("inspector"))
    second = round_open(town=world.town, by=world.user("inspector"))
    assert second.number == first.number + 1 and second.since == first.until
    reasons = set(second.samples.values_list("reason", flat=True))
    # The submitted item still waits for verification; the closed one was covered last time.
    assert SampleReason.CLOSED not in reasons
    assert second.samples.filter(reason=SampleReason.SUBMITTED).count() == 1


def test_it_records_findings_through_the_lifecycle(ledger):
    world = ledger
    inspection_round = round_open(town=world.town, by=world.user("inspector"))
    by_title = {s.item.title: s for s in inspection_round.samples.select_related("item")}
    inspector = world.user("inspector")
    submitted = finding_record(
        sample=by_title["待验收"], by=inspector, outcome=Outcome.INADEQUATE, note="复耕面积不足"
    )
    assert Item.objects.get(pk=submitted.item_id).state == State.RECTIFYING
    assert Item.objects.get(pk=submitted.item_id).returned_count == 1
    with pytest.raises(ValidationError) as refused:
        finding_record(
            sample=by_title["已销号"], by=inspector, outcome=Outcome.FALSE_CLOSE, note="仍为撂荒"
        )
    assert "photos" in refused.value.message_dict  # a false close-out needs its photo
    assert Item.objects.get(pk=by_title["已销号"].item_id).state == State.CLOSED
    closed = finding_record(
        sample=by_title["已销号"],
        by=inspector,
        outcome=Outcome.FALSE_CLOSE,
        note="仍为撂荒",
        photos=[photo("still-abandoned.jpg")],
    )
    assert closed.photos.get().original_name == "still-abandoned.jpg"
    item = Item.objects.get(pk=closed.item_id)
    assert item.state == State.RECTIFYING and item.reopened_count == 1
    case = AccountabilityCase.objects.get(town=world.town, rule="false_close_out")
    assert case.subject_person == item.owner and case.village == item.village
    random_sample = next(s for s in by_title.values() if s.reason == SampleReason.RANDOM)
    passed = finding_record(
        sample=random_sample, by=inspector, outcome=Outcome.PASS, note="符合要求"
    )
    assert Item.objects.get(pk=passed.item_id).state == State.FOUND
    with pytest.raises(ConflictError):
        finding_record(sample=random_sample, by=inspector, outcome=Outcome.PASS, note="再记一次")
    with pytest.raises(NotPermitted):
        finding_record(
            sample=by_title["改革村问题0"] if "改革村问题0" in by_title else random_sample,
            by=world.user("cadre_gaige"),
            outcome=Outcome.PASS,
            note="x",
        )
    new = finding_new_problem(
        round=inspection_round,
        by=inspector,
        village=world.gaige,
        campaign=world.campaign,
        category=world.category("farmland-outflow"),
        title="督查新发现撂荒",
        note="四组新发现",
        owner=world.people["cadre_gaige"],
        attributes={
            "plot": "GG-001",
            "area_mu": "1.2",
            "current_use": "撂荒",
            "target_use": "复耕",
        },
    )
    assert new.item.source == Source.INSPECTION and new.outcome == Outcome.NEW_PROBLEM
    report = {row["village"]: row for row in round_report(round=inspection_round)}
    gaige = report["改革村"]
    assert (
        gaige["inspected"],
        gaige["passed"],
        gaige["inadequate"],
        gaige["false_close"],
        gaige["new_problems"],
    ) == (
        (3 if random_sample.village_id == world.gaige.pk else 2),
        (1 if random_sample.village_id == world.gaige.pk else 0),
        1,
        1,
        1,
    )
    assert report["双胜村"]["sampled"] == 2


def test_it_refuses_a_false_close_out_on_an_open_item(ledger):
    world = ledger
    inspection_round = round_open(town=world.town, by=world.user("inspector"))
    sample = inspection_round.samples.filter(reason=SampleReason.RANDOM).first()
    with pytest.raises(ValidationError):
        finding_record(
            sample=sample,
            by=world.user("inspector"),
            outcome=Outcome.FALSE_CLOSE,
            note="x",
            photos=[photo()],
        )
    assert not InspectionFinding.objects.exists() and not FindingPhoto.objects.exists()


def test_it_takes_only_photos_and_at_most_three_on_a_finding(ledger):
    world = ledger
    inspection_round = round_open(town=world.town, by=world.user("inspector"))
    sample = inspection_round.samples.filter(reason=SampleReason.RANDOM).first()
    not_a_photo = SimpleUploadedFile("notes.jpg", b"%PDF-1.4 not a photo", "image/jpeg")
    for photos in ([not_a_photo], [photo(f"{n}.jpg") for n in range(4)]):
        with pytest.raises(ValidationError) as refused:
            finding_record(
                sample=sample,
                by=world.user("inspector"),
                outcome=Outcome.PASS,
                note="符合要求",
                photos=photos,
            )
        assert "photos" in refused.value.message_dict
    assert not InspectionFinding.objects.exists() and not FindingPhoto.objects.exists()


def test_it_opens_the_scheduled_round_every_fortnight_once(ledger):
    monday = datetime(2026, 11, 23)
    now = timezone.make_aware(datetime.combine(monday, time(10, 0)))
    assert open_due_rounds(now=now) == 1
    assert open_due_rounds(now=now + timedelta(minutes=1)) == 0
    assert open_due_rounds(now=now + timedelta(days=7)) == 0
    assert open_due_rounds(now=now + timedelta(days=14)) == 1
    assert InspectionRound.objects.filter(scheduled=True).count() == 2


def test_it_reopens_an_item_that_relapsed_in_a_look_back(ledger):
    world = ledger
    review = review_open(by=world.user("inspector"), category=world.category("farmland-outflow"))
    check = review.checks.get()
    assert check.item.title == "已销号"
    review_record(
        check=check,
        by=world.user("inspector"),
        outcome=ReviewCheck.Outcome.RELAPSE,
        note="再次撂荒",
    )
    item = Item.objects.get(pk=check.item_id)
    assert item.state == State.RECTIFYING and item.reopened_count == 1
    assert item.transitions.filter(action="reopen", via="review").exists()
    with pytest.raises(ConflictError):
        review_record(check=check, by=world.user("inspector"), outcome=ReviewCheck.Outcome.HOLDS)


def test_it_serves_rounds_through_the_api(ledger, client):
    world = ledger
    client.force_login(world.user("inspector"))
    response = client.post(
        "/api/v1/inspections", {"percent": 50, "minimum": 1}, content_type="application/json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    sample = next(s for s in body["samples"] if s["title"] == "待验收")
    finding = client.post(
        f"/api/v1/inspections/{body['id']}/samples/{sample['id']}/finding",
        {"outcome": "inadequate", "note": "面积不足"},
        content_type="application/json",
    )
    assert finding.status_code == 201 and finding.json()["item_state"] == State.RECTIFYING
    read = client.get(f"/api/v1/inspections/{body['id']}").json()
    assert any(row["inadequate"] == 1 for row in read["report"])
    client.force_login(world.user("cadre_gaige"))
    assert (
        client.post("/api/v1/inspections", {}, content_type="application/json").status_code == 403
    )
    assert client.get(f"/api/v1/inspections/{body['id']}").status_code == 404


def test_it_samples_a_first_round_from_the_last_round_interval_not_all_history(ledger):
    from datetime import timedelta

    from django.utils import timezone

    from maque.ledger.models import Item

    world = ledger
    # A close-out of long ago: registered and closed 90 days back.
    old = drive_to_closed(world, make_item(world, title="早已销号"))
    long_ago = timezone.now() - timedelta(days=90)
    Item.objects.filter(pk=old.pk).update(closed_at=long_ago, submitted_at=long_ago)
    inspection_round = round_open(town=world.town, by=world.user("inspector"))
    titles = set(inspection_round.samples.values_list("item__title", flat=True))
    assert "已销号" in titles and "待验收" in titles  # within the last 14 days, or still waiting
    assert "早已销号" not in titles
    assert timezone.now() - inspection_round.since <= timedelta(days=14, minutes=1)
