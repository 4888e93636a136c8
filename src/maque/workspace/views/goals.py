"""A village's work goals on the screens: the goals section of the village page, a goal's page
with its linked work and history, and the forms that set and change goals (through
`maque.diagnosis.goals`, which decides who may)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from maque.core.lengths import TEXT
from maque.core.masking import mask_text
from maque.core.users import signed_in
from maque.deliberation.models import Topic, TopicState
from maque.diagnosis import goals
from maque.diagnosis.models import Horizon, VillageGoal
from maque.ledger.models import Item, State
from maque.organisation.access import actor_for
from maque.organisation.models import Village
from maque.projects.models import Project
from maque.workspace.forms import style
from maque.workspace.views.errors import SERVICE_ERRORS, form_errors

# How many of the village's latest items a goal form offers to link.
OFFERED_ITEMS = 300


class GoalForm(forms.Form):
    horizon = forms.ChoiceField(label=gettext_lazy("Horizon"), choices=Horizon.choices)
    title = forms.CharField(label=gettext_lazy("Title"), max_length=100)
    description = forms.CharField(
        label=gettext_lazy("About the goal"),
        required=False,
        max_length=TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    items = forms.MultipleChoiceField(
        label=gettext_lazy("Items"), required=False, widget=forms.SelectMultiple(attrs={"size": 6})
    )
    projects = forms.MultipleChoiceField(
        label=gettext_lazy("Projects"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 3}),
    )
    topics = forms.MultipleChoiceField(
        label=gettext_lazy("Topics"), required=False, widget=forms.SelectMultiple(attrs={"size": 4})
    )
    active = forms.BooleanField(label=gettext_lazy("Active"), required=False, initial=True)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args: Any, village: Village, masks: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        shown = mask_text if masks else str
        items = (
            Item.objects.filter(village=village)
            .exclude(state=State.CANCELLED)
            .order_by("-found_on", "-pk")
            .values_list("code", "title")[:OFFERED_ITEMS]
        )
        self._choices("items", [(code, f"{code} {shown(title)}") for code, title in items])
        projects = Project.objects.filter(villages=village).order_by("code")
        self._choices("projects", [(p.code, p.name) for p in projects])
        topics = (
            Topic.objects.filter(village=village)
            .exclude(state__in=(TopicState.SPAM, TopicState.MERGED))
            .order_by("-pk")
            .values_list("code", "title")
        )
        self._choices("topics", [(code, f"{code} {shown(title)}") for code, title in topics])
        style(self)

    def _choices(self, name: str, offered: list[tuple[str, str]]) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.MultipleChoiceField)
        # What a goal links already, or what was sent, stays offered (an older item among them):
        # the service checks that each is the village's.
        data: Any = self.data
        sent = data.getlist(self.add_prefix(name)) if self.is_bound else []
        known = dict(offered)
        chosen = [
            c for c in dict.fromkeys([*(self.initial.get(name) or ()), *sent]) if c not in known
        ]
        field.choices = [*offered, *((code, code) for code in chosen)]


def _masks(user: Any) -> bool:
    return actor_for(user).masks_personal_data()


def village_goals(village: Village, user: Any) -> dict[str, Any]:
    """The goals section of the village page: the village's active goals by horizon with their
    progress, and the form for a new one when the user sets the village's goals."""
    editor = goals.may_edit(actor_for(user), village)
    rows: list[dict[str, Any]] = []
    for goal in (
        VillageGoal.objects.visible_to(user)
        .filter(village=village, active=True)
        .select_related("village__town")
        .order_by("horizon", "pk")
    ):
        links = goals.goal_links(goal, masks=_masks(user))
        rows.append({"goal": goal, "links": links, "progress": goals.goal_progress(links)})
    order = {value: index for index, value in enumerate(Horizon.values)}
    rows.sort(key=lambda row: (order[row["goal"].horizon], row["goal"].pk))
    return {
        "goals": rows,
        "may_edit_goals": editor,
        "goal_form": GoalForm(village=village, prefix="goal", masks=_masks(user))
        if editor
        else None,
    }


def _visible_goal(request: HttpRequest, pk: int) -> VillageGoal:
    return get_object_or_404(
        VillageGoal.objects.visible_to(signed_in(request)).select_related("village__town"), pk=pk
    )


def _render_goal(
    request: HttpRequest, goal: VillageGoal, *, form: GoalForm | None = None, status: int = 200
) -> HttpResponse:
    user = signed_in(request)
    editor = goals.may_edit(actor_for(user), goal.village)
    if editor and form is None:
        form = GoalForm(
            village=goal.village,
            masks=_masks(user),
            initial={
                "horizon": goal.horizon,
                "title": goal.title,
                "description": goal.description,
                "items": list(goal.items.values_list("code", flat=True)),
                "projects": list(goal.projects.values_list("code", flat=True)),
                "topics": list(goal.topics.values_list("code", flat=True)),
                "active": goal.active,
                "version": goal.version,
            },
        )
    links = goals.goal_links(goal, masks=_masks(user))
    return render(
        request,
        "workspace/goals/goal.html",
        {
            "goal": goal,
            "links": links,
            "progress": goals.goal_progress(links),
            "history": goals.goal_history(goal),
            "form": form if editor else None,
        },
        status=status,
    )


@login_required
def goal_page(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_goal(request, _visible_goal(request, pk))


@login_required
@require_POST
def goal_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Set a new goal of the village (the form of the village page)."""
    user = signed_in(request)
    village = get_object_or_404(Village.objects.visible_to(user).select_related("town"), pk=pk)
    form = GoalForm(request.POST, village=village, prefix="goal", masks=_masks(user))
    status = 422
    if form.is_valid():
        data = form.cleaned_data
        try:
            goal = goals.goal_create(
                by=user,
                village=village,
                horizon=data["horizon"],
                title=data["title"],
                description=data["description"],
                items=data["items"],
                projects=data["projects"],
                topics=data["topics"],
                via="web",
            )
        except SERVICE_ERRORS as error:
            status = form_errors(form, error)
        else:
            messages.success(request, _("Goal %(title)s set.") % {"title": goal.title})
            return HttpResponseRedirect(reverse("workspace:village", args=[village.pk]) + "#goals")
    return render(
        request,
        "workspace/goals/new.html",
        {"village": village, "goal_form": form},
        status=status,
    )


@login_required
@require_POST
def goal_edit(request: HttpRequest, pk: int) -> HttpResponse:
    goal = _visible_goal(request, pk)
    user = signed_in(request)
    form = GoalForm(request.POST, village=goal.village, masks=_masks(user))
    status = 422
    if form.is_valid():
        data = form.cleaned_data
        changes = {
            name: data[name]
            for name in ("horizon", "title", "description", "items", "projects", "topics", "active")
        }
        try:
            goal = goals.goal_update(
                goal=goal, by=user, changes=changes, version=data["version"], via="web"
            )
        except SERVICE_ERRORS as error:
            status = form_errors(form, error)
        else:
            messages.success(request, _("Goal %(title)s saved.") % {"title": goal.title})
            return HttpResponseRedirect(reverse("workspace:goal", args=[goal.pk]))
    return _render_goal(request, goal, form=form, status=status)
