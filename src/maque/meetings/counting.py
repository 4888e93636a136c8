"""Quorum and majority (design §5, meetings that count): exact integer arithmetic over the
counting rule of a meeting's kind, with the refusal in words ("应到 30 人，实到 19 人，不足三分之二
（差 1 人）").

A share `num/den` of a total is reached by a count when `count * den >= num * total` ("at least")
or `count * den > num * total` ("more than"): no floats, so exactly two thirds is at least two
thirds and exactly half is not more than half. `needed` is the least count that reaches it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from maque.meetings.models import Basis, CountingRule, Meeting, RollEntry, VillagePopulation


@dataclass(frozen=True)
class Share:
    num: int
    den: int
    strict: bool  # "more than" rather than "at least"

    def reached(self, count: int, total: int) -> bool:
        if self.strict:
            return count * self.den > self.num * total
        return count * self.den >= self.num * total

    def needed(self, total: int) -> int:
        """The least count that reaches the share of `total`."""
        if self.strict:
            return self.num * total // self.den + 1
        return -(-self.num * total // self.den)

    def label(self) -> str:
        """ "三分之二", "半数" — or "2/3", "half" outside Chinese."""
        if self.num * 2 == self.den:
            return _("half")
        if (get_language() or "").startswith("zh"):
            return f"{_chinese(self.den)}分之{_chinese(self.num)}"
        return f"{self.num}/{self.den}"


_DIGITS = "零一二三四五六七八九"


def _chinese(number: int) -> str:
    if 0 <= number < 10:
        return _DIGITS[number]
    if number < 20:
        return "十" + (_DIGITS[number % 10] if number % 10 else "")
    if number < 100:
        return _DIGITS[number // 10] + "十" + (_DIGITS[number % 10] if number % 10 else "")
    return str(number)


@dataclass(frozen=True)
class Rule:
    """A counting rule as plain values (from a `CountingRule` row or the fallback)."""

    quorum: tuple[tuple[str, Share], ...]  # tests, any one of which makes the meeting quorate
    majority_basis: str
    majority: Share


# Kinds without a rule (a progress meeting, a forum) need no quorum; what they put to the vote
# passes with more than half of those present.
FALLBACK = Rule(quorum=(), majority_basis=Basis.PRESENT, majority=Share(1, 2, strict=True))


def _rule_of(row: CountingRule) -> Rule:
    tests = [(row.quorum_basis, Share(row.quorum_num, row.quorum_den, row.quorum_strict))]
    if row.alt_basis and row.alt_num is not None and row.alt_den is not None:
        tests.append((row.alt_basis, Share(row.alt_num, row.alt_den, row.alt_strict)))
    return Rule(
        quorum=tuple(tests),
        majority_basis=row.majority_basis,
        majority=Share(row.majority_num, row.majority_den, row.majority_strict),
    )


def rule_for(meeting: Meeting) -> Rule:
    """The town's rule for the meeting's kind, else the statutory default, else `FALLBACK`."""
    rows = CountingRule.objects.filter(
        Q(town_id=meeting.town_id) | Q(town__isnull=True), kind=meeting.kind
    )
    found = sorted(rows, key=lambda row: row.town_id is None)  # the town's own row first
    return _rule_of(found[0]) if found else FALLBACK


@dataclass(frozen=True)
class Counts:
    """What a meeting's quorum is counted on."""

    roll: int | None  # members called (None: no roll and no expected number given)
    roll_present: int
    present: int  # everyone present (the majority's "those present")
    adults: int | None
    households: int | None


def counts_of(meeting: Meeting) -> Counts:
    roll = [entry.attendance for entry in meeting.roll.all()] if meeting.pk else []
    if roll:
        called: int | None = len(roll)
        on_roll = sum(1 for a in roll if a == RollEntry.Attendance.PRESENT)
    else:
        called, on_roll = meeting.expected_count, meeting.attendee_count
    villages = [village.pk for village in meeting.villages.all()] if meeting.pk else []
    adults: int | None = None
    households: int | None = None
    if villages:
        adults = households = 0
        for village in villages:
            count = (
                VillagePopulation.objects.filter(
                    village_id=village, counted_on__lte=meeting.held_on
                )
                .order_by("-counted_on")
                .first()
            )
            if count is None:
                adults = households = None
                break
            adults += count.adults
            households += count.households
    return Counts(
        roll=called,
        roll_present=on_roll,
        present=max(meeting.attendee_count, on_roll),
        adults=adults,
        households=households,
    )


