"""The ledger's vocabulary of figures, defined once (design §4, §5).

Bulletins, meetings, inspections, scores, the workspace, exports and notifications all count with
these words, so the same item is "overdue", "due soon" or "stale" — and N days overdue — on every
page and document. Each definition comes twice, side by side: as a database filter (`Q`) for
counts and lists, and as plain Python for one item already in hand. `tests/ledger/
test_it_defines_figures_once.py` holds the two against each other.

- **Open**: found, rectifying or submitted. Suspended items have their clock paused; closed and
  cancelled items are finished.
- **Overdue**: open, and the day is past the deadline.
- **A deadline**: every item has one, except a legacy matter registered without one
  (`open_ended`): it is neither overdue nor due soon — and so neither scored, escalated nor
  counted late in a bulletin — until a deadline is set.
- **Days overdue**: calendar days past the deadline (0 unless overdue). This is the number a
  person reads as "逾期N天". Working days decide only when a rung of the escalation ladder falls
  due (`maque.rhythm.escalation`), and are labelled "个工作日" wherever shown.
- **Due soon**: open, not overdue, and due within the town's `light_due_soon_days`.
- **Stale**: open, with no progress logged (nor, without any, since registration) for N days.
- **Rate**: a share in percent with one decimal; None when there is nothing to rate, which
  screens and documents show as "—", never as 0%. The closure rate is closed ÷ registered
  (cancelled items aside).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db.models import Q

from maque.ledger.models import OPEN_STATES, State

FINISHED_STATES = (State.CLOSED, State.CANCELLED)


def past_deadline(day: date, *, prefix: str = "") -> Q:
    """The deadline is before `day` (with `prefix`, through a relation, e.g. "item__"); an item
    without a deadline (an open-ended legacy matter) never is."""
    return Q(**{f"{prefix}deadline__lt": day, f"{prefix}open_ended": False})


def with_deadline(*, prefix: str = "") -> Q:
    """The item has a deadline (all but open-ended legacy matters)."""
    return Q(**{f"{prefix}open_ended": False})


def is_open(*, prefix: str = "") -> Q:
    """Found, rectifying or submitted (written so that the open items' index applies)."""
    return Q(**{f"{prefix}state__literal_in": OPEN_STATES})


def overdue(day: date, *, prefix: str = "") -> Q:
    """Open and past the deadline on `day`."""
    return is_open(prefix=prefix) & past_deadline(day, prefix=prefix)


def is_overdue(*, state: str, deadline: date, day: date, open_ended: bool = False) -> bool:
    return not open_ended and state in OPEN_STATES and deadline < day


def days_overdue(*, state: str, deadline: date, day: date, open_ended: bool = False) -> int:
    """Calendar days past the deadline on `day`; 0 unless the item is overdue."""
    late = is_overdue(state=state, deadline=deadline, day=day, open_ended=open_ended)
    return (day - deadline).days if late else 0


def calendar_days_late(deadline: date, day: date) -> int:
    """Calendar days from the deadline to `day` (at least 0), for rows already known to be late."""
    return max((day - deadline).days, 0)


def due_soon(day: date, within_days: int, *, prefix: str = "") -> Q:
    """Open, not yet overdue, and due within `within_days` of `day`."""
    return Q(
        **{
            f"{prefix}state__in": OPEN_STATES,
            f"{prefix}deadline__gte": day,
            f"{prefix}deadline__lte": day + timedelta(days=within_days),
            f"{prefix}open_ended": False,
        }
    )


def is_due_soon(
    *, state: str, deadline: date, day: date, within_days: int, open_ended: bool = False
) -> bool:
    return (
        not open_ended
        and state in OPEN_STATES
        and day <= deadline <= day + timedelta(days=within_days)
    )


def stale_cutoff(moment: datetime, stale_days: int) -> datetime:
    """An item is stale at `moment` when its last progress (or registration) is before this."""
    return moment - timedelta(days=stale_days)


def without_progress_since(cutoff: datetime, *, prefix: str = "") -> Q:
    """No progress logged since `cutoff`, nor, for items without any, registered since."""
    return Q(**{f"{prefix}last_progress_at__lt": cutoff}) | Q(
        **{f"{prefix}last_progress_at__isnull": True, f"{prefix}created_at__lt": cutoff}
    )


def stale(moment: datetime, stale_days: int, *, prefix: str = "") -> Q:
    """Open and without progress for `stale_days` at `moment`."""
    return Q(**{f"{prefix}state__in": OPEN_STATES}) & without_progress_since(
        stale_cutoff(moment, stale_days), prefix=prefix
    )


def is_stale(
    *,
    state: str,
    last_progress_at: datetime | None,
    created_at: datetime,
    moment: datetime,
    stale_days: int,
) -> bool:
    return state in OPEN_STATES and (last_progress_at or created_at) < stale_cutoff(
        moment, stale_days
    )


def light_of(
    *,
    state: str,
    deadline: date,
    returned_count: int,
    last_progress_at: datetime | None,
    created_at: datetime,
    day: date,
    moment: datetime,
    red_returns: int,
    due_soon_days: int,
    stale_days: int,
    open_ended: bool = False,
) -> str:
    """The light of one item in hand (design §4), as `ledger.queries.with_indicators` computes it
    in the database: grey finished, blue suspended; red overdue or returned `red_returns` times;
    yellow due within `due_soon_days`, without progress for `stale_days`, or returned once."""
    if state in FINISHED_STATES:
        return "grey"
    if state not in OPEN_STATES:
        return "blue"
    if (not open_ended and deadline < day) or returned_count >= red_returns:
        return "red"
    if (
        (not open_ended and deadline <= day + timedelta(days=due_soon_days))
        or (last_progress_at or created_at) < stale_cutoff(moment, stale_days)
        or returned_count >= 1
    ):
        return "yellow"
    return "green"


def rate(part: int, whole: int) -> float | None:
    """`part` of `whole` in percent, one decimal; None when there is nothing to rate."""
    return round(100.0 * part / whole, 1) if whole else None


def closure_rate(closed: int, registered: int) -> float | None:
    """Closed ÷ registered (cancelled items aside), in percent; None for no items."""
    return rate(closed, registered)


def rate_text(value: float | None) -> str:
    """A rate as people read it: "12.5%", or "—" when there was nothing to rate."""
    return "—" if value is None else f"{value}%"
