"""Writes for resolutions (design §5, meetings that count): a motion put to the vote at a held
meeting, its votes, and the outcome the rules give — never the outcome the recorder would like.

The outcome is computed under a lock on the meeting from its roll and attendance
(`meetings/counting.py`): without a quorum every resolution is 未通过（不足法定人数）, recorded as
such; with a quorum it passes only with the majority of its kind. A recorder who says a
resolution passed when a test fails is refused with the test and the shortfall in words. A
passed resolution's actions are meeting decisions pointing at it, and become action items as
any meeting decision does (`services._decision_add`).
"""

from __future__ import annotations

from collections.abc import Sequence

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from maque.core.lengths import TEXT, too_long
from maque.ledger.errors import NotPermitted
from maque.meetings.counting import counts_of, quorum_of, rule_for, vote_of
from maque.meetings.models import Meeting, Resolution
from maque.meetings.rolls import check_meeting
from maque.meetings.services import DecisionIn, _decision_add, _decision_errors

REFUSAL_MAX = Resolution._meta.get_field("refusal").max_length or 300


def resolution_record(
    *,
    meeting: Meeting,
    by: User,
    text: str,
    votes_for: int,
    votes_against: int,
    votes_abstain: int,
    passed: bool | None = None,
    actions: Sequence[DecisionIn] = (),
) -> Resolution:
    """Record a resolution of a held meeting with its votes; the outcome is computed.

    `passed` is what the recorder says (None: take the computed outcome). Saying it passed when
    the quorum or the majority fails is refused, with which test and by how many; so is saying
    it failed when the votes carry it. Actions are allowed only on a passed resolution."""
    check_meeting(by, meeting)
    actions = list(actions)
    errors: dict[str, list[str]] = {}
    if not text.strip():
        errors["text"] = [_("The resolution needs its text.")]
    elif (problem := too_long(text, TEXT)) is not None:
        errors["text"] = [problem]
    if min(votes_for, votes_against, votes_abstain) < 0:
        errors["votes"] = [_("The number cannot be negative.")]
    villages = list(meeting.villages.all())
    _decision_errors(actions, town=meeting.town, villages=villages, errors=errors)
    errors = {
        (key.replace("decisions[", "actions[", 1) if key.startswith("decisions[") else key): v
        for key, v in errors.items()
    }
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = Meeting.objects.select_for_update().select_related("town").get(pk=meeting.pk)
        if locked.status != Meeting.Status.HELD:
            raise ValidationError(
                {"__all__": [_("Resolutions are recorded once the meeting is held.")]}
            )
        rule = rule_for(locked)
        counts = counts_of(locked)
        if votes_for + votes_against + votes_abstain > counts.present:
            raise ValidationError(
                {
                    "votes": [
                        _("%(votes)d votes cast, but only %(present)d people are present.")
                        % {
                            "votes": votes_for + votes_against + votes_abstain,
                            "present": counts.present,
                        }
                    ]
                }
            )
        quorum = quorum_of(locked, rule=rule, counts=counts)
        vote = vote_of(locked, votes_for, rule=rule, counts=counts)
        if not quorum.met:
            outcome, refusal = Resolution.Outcome.NOT_QUORATE, quorum.problem()
        elif not vote.passed:
            outcome, refusal = Resolution.Outcome.REJECTED, vote.problem()
        else:
            outcome, refusal = Resolution.Outcome.PASSED, ""
        if passed is True and outcome != Resolution.Outcome.PASSED:
            what = _("No quorum") if outcome == Resolution.Outcome.NOT_QUORATE else _("No majority")
            raise ValidationError(
                {
                    "passed": [
                        _("It cannot be recorded as passed. %(what)s: %(why)s.")
                        % {"what": what, "why": refusal}
                    ]
                }
            )
        if passed is False and outcome == Resolution.Outcome.PASSED:
            raise ValidationError(
                {"passed": [_("The votes carry this resolution: it cannot be recorded as failed.")]}
            )
        if actions and outcome != Resolution.Outcome.PASSED:
            raise ValidationError(
                {"actions": [_("Only a passed resolution has actions to carry out.")]}
            )
        row = Resolution(
            meeting=locked,
            order=locked.resolutions.count(),
            text=text.strip(),
            votes_for=votes_for,
            votes_against=votes_against,
            votes_abstain=votes_abstain,
            expected=counts.roll,
            present=counts.present,
            outcome=outcome,
            refusal=refusal[:REFUSAL_MAX],
            created_by=by,
        )
        row._history_user = by  # type: ignore[attr-defined]
        row.save()
        start = max((d.order for d in locked.decisions.all()), default=-1) + 1
        for index, action in enumerate(actions):
            try:
                _decision_add(
                    locked, action, by=by, order=start + index, villages=villages, resolution=row
                )
            except NotPermitted as refused:
                raise ValidationError({f"actions[{index}].village": [refused.message]}) from refused
    return row
