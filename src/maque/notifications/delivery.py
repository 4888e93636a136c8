"""Sending deliveries through e-mail and group-robot webhooks (a `tick` step).

Formats, as the two platforms document them:
- WeCom (企业微信) group robot: POST JSON to the robot's address
  `{"msgtype": "markdown", "markdown": {"content": …}}` or `{"msgtype": "text", "text": {"content": …}}`;
  the answer is `{"errcode": 0, "errmsg": "ok"}` on success.
- DingTalk (钉钉) group robot: POST JSON to the robot's address
  `{"msgtype": "markdown", "markdown": {"title": …, "text": …}}` or `{"msgtype": "text", "text": {"content": …}}`;
  with 加签 the address also carries `timestamp` (milliseconds) and
  `sign` = url-encoded base64 of HMAC-SHA256(key=secret, message="{timestamp}\\n{secret}").
  Same `errcode` answer.

A delivery is claimed with a conditional update (pending → sending) before it is sent, so two
senders never send the same one; failures are retried with exponential backoff up to the
town's number of attempts, and every try is a `DeliveryAttempt` row.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from maque.core.masking import mask_text
from maque.notifications.models import Channel, Delivery, DeliveryAttempt, Notification
from maque.rhythm.models import rhythm_settings

log = logging.getLogger(__name__)

TIMEOUT_SECONDS = 10
# A sender that claimed a delivery this long ago and never finished has crashed.
CLAIM_LEASE = timedelta(minutes=10)
BATCH = 200
# One tick sends for at most this long (an unreachable robot times out); the rest go next tick.
SEND_BUDGET_SECONDS = 30
# Documented content limits (bytes): WeCom markdown 4096, text 2048; DingTalk ~20000.
LIMITS: dict[tuple[str, str], int] = {
    (Channel.Kind.WECOM, "markdown"): 4096,
    (Channel.Kind.WECOM, "text"): 2048,
}
DEFAULT_LIMIT = 18000


class SendError(Exception):
    def __init__(self, message: str, *, status_code: int | None = None, response: str = "") -> None:
        super().__init__(message)
        self.status_code = status_code
        self.response = response


@dataclass(frozen=True)
class Sent:
    status_code: int | None = None
    response: str = ""


def _clip(text: str, limit: int) -> str:
    encoded = text.encode("utf-8")
    if len(encoded) <= limit:
        return text
    return encoded[: limit - 3].decode("utf-8", errors="ignore") + "…"


def absolute(link: str) -> str:
    """The link as an address readable outside the system, or "" when there is no base address
    (`MAQUE_BASE_URL`) to make a path absolute: a bare path means nothing in a chat group."""
    if not link or link.startswith(("http://", "https://")):
        return link
    base = getattr(settings, "MAQUE_BASE_URL", "") or ""
    return base.rstrip("/") + "/" + link.lstrip("/") if base else ""


def outgoing(notification: Notification) -> tuple[str, str]:
    """The title and body as they leave the system: phone and ID numbers always masked (a group
    chat or a mailbox is no place for personal data; the full text stays behind the sign-in)."""
    return mask_text(notification.title), mask_text(notification.body)


def robot_message(channel: Channel, notification: Notification) -> dict:
    """The JSON body a group robot expects for this notification."""
    title, body = outgoing(notification)
    link = absolute(notification.link)
    limit = LIMITS.get((channel.kind, channel.message_format), DEFAULT_LIMIT)
    if channel.message_format == Channel.Format.TEXT:
        content = "\n".join(part for part in (title, body, link) if part)
        return {"msgtype": "text", "text": {"content": _clip(content, limit)}}
    lines = [body] if body else []
    if link:
        lines.append(f"[{link}]({link})")
    if channel.kind == Channel.Kind.WECOM:
        content = "\n".join([f"**{title}**", *lines])
        return {"msgtype": "markdown", "markdown": {"content": _clip(content, limit)}}
    text = "\n\n".join([f"#### {title}", *lines])
    return {
        "msgtype": "markdown",
        "markdown": {"title": title[:100], "text": _clip(text, limit)},
    }


def dingtalk_signed_url(url: str, secret: str, *, timestamp_ms: int | None = None) -> str:
    """The robot address with DingTalk's `timestamp` and `sign` parameters (加签)."""
    timestamp = str(timestamp_ms if timestamp_ms is not None else round(time.time() * 1000))
    digest = hmac.new(
        secret.encode("utf-8"), f"{timestamp}\n{secret}".encode(), hashlib.sha256
    ).digest()
    sign = urllib.parse.quote_plus(base64.b64encode(digest))
    separator = "&" if urllib.parse.urlsplit(url).query else "?"
    return f"{url}{separator}timestamp={timestamp}&sign={sign}"


