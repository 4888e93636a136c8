"""Failed sign-ins, counted once for the web workspace and the API, in every server process.

Three counters, each over a window of `MAQUE_SIGNIN_LOCK_MINUTES`:
- **an account from one address**: after `MAQUE_SIGNIN_FAILURES` failures that account is
  paused from that address only, so one person's typos lock out nobody else — not even
  colleagues behind the same proxy or township network address;
- **an account from anywhere**: after `MAQUE_SIGNIN_ACCOUNT_FAILURES` failures the account is
  paused everywhere (guessing one password from many addresses);
- **an address for every account**: when sign-ins to `MAQUE_SIGNIN_ADDRESS_ACCOUNTS` different
  accounts fail from one address, that address is paused (password spraying).

A pause refuses even the right password, names what happened and when it ends; an
administrator lifts it at once in the admin (`unlock`). A successful sign-in clears the
account's counters, never the address's. The client's address is the connection's, or the one
a trusted reverse proxy puts in `MAQUE_CLIENT_ADDRESS_HEADER`.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import formats, timezone
from django.utils.translation import ngettext

from maque.api.models import SignInThrottle

Scope = SignInThrottle.Scope
MAX_ADDRESS_LENGTH = 45  # an IPv6 address in text


@dataclass(frozen=True)
class Pause:
    """Why sign-in is refused now, and until when."""

    scope: str
    until: datetime

    @property
    def seconds_left(self) -> int:
        return max(math.ceil((self.until - timezone.now()).total_seconds()), 1)

    @property
    def minutes_left(self) -> int:
        return max(math.ceil(self.seconds_left / 60), 1)

    def message(self) -> str:
        """In the reader's language: what happened, when it ends, and who can end it sooner."""
        values = {
            "time": formats.time_format(timezone.localtime(self.until), "H:i"),
            "minutes": self.minutes_left,
        }
        if self.scope == Scope.ADDRESS:
            text = ngettext(
                "Too many failed sign-ins to different accounts from this address. Sign-in from here is "
                "paused until %(time)s (in %(minutes)d minute). An administrator can lift the pause at once.",
                "Too many failed sign-ins to different accounts from this address. Sign-in from here is "
                "paused until %(time)s (in %(minutes)d minutes). An administrator can lift the pause at once.",
                self.minutes_left,
            )
        else:
            text = ngettext(
                "Too many failed sign-ins to this account. Signing in to it is paused until %(time)s "
                "(in %(minutes)d minute). Other accounts are not affected; an administrator can unlock it at once.",
                "Too many failed sign-ins to this account. Signing in to it is paused until %(time)s "
                "(in %(minutes)d minutes). Other accounts are not affected; an administrator can unlock it at once.",
                self.minutes_left,
            )
        return text % values


def client_address(request: HttpRequest | None) -> str:
    """The client's address: from the trusted proxy's header when one is configured."""
    if request is None:
        return ""
    header = settings.MAQUE_CLIENT_ADDRESS_HEADER
    value = request.headers.get(header, "") if header else ""
    if value:
        # X-Forwarded-For lists every hop; the last one was added by our own proxy.
        value = value.split(",")[-1].strip()
    return (value or request.META.get("REMOTE_ADDR", "") or "")[:MAX_ADDRESS_LENGTH]


def _account(username: str) -> str:
    return username.strip().casefold()[:150]


def _keys(username: str, address: str) -> dict[str, str]:
    account = _account(username)
    return {
        Scope.ACCOUNT: account,
        Scope.ACCOUNT_ADDRESS: f"{account}|{address}",
        Scope.ADDRESS: address,
    }


def _window() -> timedelta:
    return timedelta(minutes=settings.MAQUE_SIGNIN_LOCK_MINUTES)


def pause_for(*, username: str, address: str) -> Pause | None:
    """The pause that refuses this sign-in now, if any (the longest of those in force)."""
    now = timezone.now()
    keys = _keys(username, address)
    rows = SignInThrottle.objects.filter(locked_until__gt=now).filter(
        scope__in=list(keys), key__in=list(keys.values())
    )
    pauses = [
        Pause(row.scope, row.locked_until)
        for row in rows
        if keys.get(row.scope) == row.key and row.locked_until
    ]
    return max(pauses, key=lambda pause: pause.until, default=None)


def _locked_row(scope: str, key: str) -> SignInThrottle:
    """The counter row, locked for this transaction (created on first use)."""
    try:
        with transaction.atomic():
            SignInThrottle.objects.get_or_create(scope=scope, key=key)
    except IntegrityError:  # created by a concurrent request: it is there now
        pass
    return SignInThrottle.objects.select_for_update().get(scope=scope, key=key)


def _account_token(username: str) -> str:
    return hashlib.sha256(_account(username).encode("utf-8", "surrogatepass")).hexdigest()[:16]


def record_failure(*, username: str, address: str) -> Pause | None:
    """Count a failed sign-in; the pause it starts, if it starts one."""
    now = timezone.now()
    limits: dict[str, int] = {
        Scope.ACCOUNT_ADDRESS: settings.MAQUE_SIGNIN_FAILURES,
        Scope.ACCOUNT: settings.MAQUE_SIGNIN_ACCOUNT_FAILURES,
        Scope.ADDRESS: settings.MAQUE_SIGNIN_ADDRESS_ACCOUNTS,
    }
    started: Pause | None = None
    with transaction.atomic():
        for scope, key in _keys(username, address).items():
            row = _locked_row(scope, key)
            if row.window_started_at is None or now - row.window_started_at > _window():
                row.failures, row.accounts, row.window_started_at = 0, [], now
            row.failures += 1
            row.last_failure_at = now
            if scope == Scope.ADDRESS:
                token = _account_token(username)
                if token not in row.accounts and len(row.accounts) <= limits[scope]:
                    row.accounts = [*row.accounts, token]
                reached = len(row.accounts) >= limits[scope]
            else:
                reached = row.failures >= limits[scope]
            if reached and not row.is_locked:
                row.locked_until = now + _window()
                started = Pause(scope, row.locked_until)
            row.save()
    return started


def record_success(*, username: str, address: str) -> None:
    """A right password: the account's counters start again (the address's stay)."""
    keys = _keys(username, address)
    for scope in (Scope.ACCOUNT, Scope.ACCOUNT_ADDRESS):
        SignInThrottle.objects.filter(
            scope=scope, key=keys[scope], locked_until__isnull=True
        ).update(failures=0, accounts=[], window_started_at=None)
        # A pause that has run out is cleared too; one still in force stays (see pause_for).
        SignInThrottle.objects.filter(
            scope=scope, key=keys[scope], locked_until__lte=timezone.now()
        ).update(failures=0, accounts=[], window_started_at=None, locked_until=None)


def unlock(*, throttles: list[SignInThrottle], by: User) -> int:
    """An administrator lifts pauses (and resets their counters) at once."""
    now = timezone.now()
    ids = [row.pk for row in throttles]
    return SignInThrottle.objects.filter(pk__in=ids).update(
        failures=0,
        accounts=[],
        window_started_at=None,
        locked_until=None,
        unlocked_by=by,
        unlocked_at=now,
    )
