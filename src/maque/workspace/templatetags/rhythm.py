"""The rhythm's entries in the navigation (shown by role) and small presentation helpers."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from maque.workspace.views import navigation

register = template.Library()

OUTCOME_COLOURS = {
    "pass": "success",
    "inadequate": "warning",
    "false_close": "danger",
    "new_problem": "info",
    "holds": "success",
    "relapse": "danger",
    "on_track": "success",
    "behind": "warning",
    "pending": "secondary",
}
CASE_COLOURS = {
    "suggested": "warning",
    "opened": "primary",
    "decided": "danger",
    "closed": "secondary",
    "dismissed": "light",
}


@register.simple_tag(takes_context=True)
def rhythm_nav(context: dict[str, Any]) -> dict[str, Any]:
    """What the signed-in user's navigation shows: the inbox badge and the screens of their roles."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return navigation.nav_for(user)


@register.simple_tag
def outcome_badge(value: str, label: str) -> str:
    colour = OUTCOME_COLOURS.get(value, "secondary")
    text = " text-dark" if colour in ("warning", "info", "light") else ""
    return format_html('<span class="badge text-bg-{}{}">{}</span>', colour, text, label)


@register.simple_tag
def case_badge(value: str, label: str) -> str:
    colour = CASE_COLOURS.get(value, "secondary")
    text = " text-dark border" if colour in ("warning", "light") else ""
    return format_html('<span class="badge text-bg-{}{}">{}</span>', colour, text, label)


@register.simple_tag
def trend(this: float, last: float, worse_when_up: bool = True) -> str:
    """This week's figure against last week's, the change in words as well as an arrow."""
    if this == last:
        return format_html(
            '<span class="trend text-body-secondary"><span aria-hidden="true">＝</span><span class="visually-hidden">{}</span></span>',
            _("unchanged"),
        )
    up = this > last
    worse = up == worse_when_up
    return format_html(
        '<span class="trend {}"><span aria-hidden="true">{}</span><span class="visually-hidden">{}</span></span>',
        "text-danger" if worse else "text-success",
        "▲" if up else "▼",
        _("up") if up else _("down"),
    )
