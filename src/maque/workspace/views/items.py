"""The item page (fields, map, timeline, the actions the user may take now), its forms, the
registration screen (摸排登记) and the scoped evidence files."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseRedirect,
)
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from PIL import Image, UnidentifiedImageError

from maque.core.statemachine import AUTOMATION
from maque.core.users import signed_in
from maque.fieldwork.queries import visits_of_item
from maque.ledger import lifecycle
from maque.ledger.history import item_timeline
from maque.ledger.models import Attachment, Category, FieldType, Item, ItemRequest, Kind, State
from maque.ledger.policies import may_register, register_villages
from maque.ledger.queries import children_progress, with_indicators
from maque.ledger.services import attachment_add, progress_add, progress_allowed
from maque.organisation.access import actor_for
from maque.organisation.models import Household, Plot, Village
from maque.workspace import maps
from maque.workspace.forms import ActionForm, BreakdownForm, ProgressForm, RegisterForm
from maque.workspace.views.common import is_htmx
from maque.workspace.views.errors import SERVICE_ERRORS, flash_errors, form_errors

TIMELINE_LABELS = {"create": gettext_lazy("registered")}
THUMB_SIZE = 320


def _visible_item(request: HttpRequest, pk: int) -> Item:
    """The item if the user may read it; 404 otherwise (never reveal that it exists)."""
    items = with_indicators(Item.objects.visible_to(request.user).filter(pk=pk))
    return get_object_or_404(
        items.select_related(
            "village",
            "owner",
            "category",
            "campaign",
            "town",
            "plot",
            "group",
            "household",
            "submitted_by",
            "verified_by",
        )
    )


def _attribute_rows(item: Item) -> list[tuple[str, str]]:
    if item.category is None:
        return []
    fields = list(item.category.fields.all())
    household_ids = [item.attributes.get(f.name) for f in fields if f.type == FieldType.HOUSEHOLD]
    households = {
        h.pk: h.head_name
        for h in Household.objects.filter(
            village=item.village, pk__in=[h for h in household_ids if h]
        )
    }
    rows = []
    for field in fields:
        value = item.attributes.get(field.name)
        if value in (None, ""):
            shown = "—"
        elif field.type == FieldType.HOUSEHOLD:
            shown = households.get(value, str(value))
        else:
            shown = f"{value} {field.unit}".strip()
        rows.append((field.label, shown))
    return rows


def _item_plot(item: Item) -> Plot | None:
    if item.plot_id:
        return item.plot
    if item.category is not None:
        for field in item.category.fields.all():
            if field.type == FieldType.PLOT and item.attributes.get(field.name):
                return Plot.objects.filter(
                    village_id=item.village_id, code=item.attributes[field.name]
                ).first()
    return None


def _timeline(item: Item, user: Any) -> list[dict[str, Any]]:
    """Transitions and progress reports, oldest first (the API's history, `ledger.history`),
    in the shape the page draws: who, a label, the state reached, the text, the photos."""
    entries: list[dict[str, Any]] = []
    for entry in item_timeline(item, user, kinds=("transition", "progress")):
        who = (
            {"name": AUTOMATION.label}
            if entry["by"] is None and entry.get("automatic")
            else entry["by"]
        )
        if entry["type"] == "transition":
            action = entry["action"]
            entries.append(
                {
                    "kind": "transition",
                    "at": entry["at"],
                    "who": who,
                    "action": action,
                    "label": TIMELINE_LABELS.get(action) or entry["action_label"],
                    "text": entry["note"],
                    "to_state": entry["to_state_label"]
                    if entry["from_state"] != entry["to_state"]
                    else "",
                }
            )
        else:
            entries.append(
                {
                    "kind": "progress",
                    "at": entry["at"],
                    "who": who,
                    "label": _("progress"),
                    "text": entry["text"],
                    "percent": entry["percent"],
                    "attachments": entry["attachments"],
                }
            )
    return entries


def split_actions(forms: list[ActionForm]) -> tuple[ActionForm | None, list[ActionForm]]:
    """One primary action (the first that moves the work forward, else the first that is not a
    refusal or a cancellation) and the rest, which the page groups under "more actions"."""
    primary = next((form for form in forms if form.is_strong), None)
    if primary is None:
        primary = next((form for form in forms if not form.is_danger), None)
    return primary, [form for form in forms if form is not primary]


def _render_item(
    request: HttpRequest,
    item: Item,
    *,
    bound: ActionForm | None = None,
    progress_form: ProgressForm | None = None,
    breakdown_form: BreakdownForm | None = None,
    status: int = 200,
) -> HttpResponse:
    actions = lifecycle.available_actions(signed_in(request), item)
    forms = [
        bound
        if bound is not None and bound.action == action
        else ActionForm(action, initial={"version": item.version})
        for action in actions
    ]
    primary, more = split_actions(forms)
    plot = _item_plot(item)
    may_report = progress_allowed(item=item, by=signed_in(request))
    context = {
        "item": item,
        "attribute_rows": _attribute_rows(item),
        "plot": plot,
        "map": maps.draw([(plot.code, plot.polygon, True)]) if plot else None,
        "timeline": _timeline(item, request.user),
        "loose_attachments": list(item.attachments.filter(progress__isnull=True)),
        "action_forms": forms,
        "primary_form": primary,
        "more_forms": more,
        "open_action": bound.action if bound is not None else "",
        "open_more": bound is not None and bound in more,
        "progress_form": (progress_form or ProgressForm()) if may_report else None,
        "pending_requests": item.requests.filter(status=ItemRequest.Status.PENDING).select_related(
            "requested_by"
        ),
        "children": children_progress(item=item, user=signed_in(request)),
        "breakdown_form": breakdown_form
        or (
            BreakdownForm(item=item, user=signed_in(request))
            if _may_break_down(request, item)
            else None
        ),
        "visits": list(visits_of_item(user=request.user, item=item)[:20]),
    }
    return render(request, "workspace/item_detail.html", context, status=status)


@login_required
def item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_item(request, _visible_item(request, pk))


@login_required
@require_POST
def item_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Run one lifecycle action; errors go back next to the field, conflicts as a message."""
    item = _visible_item(request, pk)
    service = lifecycle.ACTION_SERVICES.get(action)
    if service is None:
        raise Http404
    form = ActionForm(action, request.POST)
    if not form.is_valid():
        return _render_item(request, item, bound=form, status=422)
    try:
        service(
            item=item,
            by=request.user,
            version=form.cleaned_data["version"],
            via="web",
            **form.service_arguments(),
        )
    except SERVICE_ERRORS as error:
        if isinstance(error, ValidationError) and "evidence" not in getattr(
            error, "message_dict", {}
        ):
            return _render_item(request, item, bound=form, status=form_errors(form, error))
        # A refusal of the action itself (evidence missing, not permitted, the item changed):
        # the page is drawn again as the item is now, with the reason on top.
        flash_errors(request, error)
        return HttpResponseRedirect(reverse("workspace:item", args=[item.pk]))
    messages.success(request, _("Done: %(action)s.") % {"action": form.label})
    return HttpResponseRedirect(reverse("workspace:item", args=[item.pk]))


@login_required
@require_POST
def item_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """A progress report with optional percent and photos straight from the camera."""
    item = _visible_item(request, pk)
    form = ProgressForm(request.POST)
    if not form.is_valid():
        return _render_item(request, item, progress_form=form, status=422)
    try:
        progress_add(
            item=item,
            by=signed_in(request),
            text=form.cleaned_data["text"],
            percent=form.cleaned_data.get("percent"),
            files=request.FILES.getlist("files"),
        )
    except SERVICE_ERRORS as error:
        if isinstance(error, ValidationError):
            return _render_item(
                request,
                item,
                progress_form=form,
                status=form_errors(form, error, inputs=("files",)),
            )
        flash_errors(request, error)
        return HttpResponseRedirect(reverse("workspace:item", args=[item.pk]))
    messages.success(request, _("Progress recorded."))
    return HttpResponseRedirect(reverse("workspace:item", args=[item.pk]) + "#timeline")


# --- registration ------------------------------------------------------------------------------


def _register_choices(request: HttpRequest) -> tuple[Any, Any]:
    actor = actor_for(request.user)
    villages = Village.objects.visible_to(request.user).filter(active=True).order_by("name")
    # Only villages where the user may register (the service checks again).
    allowed = register_villages(actor, villages)
    categories = (
        Category.objects.visible_to(actor)
        .filter(
            active=True,
            campaign__active=True,
        )
        .select_related("campaign")
        .order_by("campaign__order", "order", "name")
    )
    return categories, villages.filter(pk__in=allowed)


@login_required
def register(request: HttpRequest) -> HttpResponse:
    """摸排登记: pick a category and get its fields; a photo from the camera; thumb-sized pickers."""
    categories, villages = _register_choices(request)
    if request.method != "POST":
        # Changing the category or village re-renders the form with the values kept (htmx).
        form = RegisterForm(categories=categories, villages=villages, initial=request.GET.dict())
        template = (
            "workspace/partials/register_form.html"
            if is_htmx(request)
            else "workspace/register.html"
        )
        return render(request, template, {"form": form})
    form = RegisterForm(request.POST, request.FILES, categories=categories, villages=villages)
    photo = request.FILES.get("photo")
    status = 422
    if form.is_valid():
        data = form.cleaned_data
        category = data["category"]
        try:
            with transaction.atomic():
                item = lifecycle.item_create(
                    by=signed_in(request),
                    campaign=category.campaign,
                    category=category,
                    village=data["village"],
                    title=data["title"],
                    deadline=data.get("deadline"),
                    attributes=form.attributes(),
                    via="web",
                    description=data.get("description", ""),
                    measures=data.get("measures", ""),
                    scope=data.get("scope", ""),
                    subject=data.get("subject", ""),
                    group=data.get("group"),
                    plot=form.plot_for_item(),
                )
                if photo is not None:
                    try:
                        attachment_add(item=item, by=signed_in(request), upload=photo)
                    except ValidationError as error:
                        raise ValidationError({"photo": error.messages}) from None
        except SERVICE_ERRORS as error:
            status = form_errors(form, error, inputs=("photo",))
        else:
            messages.success(request, _("Registered as %(code)s.") % {"code": item.code})
            return HttpResponseRedirect(reverse("workspace:item", args=[item.pk]))
    _photo_problems(form, photo)
    return render(request, "workspace/register.html", {"form": form}, status=status)


def _photo_problems(form: RegisterForm, photo: Any) -> None:
    """A browser cannot be given the chosen file back: the page says so, at the top and at the
    photo, so that it is chosen again rather than silently dropped."""
    label = _("Photo of the problem")
    errors = getattr(form, "input_errors", {}).get("photo", [])
    form.extra_errors = [("id_photo", label, text) for text in errors]  # type: ignore[attr-defined]
    if photo is not None and not errors:
        form.photo_again = photo.name  # type: ignore[attr-defined]
        form.extra_errors.append(("id_photo", label, _("Choose the photo again: it was not kept.")))  # type: ignore[attr-defined]


# --- evidence files ---------------------------------------------------------------------------


def _visible_attachment(request: HttpRequest, pk: int) -> Attachment:
    return get_object_or_404(Attachment.objects.visible_to(request.user), pk=pk)


@login_required
def attachment_file(request: HttpRequest, pk: int) -> FileResponse:
    """The original file, only for users who may read its item."""
    attachment = _visible_attachment(request, pk)
    response = FileResponse(
        attachment.file.open("rb"),
        content_type=attachment.content_type,
        as_attachment=attachment.kind != Attachment.FileKind.PHOTO,
        filename=attachment.original_name,
    )
    response["Cache-Control"] = "private, max-age=86400"
    return response


@login_required
def attachment_thumb(request: HttpRequest, pk: int) -> HttpResponseBase:
    """A small JPEG of a photo for timelines on weak mobile links, made once and kept on disk."""
    attachment = _visible_attachment(request, pk)
    if attachment.kind != Attachment.FileKind.PHOTO:
        raise Http404
    path = (
        Path(settings.MEDIA_ROOT)
        / "thumbs"
        / attachment.sha256[:2]
        / f"{attachment.sha256}-{THUMB_SIZE}.jpg"
    )
    if not path.exists():
        try:
            with attachment.file.open("rb") as source, Image.open(source) as image:
                image.thumbnail((THUMB_SIZE, THUMB_SIZE))
                buffer = io.BytesIO()
                image.convert("RGB").save(buffer, "JPEG", quality=75, optimize=True)
        except (UnidentifiedImageError, OSError):
            # A format the server cannot decode (e.g. HEIC): send the original instead.
            return HttpResponseRedirect(reverse("workspace:attachment", args=[attachment.pk]))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(buffer.getvalue())
    response = FileResponse(path.open("rb"), content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=604800, immutable"
    return response


def _may_break_down(request: HttpRequest, item: Item) -> bool:
    """Offered on an open item that is not itself a sub-item, to whoever registers items in its
    village and campaign (the service checks it again)."""
    return (
        item.parent_id is None
        and item.state not in (State.CLOSED, State.CANCELLED)
        and may_register(actor_for(request.user), item.village, item.campaign)
    )


@login_required
@require_POST
def item_breakdown(request: HttpRequest, pk: int) -> HttpResponse:
    """Break an item (a meeting decision, a project milestone, any open item) into sub-items:
    each an action item of the same village and campaign with its own owner and deadline."""
    item = _visible_item(request, pk)
    user = signed_in(request)
    form = BreakdownForm(request.POST, item=item, user=user)
    status = 422
    if form.is_valid():
        data = form.cleaned_data
        try:
            child = lifecycle.item_create(
                by=user,
                campaign=item.campaign,
                village=item.village,
                title=data["title"],
                owner=data["owner"],
                deadline=data["deadline"],
                kind=Kind.ACTION,
                source=item.source,
                description=_("Broken down from %(code)s %(title)s")
                % {"code": item.code, "title": item.title},
                measures=data["measures"],
                parent=item,
                via="web",
            )
        except SERVICE_ERRORS as error:
            status = form_errors(form, error)
        else:
            messages.success(request, _("Sub-item %(code)s registered.") % {"code": child.code})
            return HttpResponseRedirect(reverse("workspace:item", args=[item.pk]))
    return _render_item(request, item, breakdown_form=form, status=status)
