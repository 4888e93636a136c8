"""Sign-in with lock-out, sign-out and password change."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache


def test_it_signs_in_and_lands_on_the_home_page(client, world):  # noqa: ANN001
    response = client.post("/login/", {"username": "cadre_gaige", "password": "pw-cadre_gaige"})
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").status_code == 200


def test_it_locks_sign_in_after_repeated_failures_even_with_the_right_password(client, world):  # noqa: ANN001
    cache.clear()
    for _attempt in range(settings.MAQUE_SIGNIN_FAILURES):
        assert (
            client.post("/login/", {"username": "cadre_gaige", "password": "wrong"}).status_code
            == 200
        )
    response = client.post("/login/", {"username": "cadre_gaige", "password": "pw-cadre_gaige"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert "登录失败次数过多" in response.content.decode()
    cache.clear()


def test_it_a_success_clears_the_failures_of_the_account(client, world):  # noqa: ANN001
    cache.clear()
    for _attempt in range(settings.MAQUE_SIGNIN_FAILURES - 1):
        client.post("/login/", {"username": "leader", "password": "wrong"}, REMOTE_ADDR="10.0.0.1")
    assert (
        client.post(
            "/login/", {"username": "leader", "password": "pw-leader"}, REMOTE_ADDR="10.0.0.2"
        ).status_code
        == 302
    )
    client.logout()
    client.post("/login/", {"username": "leader", "password": "wrong"}, REMOTE_ADDR="10.0.0.3")
    assert (
        client.post(
            "/login/", {"username": "leader", "password": "pw-leader"}, REMOTE_ADDR="10.0.0.3"
        ).status_code
        == 302
    )
    cache.clear()


def test_it_signs_out_only_by_post(client, world):  # noqa: ANN001
    client.force_login(world.user("cadre_gaige"))
    assert client.get("/logout/").status_code == 405
    assert client.post("/logout/").status_code == 302
    assert "_auth_user_id" not in client.session


def test_it_changes_the_password(client, world):  # noqa: ANN001
    client.force_login(world.user("cadre_gaige"))
    response = client.post(
        "/password/",
        {
            "old_password": "pw-cadre_gaige",
            "new_password1": "Maque-2026-田长",
            "new_password2": "Maque-2026-田长",
        },
    )
    assert response.status_code == 302
    user = world.user("cadre_gaige")
    user.refresh_from_db()
    assert user.check_password("Maque-2026-田长")


def test_it_marks_the_demo_as_a_demo(client, db, settings):  # noqa: ANN001
    settings.MAQUE_DEMO = True
    assert "演示系统" in client.get("/login/").content.decode()


def test_it_speaks_chinese_first_and_english_on_request(client, world):  # noqa: ANN001
    client.force_login(world.user("cadre_gaige"))
    assert "我的待办" in client.get("/").content.decode()
    client.post("/language/", {"language": "en", "next": "/"})
    page = client.get("/").content.decode()
    assert "My to-do" in page and "我的待办" not in page
