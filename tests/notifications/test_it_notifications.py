"""The inbox, the delivery channels (against a local receiver), retries and no duplicates."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import date, timedelta
from urllib.parse import unquote_plus

import pytest
from django.core import mail
from django.test import Client

from maque.accountability.queries import may_see_cases
from maque.notifications.delivery import CLAIM_LEASE, deliveries_send, dingtalk_signed_url
from maque.notifications.models import Channel, Delivery, DeliveryAttempt, Notification
from maque.notifications.services import notify
from maque.rhythm.models import rhythm_settings
from tests.rhythm.helpers import at
from tests.rhythm.local_receiver import Receiver

pytestmark = pytest.mark.django_db
NOW = at(date(2025, 9, 25))


def ping(
    world,
    key: str = "k1",
    kind: str = "escalation.overdue_owner",
    people=("cadre_gaige", "secretary_gaige"),
):  # noqa: ANN001, ANN201
    return notify(
        recipients=[world.people[p] for p in people],
        kind=kind,
        title="逾期提醒：HP-2025-00001 三组撂荒地复耕",
        body="改革村 · 责任人 cadre_gaige",
        link="/items/1/",
        key=key,
    )


@pytest.fixture
def receiver():  # noqa: ANN201
    with Receiver() as running:
        yield running


def test_it_notifies_each_user_once_per_key(world):
    created = ping(world)
    assert {n.user.username for n in created} == {"cadre_gaige", "secretary_gaige"}
    assert all(n.town == world.town for n in created)
    assert ping(world) == []
    assert Notification.objects.count() == 2
    # Same key, one more recipient: only the newcomer is notified.
    assert [n.user.username for n in ping(world, people=("cadre_gaige", "contact_gaige"))] == [
        "contact_gaige"
    ]
    # People without a login and inactive users are skipped.
    from maque.organisation.models import Person

    nobody = Person.objects.create(town=world.town, name="无账号")
    assert notify(recipients=[nobody], kind="x", title="t", key="k2") == []


def test_it_refuses_a_notification_without_key(world):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        notify(recipients=[world.people["principal"]], kind="x", title="t", key=" ")


def test_it_serves_the_inbox_to_its_owner_only(world):
    ping(world)
    ping(world, key="k2", people=("cadre_gaige",))
    client = Client()
    client.force_login(world.user("cadre_gaige"))
    body = client.get("/api/v1/notifications").json()
    assert (body["count"], body["unread"]) == (2, 2)
    assert body["results"][0]["title"].startswith("逾期提醒")
    assert client.get("/api/v1/notifications/unread").json() == {"unread": 2}

    mine = Notification.objects.filter(user=world.user("cadre_gaige")).order_by("pk")
    theirs = Notification.objects.get(user=world.user("secretary_gaige"))
    answer = client.post(f"/api/v1/notifications/{mine[0].pk}/read")
    assert answer.status_code == 200 and answer.json()["read"] is True
    assert Notification.objects.get(pk=mine[0].pk).read_at is not None
    assert client.get("/api/v1/notifications", {"unread": "true"}).json()["count"] == 1

    # Someone else's notification does not exist for me, and stays unread.
    assert client.post(f"/api/v1/notifications/{theirs.pk}/read").status_code == 404
    assert Notification.objects.get(pk=theirs.pk).read_at is None

    assert client.post("/api/v1/notifications/read-all").json() == {"marked": 1, "unread": 0}
    assert (
        Notification.objects.filter(
            user=world.user("secretary_gaige"), read_at__isnull=True
        ).count()
        == 1
    )
    assert Client().get("/api/v1/notifications").status_code == 401


def test_it_posts_wecom_markdown_and_text(world, receiver, settings):
    settings.MAQUE_BASE_URL = "https://maque.example.gov.cn"
    Channel.objects.create(
        town=world.town,
        name="企业微信群",
        kind=Channel.Kind.WECOM,
        webhook_url=receiver.url("/cgi-bin/webhook/send?key=abc"),
    )
    Channel.objects.create(
        town=world.town,
        name="企业微信群（文本）",
        kind=Channel.Kind.WECOM,
        message_format=Channel.Format.TEXT,
        webhook_url=receiver.url("/text?key=def"),
    )
    ping(world)
    assert Delivery.objects.count() == 2  # one per group, not one per recipient
    assert deliveries_send(now=NOW) == 2
    by_path = {r.path: r for r in receiver.requests}
    markdown = by_path["/cgi-bin/webhook/send"]
    assert markdown.query == {"key": ["abc"]}
    assert markdown.headers["Content-Type"].startswith("application/json")
    assert markdown.json() == {
        "msgtype": "markdown",
        "markdown": {
            "content": "**逾期提醒：HP-2025-00001 三组撂荒地复耕**\n改革村 · 责任人 cadre_gaige\n"
            "[https://maque.example.gov.cn/items/1/](https://maque.example.gov.cn/items/1/)"
        },
    }
    assert by_path["/text"].json() == {
        "msgtype": "text",
        "text": {
            "content": "逾期提醒：HP-2025-00001 三组撂荒地复耕\n改革村 · 责任人 cadre_gaige\nhttps://maque.example.gov.cn/items/1/"
        },
    }
    assert set(Delivery.objects.values_list("status", flat=True)) == {Delivery.Status.SENT}
    assert DeliveryAttempt.objects.filter(ok=True).count() == 2
    # Nothing is sent twice.
    assert deliveries_send(now=NOW + timedelta(hours=1)) == 0
    ping(world)
    assert deliveries_send(now=NOW + timedelta(hours=2)) == 0
    assert len(receiver.requests) == 2


def test_it_signs_dingtalk_messages(world, receiver):
    secret = "SEC0123456789abcdef"
    Channel.objects.create(
        town=world.town,
        name="钉钉群",
        kind=Channel.Kind.DINGTALK,
        secret=secret,
        webhook_url=receiver.url("/robot/send?access_token=tok"),
    )
    ping(world)
    assert deliveries_send(now=NOW) == 1
    request = receiver.requests[0]
    assert request.query["access_token"] == ["tok"]
    timestamp = request.query["timestamp"][0]
    expected = base64.b64encode(
        hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    ).decode()
    assert request.query["sign"] == [expected]  # parse_qs has decoded the url-encoding once
    assert request.json() == {
        "msgtype": "markdown",
        "markdown": {
            "title": "逾期提醒：HP-2025-00001 三组撂荒地复耕",
            "text": "#### 逾期提醒：HP-2025-00001 三组撂荒地复耕\n\n改革村 · 责任人 cadre_gaige",
        },
    }


def test_it_url_encodes_the_signature():
    url = dingtalk_signed_url(
        "https://oapi.dingtalk.com/robot/send?access_token=x", "SECabc", timestamp_ms=1700000000000
    )
    sign = url.split("&sign=")[1]
    digest = hmac.new(b"SECabc", b"1700000000000\nSECabc", hashlib.sha256).digest()
    assert unquote_plus(sign) == base64.b64encode(digest).decode()
    assert "+" not in sign and "/" not in sign and "=" not in sign
    assert url.startswith(
        "https://oapi.dingtalk.com/robot/send?access_token=x&timestamp=1700000000000&sign="
    )


def test_it_retries_with_backoff_and_logs_every_attempt(world, receiver):
    settings_row = rhythm_settings(world.town)
    settings_row.delivery_backoff_seconds = 60
    settings_row.save()
    Channel.objects.create(
        town=world.town,
        name="钉钉群",
        kind=Channel.Kind.DINGTALK,
        webhook_url=receiver.url("/robot"),
    )
    receiver.replies = [(500, "oops"), (200, '{"errcode":130101,"errmsg":"send too fast"}')]
    ping(world)
    delivery = Delivery.objects.get()

    assert deliveries_send(now=NOW) == 0
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == (
        "pending",
        1,
        NOW + timedelta(seconds=60),
    )
    assert deliveries_send(now=NOW + timedelta(seconds=59)) == 0  # not due yet: no request
    assert len(receiver.requests) == 1

    assert deliveries_send(now=NOW + timedelta(seconds=60)) == 0  # the robot answers an error code
    delivery.refresh_from_db()
    assert (delivery.attempts, delivery.next_attempt_at) == (
        2,
        NOW + timedelta(seconds=180),
    )  # backoff doubles
    assert "send too fast" in delivery.last_error

    assert deliveries_send(now=NOW + timedelta(seconds=180)) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("sent", 3)
    log = list(
        DeliveryAttempt.objects.filter(delivery=delivery).values_list("number", "ok", "status_code")
    )
    assert log == [(1, False, 500), (2, False, 200), (3, True, 200)]
    assert len(receiver.requests) == 3


def test_it_gives_up_after_the_towns_number_of_attempts(world):
    settings_row = rhythm_settings(world.town)
    settings_row.delivery_retries = 2
    settings_row.save()
    # Nothing listens on this port (the receiver is closed at once).
    with Receiver() as closed:
        url = closed.url("/robot")
    Channel.objects.create(
        town=world.town, name="企业微信群", kind=Channel.Kind.WECOM, webhook_url=url
    )
    ping(world)
    deliveries_send(now=NOW)
    deliveries_send(now=NOW + timedelta(days=1))
    deliveries_send(now=NOW + timedelta(days=2))
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("failed", 2)
    assert DeliveryAttempt.objects.filter(delivery=delivery).count() == 2


def test_it_never_sends_a_delivery_another_sender_holds(world, receiver):
    Channel.objects.create(
        town=world.town, name="企业微信群", kind=Channel.Kind.WECOM, webhook_url=receiver.url("/r")
    )
    ping(world)
    # Another sender claimed it a moment ago and is sending.
    Delivery.objects.update(status=Delivery.Status.SENDING, claimed_at=NOW, attempts=1)
    assert deliveries_send(now=NOW + timedelta(minutes=1)) == 0
    assert receiver.requests == []
    # A claim older than the lease is a crashed sender: the delivery is taken over.
    assert deliveries_send(now=NOW + CLAIM_LEASE + timedelta(seconds=1)) == 1
    assert Delivery.objects.get().attempts == 2


def test_it_mails_recipients_with_an_address(world):
    world.user("cadre_gaige").email = "cadre@hp.gov.cn"
    world.user("cadre_gaige").save()
    Channel.objects.create(town=world.town, name="邮件", kind=Channel.Kind.EMAIL)
    ping(world)
    assert Delivery.objects.count() == 1  # the secretary has no address
    assert deliveries_send(now=NOW) == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["cadre@hp.gov.cn"]
    assert mail.outbox[0].subject == "逾期提醒：HP-2025-00001 三组撂荒地复耕"
    assert deliveries_send(now=NOW + timedelta(hours=1)) == 0
    assert len(mail.outbox) == 1


def test_it_carries_only_the_kinds_a_channel_asks_for(world, receiver):
    Channel.objects.create(
        town=world.town,
        name="通报群",
        kind=Channel.Kind.WECOM,
        webhook_url=receiver.url("/r"),
        kinds=["bulletin"],
    )
    ping(world)
    ping(world, key="b1", kind="bulletin.issued")
    assert list(Delivery.objects.values_list("key", flat=True)) == ["b1"]


def test_it_keeps_confidential_notifications_to_case_handlers_and_out_of_groups(world, receiver):
    Channel.objects.create(
        town=world.town, name="企业微信群", kind=Channel.Kind.WECOM, webhook_url=receiver.url("/r")
    )
    everyone = (
        "principal",
        "discipline",
        "leader",
        "inspector",
        "contact_gaige",
        "cadre_gaige",
        "secretary_gaige",
    )
    recipients = [world.people[p] for p in everyone]
    # Without the owning app's reader check a confidential message is refused, never sent wide.
    with pytest.raises(ValueError):
        notify(
            recipients=recipients,
            kind="accountability.suggested",
            title="问责建议",
            key="c0",
            town=world.town,
        )
    created = notify(
        recipients=recipients,
        kind="accountability.suggested",
        title="问责建议",
        key="c1",
        town=world.town,
        may_read_confidential=lambda user, town_id: may_see_cases(user, town_id=town_id),
    )
    assert {n.user.username for n in created} == {"principal", "discipline"}
    assert Delivery.objects.count() == 0
