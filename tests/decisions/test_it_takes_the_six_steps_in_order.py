"""四议两公开: six steps in order, each on a held meeting of the right kind whose resolution
passed, or a disclosure; out of order, skipped, stale or on bad evidence refused in words."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from maque.decisions.models import DecisionState, Step
from maque.decisions.queries import public_disclosures, step_views
from maque.decisions.services import StepIn, decision_create, decision_step
from maque.ledger.errors import ConflictError, NotPermitted
from maque.meetings.models import MeetingKind
from tests.decisions.helpers import counted_meeting

KINDS = {
    Step.PROPOSE: MeetingKind.PARTY_BRANCH,
    Step.DISCUSS: MeetingKind.TWO_COMMITTEES,
    Step.REVIEW: MeetingKind.PARTY_ASSEMBLY,
    Step.RESOLVE: MeetingKind.REPRESENTATIVES,
}


def _decision(world):
    return decision_create(by=world.user("secretary_gaige"), village=world.gaige, title="晒场建设")


def _take(world, decision, step, given, persona="secretary_gaige"):
    return decision_step(
        decision=decision, by=world.user(persona), step=step, version=decision.version, given=given
    )


def test_it_passes_the_six_steps_in_order(world):
    decision = _decision(world)
    for days_ago, (step, kind) in zip((10, 8, 6, 4), KINDS.items(), strict=True):
        meeting, _resolution = counted_meeting(world, kind, days_ago=days_ago)
        decision = _take(world, decision, step, StepIn(meeting=meeting))
    assert decision.state == DecisionState.RESOLVED
    today = timezone.localdate()
    decision = _take(
        world, decision, Step.DISCLOSE_RESOLUTION, StepIn(on=today, text="决议已在公开栏公示")
    )
    assert public_disclosures(world.gaige)[0].text == "决议已在公开栏公示"
    decision = _take(world, decision, Step.DISCLOSE_RESULT, StepIn(on=today, text="晒场已建成"))
    assert decision.state == DecisionState.COMPLETED and decision.version == 7
    assert decision.transitions.count() == 6 and decision.steps.count() == 6
    assert decision.history.count() == 7
    assert [d.step for d in public_disclosures(world.gaige)] == [
        Step.DISCLOSE_RESULT,
        Step.DISCLOSE_RESOLUTION,
    ]
    with pytest.raises(ConflictError) as error:
        _take(world, decision, Step.DISCLOSE_RESULT, StepIn(on=today, text="再次公开"))
    assert "六个步骤" in error.value.message


def test_a_skipped_or_repeated_step_is_refused_in_words(world):
    decision = _decision(world)
    meeting, _ = counted_meeting(world, MeetingKind.PARTY_ASSEMBLY)
    with pytest.raises(ConflictError) as error:
        _take(world, decision, Step.REVIEW, StepIn(meeting=meeting))
    assert error.value.message == ("须按顺序进行：下一步是党支部会议提议，不能进行党员大会审议。")
    branch, _ = counted_meeting(world, MeetingKind.PARTY_BRANCH)
    decision = _take(world, decision, Step.PROPOSE, StepIn(meeting=branch))
    with pytest.raises(ConflictError) as error:
        _take(world, decision, Step.PROPOSE, StepIn(meeting=branch))
    assert "已经完成" in error.value.message and "村“两委”会议商议" in error.value.message
    views = step_views(user=world.user("secretary_gaige"), decision=decision)
    assert [v.is_next for v in views] == [False, True, False, False, False, False]
    assert views[0].taken is not None and views[1].refusal is None and views[2].refusal


def test_a_step_needs_a_held_meeting_of_its_kind_whose_resolution_passed(world):
    decision = _decision(world)
    wrong_kind, _ = counted_meeting(world, MeetingKind.TWO_COMMITTEES)
    failed, _ = counted_meeting(world, MeetingKind.PARTY_BRANCH, passed=False)
    for given, field in (
        (StepIn(), "meeting"),
        (StepIn(meeting=wrong_kind), "meeting"),
        (StepIn(meeting=failed), "resolution"),
        (StepIn(meeting=failed, resolution=failed.resolutions.get()), "resolution"),
    ):
        with pytest.raises(ValidationError) as error:
            _take(world, decision, Step.PROPOSE, given)
        assert field in error.value.message_dict
    decision.refresh_from_db()
    assert decision.state == DecisionState.OPEN and decision.version == 1
    assert not decision.steps.exists() and not decision.transitions.exists()


def test_a_step_cannot_be_dated_before_the_one_before_it(world):
    decision = _decision(world)
    branch, _ = counted_meeting(world, MeetingKind.PARTY_BRANCH, days_ago=2)
    decision = _take(world, decision, Step.PROPOSE, StepIn(meeting=branch))
    earlier, _ = counted_meeting(world, MeetingKind.TWO_COMMITTEES, days_ago=5)
    with pytest.raises(ValidationError) as error:
        _take(world, decision, Step.DISCUSS, StepIn(meeting=earlier))
    assert "meeting" in error.value.message_dict


def test_a_stale_version_is_a_conflict_and_others_may_not_act(world):
    decision = _decision(world)
    branch, _ = counted_meeting(world, MeetingKind.PARTY_BRANCH)
    with pytest.raises(ConflictError) as error:
        decision_step(
            decision=decision,
            by=world.user("secretary_gaige"),
            step=Step.PROPOSE,
            version=decision.version + 1,
            given=StepIn(meeting=branch),
        )
    assert error.value.current_version == 1
    for persona in ("cadre_shuangsheng", "contact_shuangsheng"):
        with pytest.raises(NotPermitted):
            _take(world, decision, Step.PROPOSE, StepIn(meeting=branch), persona=persona)
    with pytest.raises(NotPermitted):
        decision_create(by=world.user("cadre_shuangsheng"), village=world.gaige, title="x")


def test_disclosures_need_a_day_and_a_text(world):
    decision = _decision(world)
    for days_ago, (step, kind) in zip((10, 8, 6, 4), KINDS.items(), strict=True):
        meeting, _ = counted_meeting(world, kind, days_ago=days_ago)
        decision = _take(world, decision, step, StepIn(meeting=meeting))
    today = timezone.localdate()
    for given, field in (
        (StepIn(text="公示"), "on"),
        (StepIn(on=today), "text"),
        (StepIn(on=today + timedelta(days=1), text="公示"), "on"),
        (StepIn(on=today - timedelta(days=30), text="公示"), "on"),
    ):
        with pytest.raises(ValidationError) as error:
            _take(world, decision, Step.DISCLOSE_RESOLUTION, given)
        assert field in error.value.message_dict
    assert public_disclosures(world.gaige) == []


def test_village_decisions_through_the_api(world, client):
    client.force_login(world.user("secretary_gaige"))
    created = client.post(
        "/api/v1/village-decisions",
        {"village": world.gaige.pk, "title": "晒场建设"},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["state"] == "open" and body["steps"][0]["is_next"]
    url = f"/api/v1/village-decisions/{body['id']}"
    meeting, resolution = counted_meeting(world, MeetingKind.PARTY_BRANCH)
    skipped = client.post(
        f"{url}/steps",
        {"step": "review", "version": 1, "meeting": meeting.pk},
        content_type="application/json",
    )
    assert skipped.status_code == 409
    taken = client.post(
        f"{url}/steps",
        {"step": "propose", "version": 1, "meeting": meeting.pk, "resolution": resolution.pk},
        content_type="application/json",
    )
    assert taken.status_code == 200, taken.content
    assert taken.json()["steps"][0]["done"] and taken.json()["version"] == 2
    stale = client.post(
        f"{url}/steps",
        {"step": "discuss", "version": 1, "meeting": meeting.pk},
        content_type="application/json",
    )
    assert stale.status_code == 409
    assert client.get("/api/v1/village-decisions").json()["count"] == 1
    client.force_login(world.user("cadre_shuangsheng"))
    assert client.get("/api/v1/village-decisions").json()["count"] == 0
    assert client.get(url).status_code == 404
