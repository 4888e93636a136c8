"""The inbox (消息) and the bulletins list: my own notifications only, read marks, the badge."""

from __future__ import annotations

from maque.notifications.models import Notification
from maque.notifications.services import notify
from tests.conftest import make_item


def signed_in(client, world, persona):  # noqa: ANN001, ANN201
    client.force_login(world.user(persona))
    return client


def note(world, persona: str, key: str, title: str, link: str = "") -> Notification:  # noqa: ANN001
    return notify(
        recipients=[world.user(persona)],
        kind="escalation.overdue_1",
        title=title,
        key=key,
        link=link,
    )[0]


def test_it_lists_my_notifications_unread_first_and_not_anyone_elses(client, world):  # noqa: ANN001
    older = note(world, "cadre_gaige", "k1", "旧的提醒：已读")
    Notification.objects.filter(pk=older.pk).update(read_at=older.created_at)
    note(world, "cadre_gaige", "k2", "新的逾期提醒")
    note(world, "cadre_shuangsheng", "k3", "别人的提醒")
    response = signed_in(client, world, "cadre_gaige").get("/inbox/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "别人的提醒" not in page
    assert page.index("新的逾期提醒") < page.index("旧的提醒：已读")
    assert [n.title for n in response.context["page"]] == ["新的逾期提醒", "旧的提醒：已读"]
    # The badge in the navigation counts my unread notifications.
    assert response.context["rhythm"]["unread"] == 1
    assert "消息" in page and "未读" in page
    only_unread = client.get("/inbox/", {"unread": "1"}).content.decode()
    assert "新的逾期提醒" in only_unread and "旧的提醒：已读" not in only_unread


def test_it_marks_one_read_and_never_someone_elses(client, world):  # noqa: ANN001
    mine = note(world, "cadre_gaige", "k1", "我的")
    theirs = note(world, "cadre_shuangsheng", "k2", "他的")
    client = signed_in(client, world, "cadre_gaige")
    response = client.post(f"/inbox/{mine.pk}/read/", {"next": "/inbox/?unread=1"})
    assert response.status_code == 302 and response["Location"] == "/inbox/?unread=1"
    mine.refresh_from_db()
    assert mine.read_at is not None
    assert client.post(f"/inbox/{theirs.pk}/read/").status_code == 404
    assert client.get(f"/inbox/{theirs.pk}/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None
    # An outside address in `next` is ignored.
    other = note(world, "cadre_gaige", "k3", "再一条")
    response = client.post(f"/inbox/{other.pk}/read/", {"next": "https://example.com/"})
    assert response["Location"] == "/inbox/"


def test_it_opens_a_notification_marks_it_read_and_follows_a_local_link_only(client, world):  # noqa: ANN001
    item = make_item(world)
    inside = note(world, "cadre_gaige", "k1", "逾期", link=f"/items/{item.pk}/")
    outside = note(world, "cadre_gaige", "k2", "外链", link="https://example.com/x")
    client = signed_in(client, world, "cadre_gaige")
    response = client.get(f"/inbox/{inside.pk}/")
    assert response.status_code == 302 and response["Location"] == f"/items/{item.pk}/"
    inside.refresh_from_db()
    assert inside.read_at is not None
    assert client.get(f"/inbox/{outside.pk}/")["Location"] == "/inbox/"


def test_it_marks_all_read(client, world):  # noqa: ANN001
    for key in ("a", "b", "c"):
        note(world, "cadre_gaige", key, f"提醒{key}")
    note(world, "principal", "d", "书记的")
    client = signed_in(client, world, "cadre_gaige")
    response = client.post("/inbox/read-all/", follow=True)
    assert "3 条消息已标为已读" in response.content.decode()
    assert (
        Notification.objects.filter(user=world.user("cadre_gaige"), read_at__isnull=True).count()
        == 0
    )
    assert (
        Notification.objects.filter(user=world.user("principal"), read_at__isnull=True).count() == 1
    )
    assert client.get("/inbox/read-all/").status_code == 405


def test_it_requires_sign_in(client, db):  # noqa: ANN001
    assert client.get("/inbox/")["Location"].startswith("/login/")


def test_it_lists_the_bulletins_of_my_town(client, world):  # noqa: ANN001
    from maque.bulletins.services import bulletin_issue

    bulletin = bulletin_issue(town=world.town, by=world.user("inspector"))
    page = signed_in(client, world, "cadre_gaige").get("/bulletins/").content.decode()
    assert bulletin.code in page and f"/bulletins/{bulletin.pk}/" in page
    client.force_login(world.user("outsider"))
    assert bulletin.code not in client.get("/bulletins/").content.decode()


def test_it_lets_the_inspection_group_issue_a_bulletin_by_hand(client, world):  # noqa: ANN001
    from maque.bulletins.models import Bulletin

    client = signed_in(client, world, "cadre_gaige")
    assert "/bulletins/issue/" not in client.get("/bulletins/").content.decode()
    response = client.post("/bulletins/issue/", follow=True)
    assert "只有督查考评组或主要领导" in response.content.decode()
    assert not Bulletin.objects.exists()
    client = signed_in(client, world, "inspector")
    assert "/bulletins/issue/" in client.get("/bulletins/").content.decode()
    response = client.post("/bulletins/issue/")
    bulletin = Bulletin.objects.get()
    assert response["Location"] == f"/bulletins/{bulletin.pk}/"
    assert bulletin.town == world.town and bulletin.issued_by == world.user("inspector")