def _post_json(url: str, payload: dict) -> Sent:
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise SendError("the robot address must be http or https")
    data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(  # noqa: S310 - the scheme is checked above
        url, data=data, method="POST", headers={"Content-Type": "application/json; charset=utf-8"}
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310 - checked above
            status = response.status
            text = response.read(10_000).decode("utf-8", errors="replace")
    except urllib.error.HTTPError as error:
        body = error.read(2_000).decode("utf-8", errors="replace") if error.fp else ""
        raise SendError(f"HTTP {error.code}", status_code=error.code, response=body) from None
    except (urllib.error.URLError, OSError) as error:
        raise SendError(f"cannot reach the robot: {getattr(error, 'reason', error)}") from None
    try:
        answer = json.loads(text)
    except ValueError:
        raise SendError(
            "the robot's answer is not JSON", status_code=status, response=text
        ) from None
    if not isinstance(answer, dict) or answer.get("errcode") != 0:
        message = answer.get("errmsg", "") if isinstance(answer, dict) else ""
        raise SendError(f"robot error: {message}", status_code=status, response=text)
    return Sent(status_code=status, response=text)


def send_one(delivery: Delivery) -> Sent:
    """Send one delivery now; raises `SendError` when the channel refuses or cannot be reached."""
    channel = delivery.channel
    notification = delivery.notification
    if channel.kind == Channel.Kind.EMAIL:
        title, text = outgoing(notification)
        body = "\n\n".join(part for part in (text, absolute(notification.link)) if part)
        try:
            send_mail(title, body, None, [delivery.address], fail_silently=False)
        except Exception as error:  # noqa: BLE001 - any mail failure is retried
            raise SendError(f"mail: {type(error).__name__}: {error}") from None
        return Sent()
    url = channel.webhook_url
    if channel.kind == Channel.Kind.DINGTALK and channel.secret:
        url = dingtalk_signed_url(url, channel.secret)
    return _post_json(url, robot_message(channel, notification))


def _claim(delivery_id: int, now: datetime) -> bool:
    """Take a delivery for sending; False when another sender has it (or it is done)."""
    claimable = Q(status=Delivery.Status.PENDING) & (
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    )
    abandoned = Q(status=Delivery.Status.SENDING, claimed_at__lt=now - CLAIM_LEASE)
    with transaction.atomic():
        return bool(
            Delivery.objects.filter(claimable | abandoned, pk=delivery_id).update(
                status=Delivery.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1
            )
        )


def _settle(delivery: Delivery, now: datetime, outcome: Sent | SendError) -> None:

    settings_row = rhythm_settings(delivery.channel.town_id)
    ok = isinstance(outcome, Sent)
    with transaction.atomic():
        DeliveryAttempt.objects.create(
            delivery=delivery,
            number=delivery.attempts,
            started_at=now,
            ok=ok,
            status_code=outcome.status_code,
            response=(outcome.response or "")[:2000],
            error="" if ok else str(outcome),
        )
        if ok:
            changes = {"status": Delivery.Status.SENT, "sent_at": timezone.now(), "last_error": ""}
        elif delivery.attempts >= settings_row.delivery_retries:
            changes = {"status": Delivery.Status.FAILED, "last_error": str(outcome)}
        else:
            backoff = timedelta(
                seconds=settings_row.delivery_backoff_seconds * 2 ** (delivery.attempts - 1)
            )
            changes = {
                "status": Delivery.Status.PENDING,
                "next_attempt_at": now + backoff,
                "last_error": str(outcome),
            }
        Delivery.objects.filter(pk=delivery.pk, status=Delivery.Status.SENDING).update(
            claimed_at=None, **changes
        )


def deliveries_send(*, now: datetime) -> int:
    """Send every delivery that is due (new, or whose retry time has come); returns how many went out."""
    due = (
        Q(status=Delivery.Status.PENDING)
        & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
    ) | Q(status=Delivery.Status.SENDING, claimed_at__lt=now - CLAIM_LEASE)
    sent = 0
    ids = list(
        Delivery.objects.filter(due, channel__active=True)
        .order_by("pk")
        .values_list("pk", flat=True)[:BATCH]
    )
    started = time.monotonic()
    for delivery_id in ids:
        if time.monotonic() - started > SEND_BUDGET_SECONDS:
            break
        if not _claim(delivery_id, now):
            continue
        delivery = Delivery.objects.select_related("channel", "notification").get(pk=delivery_id)
        try:
            outcome: Sent | SendError = send_one(delivery)
        except SendError as error:
            outcome = error
            log.warning("delivery %s through %s failed: %s", delivery.pk, delivery.channel, error)
        _settle(delivery, now, outcome)
        if isinstance(outcome, Sent):
            sent += 1
    return sent
