"""Badges and small helpers for the workspace templates (presentation only, no decisions)."""

from __future__ import annotations

from django import template
from django.http import QueryDict
from django.utils.html import format_html

from maque.core.masking import mask_text
from maque.ledger.models import STATE_COLOURS, Light, State
from maque.organisation.access import actor_for

register = template.Library()

LIGHT_CSS: dict[str, str] = {
    Light.RED: "light-red",
    Light.YELLOW: "light-yellow",
    Light.GREEN: "light-green",
    Light.GREY: "light-grey",
    Light.BLUE: "light-blue",
}


@register.simple_tag
def light_badge(light: str | None) -> str:
    """A coloured dot with its name in words (never colour alone)."""
    if not light:
        return ""
    return format_html(
        '<span class="light {}"><span class="dot" aria-hidden="true"></span>{}</span>',
        LIGHT_CSS.get(light, ""),
        Light(light).label,
    )


@register.simple_tag
def state_badge(state: str) -> str:
    colour = STATE_COLOURS.get(state, "secondary")
    text = "text-dark" if colour in ("warning", "info") else ""
    return format_html(
        '<span class="badge text-bg-{} {}">{}</span>', colour, text, State(state).label
    )


@register.simple_tag
def with_query(query: str, **changes: object) -> str:
    """The current query string with some parameters replaced (sorting, paging)."""
    params = QueryDict(query, mutable=True)
    for name, value in changes.items():
        params.pop(name, None)
        if value not in (None, ""):
            params[name] = str(value)
    return "?" + params.urlencode()


@register.filter
def get_item(mapping: dict, key: str) -> object:
    return mapping.get(key) if mapping else None


@register.simple_tag(takes_context=True)
def personal(context: template.Context, text: object) -> object:
    """Free text as the reader may see it: phone and ID numbers masked unless the reader's role
    sees personal data (`Actor.masks_personal_data`, the rule of the API and the exports)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if (
        isinstance(text, str)
        and text
        and user is not None
        and actor_for(user).masks_personal_data()
    ):
        return mask_text(text)
    return text