@dataclass(frozen=True)
class Test:
    basis: str
    share: Share
    total: int | None
    count: int

    @property
    def passed(self) -> bool:
        return self.total is not None and self.share.reached(self.count, self.total)

    @property
    def short(self) -> int:
        return 0 if self.total is None else max(self.share.needed(self.total) - self.count, 0)

    def problem(self) -> str:
        """Why the test fails, in words (empty when it passes)."""
        if self.passed:
            return ""
        who = _who(self.basis)
        if self.total is None:
            if self.basis == Basis.ADULTS or self.basis == Basis.HOUSEHOLDS:
                return _("%(who)s: not counted for this village; record its population first.") % {
                    "who": who
                }
            return _("Nobody is on the roll: the number expected is unknown.")
        values = {
            "who": who,
            "total": self.total,
            "count": self.count,
            "share": self.share.label(),
            "short": self.short,
        }
        if self.share.strict:
            return (
                _("%(who)s %(total)d, present %(count)d: not more than %(share)s (%(short)d short)")
                % values
            )
        return (
            _("%(who)s %(total)d, present %(count)d: fewer than %(share)s (%(short)d short)")
            % values
        )


def _who(basis: str) -> str:
    if basis == Basis.ADULTS:
        return _("adult villagers")
    if basis == Basis.HOUSEHOLDS:
        return _("household representatives expected")
    return _("expected")


def _total(basis: str, counts: Counts) -> int | None:
    if basis == Basis.ADULTS:
        return counts.adults
    if basis == Basis.HOUSEHOLDS:
        return counts.households if counts.households is not None else counts.roll
    if basis == Basis.PRESENT:
        return counts.present
    return counts.roll


def _count(basis: str, counts: Counts) -> int:
    # Adults are counted by everyone present; members and households by the roll.
    return counts.present if basis == Basis.ADULTS else counts.roll_present


@dataclass(frozen=True)
class Quorum:
    tests: tuple[Test, ...]

    @property
    def required(self) -> bool:
        return bool(self.tests)

    @property
    def met(self) -> bool:
        return not self.tests or any(test.passed for test in self.tests)

    def problem(self) -> str:
        """Which tests failed and by how many, joined ("…；…"), empty when met."""
        if self.met:
            return ""
        return _("; or ").join(test.problem() for test in self.tests)


def quorum_of(
    meeting: Meeting, *, rule: Rule | None = None, counts: Counts | None = None
) -> Quorum:
    rule = rule or rule_for(meeting)
    counts = counts or counts_of(meeting)
    return Quorum(
        tuple(
            Test(basis, share, _total(basis, counts), _count(basis, counts))
            for basis, share in rule.quorum
        )
    )


@dataclass(frozen=True)
class Vote:
    """A resolution's majority test: votes for against a share of those present (or the roll)."""

    share: Share
    basis: str
    total: int | None
    votes_for: int

    @property
    def passed(self) -> bool:
        return self.total is not None and self.share.reached(self.votes_for, self.total)

    @property
    def short(self) -> int:
        return 0 if self.total is None else max(self.share.needed(self.total) - self.votes_for, 0)

    def problem(self) -> str:
        if self.passed:
            return ""
        if self.total is None:
            return _("Nobody is on the roll: the number expected is unknown.")
        values = {
            "votes": self.votes_for,
            "total": self.total,
            "share": self.share.label(),
            "short": self.short,
        }
        if self.basis == Basis.PRESENT:
            if self.share.strict:
                return (
                    _(
                        "For %(votes)d: not more than %(share)s of the %(total)d present (%(short)d short)"
                    )
                    % values
                )
            return (
                _("For %(votes)d: fewer than %(share)s of the %(total)d present (%(short)d short)")
                % values
            )
        if self.share.strict:
            return (
                _(
                    "For %(votes)d: not more than %(share)s of the %(total)d expected (%(short)d short)"
                )
                % values
            )
        return (
            _("For %(votes)d: fewer than %(share)s of the %(total)d expected (%(short)d short)")
            % values
        )


def vote_of(
    meeting: Meeting, votes_for: int, *, rule: Rule | None = None, counts: Counts | None = None
) -> Vote:
    rule = rule or rule_for(meeting)
    counts = counts or counts_of(meeting)
    return Vote(rule.majority, rule.majority_basis, _total(rule.majority_basis, counts), votes_for)
