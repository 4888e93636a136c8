"""Topics of joint deliberation (联村共议): the triage board, proposing a topic, a topic's page
(its timeline, the similar open topics of its village side by side, the actions the user may
take now) and its photos. Reads start from `Topic.objects.visible_to`; every change goes through
`maque.deliberation.lifecycle`."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from maque.core.users import signed_in
from maque.deliberation import lifecycle
from maque.deliberation.figures import VillageTopicFigures, village_topic_figures
from maque.deliberation.lifecycle.registration import MAX_PHOTOS
from maque.deliberation.models import (
    OPEN_TOPIC_STATES,
    TOPIC_STATE_COLOURS,
    Topic,
    TopicPhoto,
    TopicState,
)
from maque.deliberation.policies import may_propose
from maque.deliberation.queries import (
    proposer_shown,
    similar_open_topics,
    topic_list,
    visible_topic,
)
from maque.fieldwork.models import FieldVisit
from maque.meetings.models import Meeting, Resolution
from maque.organisation.access import actor_for
from maque.organisation.models import Person, Village
from maque.workspace.views.common import inline_file
from maque.workspace.views.errors import SERVICE_ERRORS, form_errors
from maque.workspace.views.sheets import sheet_actions
from maque.workspace.views.topic_forms import (
    TopicActionForm,
    TopicFilterForm,
    TopicProposeForm,
)

LIST_PAGE = 30
FIGURE_DAYS = 30  # the board's figures cover the topics of the last month
TIMELINE_LABELS = {"propose": gettext_lazy("submitted")}


def board_figures(request: HttpRequest) -> list[tuple[Village, VillageTopicFigures]]:
    """The figures of the villages the user reads, over the last `FIGURE_DAYS` days."""
    today = timezone.localdate()
    start = today - timedelta(days=FIGURE_DAYS - 1)
    villages = list(Village.objects.visible_to(request.user).order_by("town_id", "name"))
    rows: list[tuple[Village, VillageTopicFigures]] = []
    for town_id in dict.fromkeys(village.town_id for village in villages):
        mine = [village for village in villages if village.town_id == town_id]
        found = village_topic_figures(
            town=town_id, start=start, end=today, villages=[v.pk for v in mine]
        )
        rows += [(village, found[village.pk]) for village in mine if village.pk in found]
    return rows


def _villages_to_propose(request: HttpRequest) -> list[Village]:
    actor = actor_for(request.user)
    villages = Village.objects.visible_to(request.user).filter(active=True).order_by("name")
    return [village for village in villages if may_propose(actor, village)]


def _may_propose_anywhere(request: HttpRequest) -> bool:
    """Whether the user may propose a topic in at least one village (the first one found
    answers: a town-wide reader need not have every village checked)."""
    actor = actor_for(request.user)
    villages = Village.objects.visible_to(request.user).filter(active=True).order_by("name")
    return any(may_propose(actor, village) for village in villages.iterator())


@login_required
def topics(request: HttpRequest) -> HttpResponse:
    """The board: filtered by state, concern, track and village; counts by state first."""
    form = TopicFilterForm(
        request.GET, villages=Village.objects.visible_to(request.user).order_by("name")
    )
    form.is_valid()
    data = form.cleaned_data if form.is_bound else {}
    village = data.get("village")
    found = topic_list(
        user=request.user,
        village=village.pk if village else None,
        concern=data.get("concern") or None,
        track=data.get("track") or None,
        state=[data["state"]] if data.get("state") else None,
        q=(data.get("q") or "").strip() or None,
    )
    counts = dict(
        Topic.objects.visible_to(request.user)
        .values_list("state")
        .annotate(n=Count("pk"))
        .values_list("state", "n")
    )
    page = Paginator(found, LIST_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "workspace/topics/board.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "states": [
                (state, label, counts.get(state, 0), TOPIC_STATE_COLOURS[state])
                for state, label in TopicState.choices
                if counts.get(state) or state in OPEN_TOPIC_STATES
            ],
            "may_propose": _may_propose_anywhere(request),
            "sheet": sheet_actions(
                request,
                "topics",
                {
                    "village": village.pk if village else None,
                    "concern": data.get("concern"),
                    "track": data.get("track"),
                    "state": data.get("state"),
                    "q": (data.get("q") or "").strip(),
                },
            ),
            "figures": board_figures(request),
            "figure_days": FIGURE_DAYS,
        },
    )


@login_required
def topic_new(request: HttpRequest) -> HttpResponse:
    villages = _villages_to_propose(request)
    if not villages:
        raise Http404
    form = TopicProposeForm(
        request.POST or None,
        villages=Village.objects.filter(pk__in=[v.pk for v in villages]).order_by("name"),
    )
    form.input_errors = {}  # type: ignore[attr-defined]
    status = 422 if request.method == "POST" else 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            proposed = lifecycle.topic_propose(
                by=signed_in(request),
                village=data["village"],
                title=data["title"],
                description=data["description"],
                concern=data["concern"],
                domain=data["domain"],
                source=data["source"],
                proposer_kind=data["proposer_kind"],
                proposer_name=data["proposer_name"],
                proposer_phone=data["proposer_phone"],
                photos=request.FILES.getlist("photos"),
                via="web",
            )
        except SERVICE_ERRORS as error:
            status = form_errors(form, error, inputs=("photos",))
        else:
            messages.success(
                request,
                _("Topic %(code)s registered. Its receipt for the proposer: %(receipt)s")
                % {"code": proposed.topic.code, "receipt": proposed.receipt},
            )
            return HttpResponseRedirect(reverse("workspace:topic", args=[proposed.topic.code]))
    return render(
        request,
        "workspace/topics/new.html",
        {"form": form, "max_photos": MAX_PHOTOS},
        status=status,
    )


def _visible(request: HttpRequest, code: str) -> Topic:
    topic = visible_topic(request.user, code)
    if topic is None:
        raise Http404
    return topic


def _forms(
    request: HttpRequest, topic: Topic, bound: TopicActionForm | None = None
) -> list[TopicActionForm]:
    people = Person.objects.filter(town_id=topic.town_id, active=True).order_by("name")
    meetings = (
        Meeting.objects.visible_to(request.user)
        .filter(town_id=topic.town_id)
        .order_by("-held_on", "-id")[:50]
    )
    others = (
        Topic.objects.visible_to(request.user)
        .filter(village_id=topic.village_id, state__in=OPEN_TOPIC_STATES)
        .exclude(pk=topic.pk)
    )
    forms = []
    for action in lifecycle.available_actions(signed_in(request), topic):
        if bound is not None and bound.action == action:
            forms.append(bound)
            continue
        passed, refused = (
            _agenda_resolutions(request, topic) if action == "deliberate" else (None, ())
        )
        forms.append(
            TopicActionForm(
                action,
                initial={"version": topic.version},
                people=people,
                meetings=Meeting.objects.filter(pk__in=[m.pk for m in meetings]),
                topics=others,
                resolutions=passed,
                refused_resolutions=refused,
            )
        )
    return forms


def _agenda_resolutions(
    request: HttpRequest, topic: Topic
) -> tuple[QuerySet[Resolution], tuple[Resolution, ...]]:
    """The resolutions of the meetings the topic waits on (scheduled into, not yet deliberated
    there): the passed ones to choose from, and the others, to say why they are not offered."""
    resolutions = (
        Resolution.objects.filter(
            meeting__in=Meeting.objects.visible_to(request.user),
            meeting__topic_agenda__topic=topic,
            meeting__topic_agenda__deliberated=False,
        )
        .select_related("meeting")
        .order_by("-meeting__held_on", "meeting_id", "order", "id")
    )
    passed = resolutions.filter(outcome=Resolution.Outcome.PASSED)
    refused = tuple(resolutions.exclude(outcome=Resolution.Outcome.PASSED))
    return passed, refused


def _page(
    request: HttpRequest, topic: Topic, bound: TopicActionForm | None = None, status: int = 200
) -> HttpResponse:
    actor = actor_for(request.user)
    name, phone = proposer_shown(topic, actor)
    similar = (
        similar_open_topics(topic, user=request.user)
        if topic.state in (TopicState.SUBMITTED, TopicState.ACCEPTED)
        else []
    )
    timeline: list[dict[str, object]] = [
        {
            "at": row.created_at,
            "label": TIMELINE_LABELS.get(row.action)
            or lifecycle.ACTION_LABELS.get(row.action, row.action),
            "to": TopicState(row.to_state).label,
            "by": row.actor.name if row.actor else "",
            "reason": row.reason,
            "via": row.via,
        }
        for row in topic.transitions.select_related("actor").order_by("created_at", "id")
    ]
    return render(
        request,
        "workspace/topics/detail.html",
        {
            "topic": topic,
            "colour": TOPIC_STATE_COLOURS[topic.state],
            "proposer_name": name,
            "proposer_phone": phone,
            "photos": list(topic.photos.all()),
            "items": [row.item for row in topic.actions.select_related("item", "item__owner")],
            "agenda": list(topic.agenda.select_related("meeting")),
            "merged": list(topic.merged_topics.all()),
            "similar": similar,
            "timeline": timeline,
            "visits": list(
                FieldVisit.objects.visible_to(request.user)
                .filter(topic_links__topic_code=topic.code)
                .select_related("village", "visitor")
            ),
            "forms": _forms(request, topic, bound),
        },
        status=status,
    )


@login_required
def topic_detail(request: HttpRequest, code: str) -> HttpResponse:
    return _page(request, _visible(request, code))


@login_required
@require_POST
def topic_act(request: HttpRequest, code: str, action: str) -> HttpResponse:
    topic = _visible(request, code)
    if action not in lifecycle.ACTION_SERVICES:
        raise Http404
    forms = _forms(request, topic)
    offered = {form.action: form for form in forms}
    if action not in offered:
        messages.error(request, _("This action is not possible now."))
        return HttpResponseRedirect(reverse("workspace:topic", args=[topic.code]))
    template = offered[action]
    form = TopicActionForm(
        action,
        request.POST,
        people=template.fields["owner"].queryset if "owner" in template.fields else None,  # type: ignore[attr-defined]
        meetings=template.fields["meeting"].queryset if "meeting" in template.fields else None,  # type: ignore[attr-defined]
        topics=template.fields["into"].queryset if "into" in template.fields else None,  # type: ignore[attr-defined]
        resolutions=template.fields["resolution"].queryset  # type: ignore[attr-defined]
        if "resolution" in template.fields
        else None,
        refused_resolutions=(),
    )
    status = 422
    if form.is_valid():
        try:
            lifecycle.ACTION_SERVICES[action](
                topic=topic,
                by=signed_in(request),
                version=form.cleaned_data["version"],
                via="web",
                **form.service_arguments(),
            )
        except SERVICE_ERRORS as error:
            status = form_errors(form, error)
        else:
            messages.success(request, _("Done: %(action)s.") % {"action": form.label})
            return HttpResponseRedirect(reverse("workspace:topic", args=[topic.code]))
    return _page(request, _visible(request, code), form, status=status)


@login_required
def topic_photo(request: HttpRequest, pk: int) -> FileResponse:
    """A topic's photo, to those who may read the topic."""
    photo = get_object_or_404(
        TopicPhoto.objects.filter(topic__in=Topic.objects.visible_to(request.user)), pk=pk
    )
    return inline_file(photo)
