"""The village's public pages under one prefix, `/p/` (no account, no session, no workspace
chrome), so that a reverse proxy can expose them alone: the village page (its name, 一村一品,
the proposal form, the disclosure board), the receipt look-up with progress, answer and
satisfaction, and the printable QR poster. They live with the topics rather than in the
workspace because they are the whole public surface of the product, and share its checks
(`maque.deliberation.public`) with the public API.
"""

from __future__ import annotations

from typing import Any

import segno
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from maque.core.errors import ConflictError, NotPermitted
from maque.deliberation import public
from maque.deliberation.lifecycle.registration import DESCRIPTION_MAX, MAX_PHOTOS, TITLE_MAX
from maque.deliberation.models import Concern, Satisfaction
from maque.deliberation.queries import public_village
from maque.organisation.models import Village


class ProposeForm(forms.Form):
    concern = forms.ChoiceField(
        label=gettext_lazy("What kind of matter"),
        choices=Concern.choices,
        widget=forms.RadioSelect,
    )
    title = forms.CharField(label=gettext_lazy("In one sentence"), max_length=TITLE_MAX)
    description = forms.CharField(
        label=gettext_lazy("Details"),
        required=False,
        max_length=DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    name = forms.CharField(
        label=gettext_lazy("Your name (optional)"), required=False, max_length=30
    )
    phone = forms.CharField(
        label=gettext_lazy("Your phone (optional)"), required=False, max_length=20
    )
    # The honeypot: hidden from people, filled in by robots.
    website = forms.CharField(required=False, max_length=200)


class LookupForm(forms.Form):
    receipt = forms.CharField(label=gettext_lazy("Receipt"), max_length=60)


class SatisfactionForm(forms.Form):
    receipt = forms.CharField(max_length=60, widget=forms.HiddenInput)
    satisfaction = forms.ChoiceField(
        label=gettext_lazy("Are you satisfied with the answer?"),
        choices=Satisfaction.choices,
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=gettext_lazy("Anything to add (optional)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    reopen = forms.BooleanField(
        label=gettext_lazy("Not solved: please handle it again"), required=False
    )


def _style(form: forms.BaseForm) -> None:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.RadioSelect):
            widget.attrs.setdefault("class", "form-check-input")
        elif isinstance(widget, forms.CheckboxInput):
            widget.attrs.setdefault("class", "form-check-input")
        elif not isinstance(widget, forms.HiddenInput):
            widget.attrs.setdefault("class", "form-control form-control-lg")


def _village(public_code: str) -> Village:
    village = public_village(public_code)
    if village is None:
        raise Http404
    return village


def page_address(request: HttpRequest, village: Village) -> str:
    """The absolute address printed on the poster: on the public base URL when one is set
    (`MAQUE_PUBLIC_BASE_URL`), else on the address this request came to."""
    path = reverse("public:village", args=[village.public_code])
    if settings.MAQUE_PUBLIC_BASE_URL:
        return f"{settings.MAQUE_PUBLIC_BASE_URL}{path}"
    return request.build_absolute_uri(path)


def _render(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    response = render(request, template, context, status=status)
    # A receipt may sit in the address: never sent on to another site. ("no-referrer" would also
    # blank the Origin of the page's own forms, which the CSRF check then refuses.)
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex"
    return response


def _board(village: Village) -> dict[str, Any]:
    board = public.board_view(village)
    return {"board": board["topics"], "disclosures": board["disclosures"]}


@require_http_methods(["GET", "POST"])
def village_page(request: HttpRequest, public_code: str) -> HttpResponse:
    """The village page: name, 一村一品, the proposal form and the disclosure board."""
    village = _village(public_code)
    form = ProposeForm(request.POST or None)
    photo_errors: list[str] = []
    status = 200
    if request.method == "POST":
        status = 422
        try:
            public.check_body_size(request)
            if form.is_valid():
                data = form.cleaned_data
                proposed = public.propose(
                    request,
                    village,
                    title=data["title"],
                    concern=data["concern"],
                    description=data["description"],
                    name=data["name"],
                    phone=data["phone"],
                    honeypot=data["website"],
                    photos=request.FILES.getlist("photos"),
                )
            else:
                proposed = None
        except public.RefusedError as error:
            form.add_error(None, error.message)
            status = error.status
        except ValidationError as error:
            for field, texts in error.message_dict.items():
                if field == "photos":
                    photo_errors.extend(texts)
                else:
                    for text in texts:
                        form.add_error(field if field in form.fields else None, text)
        else:
            if proposed is not None:
                return _render(
                    request,
                    "deliberation/public/submitted.html",
                    {
                        "village": village,
                        "receipt": proposed.receipt,
                        "receipt_url": reverse("public:receipt") + f"?receipt={proposed.receipt}",
                    },
                    status=201,
                )
    _style(form)
    return _render(
        request,
        "deliberation/public/village.html",
        {
            "village": village,
            "form": form,
            "photo_errors": photo_errors,
            "max_photos": MAX_PHOTOS,
            "photo_mb": settings.MAQUE_PUBLIC_PHOTO_MB,
            **_board(village),
        },
        status=status,
    )


def _receipt_page(
    request: HttpRequest, receipt: str, *, form: SatisfactionForm | None = None, status: int = 200
) -> HttpResponse:
    lookup = LookupForm(initial={"receipt": receipt})
    _style(lookup)
    context: dict[str, Any] = {"lookup": lookup, "receipt": receipt}
    if receipt:
        try:
            topic = public.receipt_topic(request, receipt)
        except public.RefusedError as error:
            context["refused"] = error.message
            return _render(
                request, "deliberation/public/receipt.html", context, status=error.status
            )
        if topic is None:
            context["not_found"] = True
            return _render(request, "deliberation/public/receipt.html", context, status=404)
        view = public.receipt_view(topic)
        context["topic"] = view
        if view["may_rate"]:
            rating = form or SatisfactionForm(initial={"receipt": receipt})
            _style(rating)
            context["rating"] = rating
            # A follower's satisfaction reopens nothing: the topic it joined is its proposer's.
            context["may_reopen_after"] = topic.reopened_count < 1 and not view["followed"]
    return _render(request, "deliberation/public/receipt.html", context, status=status)


def receipt_page(request: HttpRequest) -> HttpResponse:
    """Look a receipt up: the topic's progress, the answer, and satisfaction once answered."""
    receipt = (request.GET.get("receipt") or "").strip()[:60]
    return _receipt_page(request, receipt)


@require_POST
def receipt_satisfaction(request: HttpRequest) -> HttpResponse:
    form = SatisfactionForm(request.POST)
    receipt = (request.POST.get("receipt") or "").strip()[:60]
    if not form.is_valid():
        return _receipt_page(request, receipt, form=form, status=422)
    try:
        topic = public.receipt_topic(request, receipt)
    except public.RefusedError as error:
        return HttpResponse(error.message, status=error.status, content_type="text/plain")
    if topic is None:
        raise Http404
    data = form.cleaned_data
    try:
        public.rate(
            topic, satisfaction=data["satisfaction"], note=data["note"], reopen=data["reopen"]
        )
    except (ValidationError, ConflictError, NotPermitted) as error:
        form.add_error(
            None, error.messages[0] if isinstance(error, ValidationError) else error.message
        )
        return _receipt_page(request, receipt, form=form, status=409)
    return _receipt_page(request, receipt)


def poster(request: HttpRequest, public_code: str) -> HttpResponse:
    """A printable A4 poster for the notice board: the village's name and its page's QR code,
    drawn here, offline."""
    village = _village(public_code)
    address = page_address(request, village)
    code = segno.make(address, error="m")
    # segno writes an SVG of paths and attributes only: nothing for the content security policy
    # to refuse.
    svg = code.svg_inline(scale=8, border=2, dark="#000", light="#fff", omitsize=True)
    return _render(
        request,
        "deliberation/public/poster.html",
        {"village": village, "address": address, "qr": mark_safe(svg)},  # noqa: S308 - segno's own SVG
    )
