"""The system actor of a town: who `tick` acts as when the lifecycle needs an actor.

The lifecycle (design §4) records an actor for every transition and checks their right, so the
automatic resume of suspended items acts as a dedicated person per town, `麻雀系统`, holding the
leader-in-charge role (one of the roles that may resume). Its login is inactive: nobody can sign
in as it, and it receives no notifications.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext_lazy

from maque.organisation.models import Person, Role, RoleAssignment, Town

# The system person's name, stored in the deployment's language (麻雀系统 in Chinese).
SYSTEM_NAME = gettext_lazy("Maque system")
SYSTEM_TITLE = "system"
SYSTEM_SINCE = date(2000, 1, 1)


def system_name() -> str:
    """The name the system person is stored with."""
    with translation.override(settings.LANGUAGE_CODE):
        return str(SYSTEM_NAME)


def system_username(town: Town) -> str:
    return f"system-{town.code}"


def system_user(town: Town) -> AbstractBaseUser:
    """The town's system user, created (with its person and role) on first use."""
    user_model = get_user_model()
    found = user_model.objects.filter(username=system_username(town)).first()
    if found is not None and Person.objects.filter(user=found).exists():
        return found
    try:
        with transaction.atomic():
            # The town row serialises concurrent first uses.
            Town.objects.select_for_update().get(pk=town.pk)
            user = user_model.objects.filter(username=system_username(town)).first()
            if user is None:
                user = user_model(username=system_username(town), is_active=False)
                user.set_unusable_password()
                user.save()
            person, _created = Person.objects.get_or_create(
                user=user, defaults={"town": town, "name": system_name(), "title": SYSTEM_TITLE}
            )
            if not RoleAssignment.objects.filter(person=person, role=Role.LEADER, town=town).exists():
                RoleAssignment.objects.create(
                    person=person, role=Role.LEADER, town=town, valid_from=SYSTEM_SINCE,
                    note="maque tick: automatic actions (resume of suspended items)",
                )
    except IntegrityError:
        pass
    return user_model.objects.get(username=system_username(town))


def is_system_person(person: Person | None) -> bool:
    return person is not None and person.title == SYSTEM_TITLE and person.name == system_name()
