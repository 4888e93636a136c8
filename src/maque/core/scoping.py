"""Deny by default, in one place: the base of every scoped queryset (design §6).

A model's queryset declares only its rule, `scope(actor) -> Q | None` (None: nothing). The base
decides the rest once for every model: a superuser reads everything, an anonymous user or a user
without a person in the organisation reads nothing, and `visible_to(user)` filters by the rule.

The actor is resolved by the organisation app (`install_actor_resolver`, called from its
`AppConfig.ready`), so this module, and the models built on it, import nothing above core.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, Protocol, Self, TypeVar

from django.db import models
from django.db.models import Q

_M = TypeVar("_M", bound=models.Model)


class ScopeActor(Protocol):
    """What the base needs of an actor; the organisation's `Actor` is the one implementation."""

    is_superuser: bool
    person: Any


ActorResolver = Callable[[Any], ScopeActor]
_resolver: ActorResolver | None = None


def install_actor_resolver(resolver: ActorResolver) -> None:
    global _resolver  # noqa: PLW0603 - set once, at start-up
    _resolver = resolver


def resolve_actor(user_or_actor: Any) -> ScopeActor:
    """The actor of a user (an actor passed in is returned as it is)."""
    if hasattr(user_or_actor, "is_superuser") and hasattr(user_or_actor, "town_roles"):
        return user_or_actor  # type: ignore[no-any-return]
    if _resolver is None:  # pragma: no cover - the organisation app installs it at start-up
        raise RuntimeError("No actor resolver installed; is maque.organisation in INSTALLED_APPS?")
    return _resolver(user_or_actor)


class ScopedQuerySet(models.QuerySet[_M]):
    """A queryset whose `visible_to(user)` applies the model's `scope` rule."""

    # Rows that belong to one user (an inbox): the rule decides for everyone, the superuser
    # included, and no person is needed.
    personal: ClassVar[bool] = False

    def scope(self, actor: Any) -> Q | None:
        """The rows this actor may read, as a filter; None means none. Deny unless overridden."""
        return None

    def visible_to(self, user: Any) -> Self:
        """The rows `user` (a user, None, or an already resolved actor) may read."""
        actor = resolve_actor(user)
        if not self.personal:
            if actor.is_superuser:
                return self
            if actor.person is None:
                return self.none()
        condition = self.scope(actor)
        return self.none() if condition is None else self.filter(condition)
