"""The demo's log-ins: who they are, and setting their password in one go."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction

from maque.demo import data
from maque.demo.town import ADMIN_USERNAME

User = get_user_model()

# The log-ins the brief of the demo promises, first in the table (in this order).
PRINCIPAL_LOGINS = (
    "admin",
    "demo-principal",
    "demo-leader",
    "demo-leader-petitions",
    "demo-inspector",
    "demo-discipline",
    "demo-contact-gaige",
    "demo-cadre-gaige",
    "demo-secretary-gaige",
    "demo-cadre-shuangsheng",
)


@dataclass(frozen=True)
class DemoLogin:
    username: str
    name: str
    role: str  # in Chinese


def _known() -> list[DemoLogin]:
    logins = [DemoLogin(ADMIN_USERNAME, "系统管理员", "系统管理员（全部配置）")]
    logins += [
        DemoLogin(person.username, person.name, person.description)
        for person in data.PEOPLE
        if person.username
    ]
    order = {username: index for index, username in enumerate(PRINCIPAL_LOGINS)}
    return sorted(logins, key=lambda login: order.get(login.username, len(order)))


def demo_logins() -> list[DemoLogin]:
    """The demo log-ins that exist in the database, the promised ones first."""
    existing = set(
        User.objects.filter(username__in=[login.username for login in _known()]).values_list(
            "username", flat=True
        )
    )
    return [login for login in _known() if login.username in existing]


def demo_passwords_set(*, password: str) -> int:
    """Give every demo log-in `password` (hashed once: the demo shares one password). Returns how many."""
    usernames = [login.username for login in demo_logins()]
    with transaction.atomic():
        count = User.objects.filter(username__in=usernames).update(
            password=make_password(password), is_active=True
        )
        User.objects.filter(username=ADMIN_USERNAME).update(is_staff=True, is_superuser=True)
    return count
